'use client';
// Incidents as cards (open ones, with their live elapsed time) and as a table
// (past ones); open follow-ups with their owners and due dates.
import { Badge, Card, Group, Progress, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { useNow } from '@/components/health/use-now';
import { LinkAnchor } from '@/components/ui/link-anchor';
import type { FollowUpView, IncidentListRow } from '@/lib/incidents/data';
import { spokenDuration } from '@/lib/incidents/format';
import { IncidentStatusBadge, SeverityBadge } from './badges';

function Since({ iso }: { iso: string }) {
  const now = useNow();
  return <Text span size="sm" ff="monospace" style={{ whiteSpace: 'nowrap' }}>{now === null ? '' : spokenDuration(now - Date.parse(iso))}</Text>;
}

export function OpenIncidentCards({ rows }: { rows: IncidentListRow[] }) {
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm">
      {rows.map((r) => (
        <Card key={r.id} withBorder radius="md" padding="md" data-testid="open-incident" style={!r.acknowledgedAt ? { borderColor: 'var(--mantine-color-red-6)', borderWidth: 2 } : undefined}>
          <Group justify="space-between" wrap="nowrap" align="flex-start">
            <Stack gap={4} style={{ minWidth: 0 }}>
              <LinkAnchor href={`/incidents/${r.publicId}`} fw={700}>{r.publicId}: {r.title}</LinkAnchor>
              <Group gap={6} wrap="wrap">
                <SeverityBadge severity={r.severity} />
                <IncidentStatusBadge status={r.status} />
                {!r.acknowledgedAt && <Badge color="red" variant="filled">not acknowledged</Badge>}
                {r.isDrill && <Badge color="grape" variant="light">drill</Badge>}
                {r.serviceName && <Text size="sm" c="dimmed">{r.serviceName}</Text>}
              </Group>
            </Stack>
            <Stack gap={0} align="flex-end">
              <Since iso={r.openedAt} />
              <Text size="xs" c="dimmed">open</Text>
            </Stack>
          </Group>
          <Group justify="space-between" mt="sm" gap="xs" wrap="nowrap">
            <Text size="xs" c="dimmed">{r.commander ? `Commander: ${r.commander}` : 'No commander yet'}</Text>
            {r.steps.total > 0 && (
              <Group gap={6} wrap="nowrap">
                <Progress value={(r.steps.done / r.steps.total) * 100} w={80} size="sm" aria-label="Runbook progress" />
                <Text size="xs" c="dimmed">{r.steps.done}/{r.steps.total} steps</Text>
              </Group>
            )}
          </Group>
        </Card>
      ))}
    </SimpleGrid>
  );
}

const duration = (r: IncidentListRow) => (r.resolvedAt ? spokenDuration(Date.parse(r.resolvedAt) - Date.parse(r.openedAt)) : '');

export function PastIncidentsTable({ rows }: { rows: IncidentListRow[] }) {
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table verticalSpacing={6} highlightOnHover aria-label="Past incidents">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Incident</Table.Th>
            <Table.Th>Severity</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Service</Table.Th>
            <Table.Th>Opened (UTC)</Table.Th>
            <Table.Th>Lasted</Table.Th>
            <Table.Th>Post-mortem</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={r.id}>
              <Table.Td><LinkAnchor href={`/incidents/${r.publicId}`} size="sm">{r.publicId}: {r.title}</LinkAnchor></Table.Td>
              <Table.Td><SeverityBadge severity={r.severity} size="sm" /></Table.Td>
              <Table.Td><IncidentStatusBadge status={r.status} size="sm" /></Table.Td>
              <Table.Td><Text size="sm">{r.serviceName ?? '—'}</Text></Table.Td>
              <Table.Td><Text size="sm" ff="monospace">{r.openedAt.slice(0, 16).replace('T', ' ')}</Text></Table.Td>
              <Table.Td><Text size="sm">{duration(r)}</Text></Table.Td>
              <Table.Td>
                {r.postmortem === 'none' ? <Text size="sm" c="dimmed">none</Text> : <LinkAnchor href={`/incidents/${r.publicId}/postmortem`} size="sm">{r.postmortem === 'published' ? 'published' : 'draft'}</LinkAnchor>}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function FollowUpsTable({ rows, today }: { rows: FollowUpView[]; today: string }) {
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table verticalSpacing={6} aria-label="Open follow-ups">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Follow-up</Table.Th>
            <Table.Th>Owner</Table.Th>
            <Table.Th>Due</Table.Th>
            <Table.Th>From</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((f) => (
            <Table.Tr key={f.id}>
              <Table.Td><Text size="sm">{f.title}</Text></Table.Td>
              <Table.Td><Text size="sm">{f.owner?.name ?? 'nobody'}</Text></Table.Td>
              <Table.Td>
                <Text size="sm" c={f.dueOn && f.dueOn < today ? 'red' : undefined} fw={f.dueOn && f.dueOn < today ? 600 : undefined}>
                  {f.dueOn ?? '—'}{f.dueOn && f.dueOn < today ? ' (overdue)' : ''}
                </Text>
              </Table.Td>
              <Table.Td><LinkAnchor href={`/incidents/${f.publicId}/postmortem`} size="sm">{f.publicId}</LinkAnchor></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
