'use client';

import { Fragment, useState } from 'react';
import { Badge, Button, Group, Stack, Table, Text } from '@mantine/core';
import { IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import { EmptyState } from '@/components/ui/empty-state';
import type { AuditRow } from '@/lib/audit/data';
import { fieldChanges, type Json } from '@/lib/audit/diff';

import type { Page } from '@/lib/server/pagination';
import { formatUtc } from '@/lib/shared/format';

function Value({ value }: { value: Json | undefined }) {
  if (value === undefined || value === null) return <Text span c="dimmed" size="sm">—</Text>;
  return (
    <Text span ff="monospace" size="sm" style={{ wordBreak: 'break-word' }}>
      {typeof value === 'string' ? value : JSON.stringify(value)}
    </Text>
  );
}

function Changes({ entry }: { entry: AuditRow }) {
  if (entry.before === null && entry.after === null) {
    return <Text size="sm" c="dimmed">No field values were recorded for this change.</Text>;
  }
  const both = entry.before !== null && entry.after !== null;
  const rows = fieldChanges(entry.before, entry.after);
  return (
    <Table withTableBorder withColumnBorders verticalSpacing={4} aria-label={`Changes in entry ${entry.id}`}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th w={180}>Field</Table.Th>
          {both ? (
            <>
              <Table.Th>Before</Table.Th>
              <Table.Th>After</Table.Th>
            </>
          ) : (
            <Table.Th>{entry.after !== null ? 'Value (created)' : 'Value (before deletion)'}</Table.Th>
          )}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((row) => {
          const highlight = both && row.changed;
          return (
            <Table.Tr key={row.field} bg={highlight ? 'var(--mantine-color-yellow-light)' : undefined} data-changed={highlight || undefined}>
              <Table.Td>
                <Group gap={6} wrap="nowrap">
                  <Text size="sm" fw={highlight ? 600 : 400}>{row.field}</Text>
                  {highlight && <Badge size="xs" color="yellow" variant="filled">changed</Badge>}
                </Group>
              </Table.Td>
              {both ? (
                <>
                  <Table.Td><Value value={row.before} /></Table.Td>
                  <Table.Td><Value value={row.after} /></Table.Td>
                </>
              ) : (
                <Table.Td><Value value={entry.after !== null ? row.after : row.before} /></Table.Td>
              )}
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}

// UTC, so the server render and the browser agree and the filters (also UTC) match what is shown.
const utc = (iso: string) => formatUtc(iso, 'second');

export function AuditTable({ page, filtered }: { page: Page<AuditRow>; filtered: boolean }) {
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  if (page.total === 0) {
    return filtered ? (
      <EmptyState title="No audit entries match these filters">Widen the time range or clear a filter.</EmptyState>
    ) : (
      <EmptyState title="No audit entries yet">Every change made in Standby will be recorded here.</EmptyState>
    );
  }
  const toggle = (id: string) =>
    setExpanded((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  return (
    <Table.ScrollContainer minWidth={900}>
      <Table verticalSpacing="xs" highlightOnHover aria-label="Audit log">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={40} aria-label="Details" />
            <Table.Th>Time</Table.Th>
            <Table.Th>Actor</Table.Th>
            <Table.Th>Action</Table.Th>
            <Table.Th>Entity</Table.Th>
            <Table.Th>Reason</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {page.rows.map((entry) => {
            const open = expanded.has(entry.id);
            return (
              <Fragment key={entry.id}>
                <Table.Tr>
                  <Table.Td>
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      onClick={() => toggle(entry.id)}
                      aria-expanded={open}
                      aria-controls={`audit-changes-${entry.id}`}
                      aria-label={`Details of ${entry.action} ${entry.entityName ?? entry.entityId ?? ''}`.trim()}
                    >
                      {open ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />}
                    </Button>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                      <time dateTime={entry.at}>{utc(entry.at)}</time>
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Stack gap={2}>
                      <Text size="sm">{entry.actorEmail}</Text>
                      <Text size="xs" c="dimmed">{entry.actorRole}</Text>
                    </Stack>
                  </Table.Td>
                  <Table.Td>
                    <Text ff="monospace" size="sm">{entry.action}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Stack gap={2}>
                      <Text size="xs" c="dimmed">{entry.entityType}</Text>
                      <Text size="sm">{entry.entityName ?? entry.entityId ?? '—'}</Text>
                    </Stack>
                  </Table.Td>
                  <Table.Td>{entry.reason ? <Text size="sm">{entry.reason}</Text> : <Text c="dimmed" size="sm">—</Text>}</Table.Td>
                </Table.Tr>
                {open && (
                  <Table.Tr id={`audit-changes-${entry.id}`}>
                    <Table.Td />
                    <Table.Td colSpan={5}>
                      <Changes entry={entry} />
                    </Table.Td>
                  </Table.Tr>
                )}
              </Fragment>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
