'use client';

import { useMemo, useState } from 'react';
import { Badge, Group, SegmentedControl, Stack, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { IconAlertTriangle, IconSearch } from '@tabler/icons-react';
import { EmptyState } from '@/components/ui/empty-state';
import { LinkAnchor } from '@/components/ui/link-anchor';
import type { Cell } from '@/lib/recovery/compliance';
import type { ComponentRow } from '@/lib/recovery/data';
import { formatRatio, formatSpan } from '@/lib/recovery/format';
import { COMPONENT_KIND_LABELS, DISRUPTIONS, DISRUPTION_LABELS, DISRUPTION_SHORT, type RecoveryComponentKind } from '@/lib/recovery/model';
import { BREACHES } from '@/lib/recovery/verdict';
import { componentHref, refHref } from './links';
import { VerdictBadge } from './verdict-badge';

const DAY = 86_400_000;

function age(iso: string | null, at: number): string {
  if (!iso) return '';
  const days = Math.floor((at - Date.parse(iso)) / DAY);
  return days <= 0 ? 'today' : days === 1 ? '1 day ago' : `${days} days ago`;
}

const needsAttention = (cell: Cell) => BREACHES.has(cell.verdict) || cell.atRisk || cell.verdict === 'unverified' || cell.verdict === 'no_evidence';

function Figure({ label, ms, href, objectiveMs }: { label: string; ms: number | null; href: string | null; objectiveMs: number }) {
  if (ms === null) return null;
  const over = ms > objectiveMs;
  const text = (
    <Text span size="xs" fw={over ? 700 : 500} c={over ? 'red' : undefined} ff="monospace">
      {formatSpan(ms)}
    </Text>
  );
  return (
    <Text size="xs" c="dimmed" lh={1.35}>
      {label}{' '}
      {href ? (
        <LinkAnchor href={href} size="xs" underline="always" c="inherit">
          {text}
        </LinkAnchor>
      ) : (
        text
      )}
    </Text>
  );
}

function GridCell({ cell, at }: { cell: Cell; at: number }) {
  const o = cell.objective!;
  const stateful = cell.rpoVerdict !== null;
  return (
    <Stack gap={2} data-testid="compliance-cell" data-disruption={cell.disruption} data-verdict={cell.verdict}>
      <Group gap={4} wrap="wrap">
        <VerdictBadge verdict={cell.verdict} size="xs" />
        {cell.ratio !== null && cell.ratio >= 1 && (
          <Text size="xs" fw={700} c="red">
            {formatRatio(cell.ratio)}
          </Text>
        )}
        {cell.atRisk && (
          <Tooltip label={`Cannot meet the objective by design: ${[...(cell.predictedRto?.fixes ?? []), ...(cell.predictedRpo?.fixes ?? [])][0]?.change ?? ''}`} multiline w={300}>
            <Badge size="xs" color="orange" variant="outline" leftSection={<IconAlertTriangle size={10} />} tt="none" data-testid="at-risk">
              at risk
            </Badge>
          </Tooltip>
        )}
      </Group>
      <Text size="xs" c="dimmed" lh={1.35}>
        objective <Text span size="xs" ff="monospace" c="bright">{formatSpan(o.rtoMs)}</Text>
        {stateful && (
          <>
            {' '}/ RPO <Text span size="xs" ff="monospace" c="bright">{formatSpan(o.rpoMs)}</Text>
          </>
        )}
      </Text>
      {cell.predictedRto?.ms != null && (
        <Text size="xs" c={cell.predictedRto.ms > o.rtoMs ? 'orange' : 'dimmed'} lh={1.35}>
          predicted <Text span size="xs" ff="monospace">{formatSpan(cell.predictedRto.ms)}</Text>
        </Text>
      )}
      <Figure label="worst" ms={cell.rto.worstMs} href={cell.rto.worst && refHref(cell.rto.worst)} objectiveMs={o.rtoMs} />
      {cell.rto.count > 1 && <Figure label="latest" ms={cell.rto.latestMs} href={cell.rto.latest && refHref(cell.rto.latest)} objectiveMs={o.rtoMs} />}
      {stateful && <Figure label="RPO worst" ms={cell.rpo.worstMs} href={cell.rpo.worst && refHref(cell.rpo.worst)} objectiveMs={o.rpoMs} />}
      {stateful && cell.rpo.stopped && (
        <Text size="xs" c="orange">
          reports stopped
        </Text>
      )}
      <Text size="xs" c="dimmed" lh={1.35}>
        {cell.rto.count > 0 ? `${cell.rto.count} measured${cell.rto.open ? `, ${cell.rto.open} open` : ''}` : 'none measured'}
        {cell.rto.newestAt ? ` · ${age(new Date(cell.rto.newestAt).toISOString(), at)}` : ''}
      </Text>
    </Stack>
  );
}

const GROUPS: { label: string; kinds: RecoveryComponentKind[] }[] = [
  { label: 'API routing', kinds: ['service_routing'] },
  { label: 'Model serving', kinds: ['model_serving'] },
  { label: 'State: conversations, configuration and systems outside Standby', kinds: ['conversation_history', 'configuration', 'external'] },
];

/** Component × disruption: objective, predicted, worst and latest measured, evidence age and verdict; every figure links to where it came from. */
export function ComplianceGrid({ components, periodEnd, canWrite }: { components: ComponentRow[]; periodEnd: string; canWrite: boolean }) {
  const [filter, setFilter] = useState<'attention' | 'all'>('all');
  const [search, setSearch] = useState('');
  const at = Date.parse(periodEnd);
  const shown = useMemo(() => {
    const q = search.trim().toLowerCase();
    return components.filter(
      (c) => (!q || c.name.toLowerCase().includes(q) || c.services.some((s) => s.toLowerCase().includes(q))) && (filter === 'all' || Object.values(c.cells).some(needsAttention) || c.missing.length > 0),
    );
  }, [components, filter, search]);

  return (
    <Stack gap="sm">
      <Group gap="sm" wrap="wrap">
        <SegmentedControl
          size="xs"
          value={filter}
          onChange={(v) => setFilter(v as 'attention' | 'all')}
          data={[
            { value: 'all', label: `All components (${components.length})` },
            { value: 'attention', label: 'Needs attention' },
          ]}
        />
        <TextInput size="xs" placeholder="Filter by component or service" leftSection={<IconSearch size={14} />} value={search} onChange={(e) => setSearch(e.currentTarget.value)} aria-label="Filter components" w={260} />
      </Group>
      {shown.length === 0 ? (
        <EmptyState title={components.length === 0 ? 'No components yet' : 'Nothing matches'}>
          {components.length === 0 ? 'Every service and target gets a component with default objectives within a minute of being created.' : 'No component needs attention with this filter.'}
        </EmptyState>
      ) : (
        <Table.ScrollContainer minWidth={1100}>
          <Table verticalSpacing={6} horizontalSpacing="xs" withColumnBorders withTableBorder data-testid="compliance-grid" stickyHeader>
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={210}>Component</Table.Th>
                {DISRUPTIONS.map((d) => (
                  <Table.Th key={d}>
                    <Tooltip label={DISRUPTION_LABELS[d]}>
                      <Text size="xs" fw={700}>
                        {DISRUPTION_SHORT[d]}
                      </Text>
                    </Tooltip>
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            {GROUPS.map((group) => {
              const rows = shown.filter((c) => group.kinds.includes(c.kind));
              if (rows.length === 0) return null;
              return (
                <Table.Tbody key={group.label}>
                  <Table.Tr>
                    <Table.Td colSpan={DISRUPTIONS.length + 1} bg="var(--mantine-color-default-hover)">
                      <Text size="xs" fw={700} tt="uppercase" c="dimmed">
                        {group.label}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                  {rows.map((c) => (
                    <Table.Tr key={c.id} data-testid="compliance-row" data-component={c.name}>
                      <Table.Td valign="top">
                        <LinkAnchor href={componentHref(c.id)} size="sm" fw={600}>
                          {c.name}
                        </LinkAnchor>
                        <Text size="xs" c="dimmed">
                          {COMPONENT_KIND_LABELS[c.kind]}
                          {c.kind === 'model_serving' && c.services.length > 0 ? ` · ${c.services.join(', ')}` : ''}
                          {c.retired ? ' · retired' : ''}
                        </Text>
                        {c.missing.length > 0 && (
                          <Text size="xs" c="orange">
                            No objective for {c.missing.map((d) => DISRUPTION_SHORT[d].toLowerCase()).join(', ')}
                            {canWrite ? ': set one on its page.' : '.'}
                          </Text>
                        )}
                      </Table.Td>
                      {DISRUPTIONS.map((d) => (
                        <Table.Td key={d} valign="top">
                          {c.cells[d] ? (
                            <GridCell cell={c.cells[d]!} at={at} />
                          ) : (
                            <Text size="xs" c="dimmed">
                              —
                            </Text>
                          )}
                        </Table.Td>
                      ))}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              );
            })}
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
