'use client';
// The library in failure-mode order: what each runbook is for, its steps by
// kind, when it attaches, and how often incidents have followed it. One grid,
// so a screen shows the whole library; a card names its failure mode when its
// own name does not.
import { Badge, Card, Group, SimpleGrid, Text } from '@mantine/core';
import { LinkAnchor } from '@/components/ui/link-anchor';
import type { RunbookListRow } from '@/lib/runbooks/data';
import { FAILURE_MODES, FAILURE_MODE_LABELS, STEP_KIND_LABELS, STEP_KINDS } from '@/lib/runbooks/model';

export function RunbookList({ rows }: { rows: RunbookListRow[] }) {
  const ordered = [...rows].sort((a, b) => FAILURE_MODES.indexOf(a.failureMode) - FAILURE_MODES.indexOf(b.failureMode) || a.name.localeCompare(b.name));
  return (
    <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }} spacing="sm">
      {ordered.map((r) => (
        <Card key={r.id} withBorder radius="md" padding="md" data-testid="runbook-card" aria-label={`${r.name} (${FAILURE_MODE_LABELS[r.failureMode]})`}>
          {r.name !== FAILURE_MODE_LABELS[r.failureMode] && <Text size="xs" c="dimmed" tt="uppercase" fw={600}>{FAILURE_MODE_LABELS[r.failureMode]}</Text>}
          <Group justify="space-between" wrap="nowrap" align="flex-start">
            <LinkAnchor href={`/runbooks/${r.id}`} fw={600}>{r.name}</LinkAnchor>
            <Badge variant="light" color="gray">v{r.version}</Badge>
          </Group>
          <Text size="sm" c="dimmed" lineClamp={2} mt={4}>{r.summary || 'No summary.'}</Text>
          <Group gap={4} mt="xs" wrap="wrap">
            {STEP_KINDS.filter((k) => r.kinds[k]).map((k) => <Badge key={k} size="xs" variant="outline" color="gray">{r.kinds[k]} {STEP_KIND_LABELS[k].toLowerCase()}</Badge>)}
            {r.archived && <Badge size="xs" color="gray">archived</Badge>}
          </Group>
          <Text size="xs" c="dimmed" mt={6}>
            Attaches to {r.severities.length ? r.severities.join(', ') : 'any severity'}
            {r.services.length ? `, services ${r.services.join(', ')}` : ''}{r.targets.length ? `, targets ${r.targets.join(', ')}` : ''}
            {' · '}followed by {r.incidents} incident{r.incidents === 1 ? '' : 's'} · edited by {r.updatedBy}, {r.updatedAt.slice(0, 10)}
          </Text>
        </Card>
      ))}
    </SimpleGrid>
  );
}
