'use client';

import { Badge, Group, Paper, Stack, Table, Text } from '@mantine/core';
import type { ConfigChange, DiffSummary, DiffValue } from '@/lib/config/diff';

const KIND_COLORS: Record<ConfigChange['kind'], string> = { create: 'green', update: 'blue', delete: 'red', unmanaged: 'gray' };
const KIND_LABELS: Record<ConfigChange['kind'], string> = { create: 'create', update: 'update', delete: 'delete', unmanaged: 'left alone' };

const show = (value: DiffValue) => (value === null ? '—' : Array.isArray(value) ? (value.length ? value.join(', ') : '(none)') : String(value));

export function ConfigSummary({ summary }: { summary: DiffSummary }) {
  return (
    <Group gap="xs" data-testid="config-summary">
      {(['create', 'update', 'delete', 'unmanaged'] as const).map((kind) => (
        <Badge key={kind} color={KIND_COLORS[kind]} variant={summary[kind] ? 'light' : 'outline'}>
          {summary[kind]} {KIND_LABELS[kind]}
        </Badge>
      ))}
    </Group>
  );
}

/** What an apply would change, entity by entity, with each field's old and new value. */
export function ConfigDiff({ diff }: { diff: ConfigChange[] }) {
  return (
    <Stack gap="sm" data-testid="config-diff">
      {diff.map((change) => (
        <Paper key={`${change.entity}:${change.name}`} withBorder p="sm" radius="md">
          <Group gap="xs" mb={change.changes.length ? 'xs' : 0}>
            <Badge color={KIND_COLORS[change.kind]} variant="light">
              {KIND_LABELS[change.kind]}
            </Badge>
            <Text size="sm" c="dimmed">
              {change.entity}
            </Text>
            <Text size="sm" ff="monospace" fw={600}>
              {change.name}
            </Text>
            {change.kind === 'unmanaged' && (
              <Text size="xs" c="dimmed">
                not in the file; kept as it is (tick Prune to delete it)
              </Text>
            )}
          </Group>
          {change.changes.length > 0 && (
            <Table.ScrollContainer minWidth={560}>
              <Table verticalSpacing={2} fz="sm" aria-label={`Changes to ${change.entity} ${change.name}`}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w="35%">Field</Table.Th>
                    {change.kind !== 'create' && <Table.Th>Now</Table.Th>}
                    <Table.Th>{change.kind === 'create' ? 'Value' : 'After apply'}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {change.changes.map((field) => (
                    <Table.Tr key={field.field}>
                      <Table.Td ff="monospace">{field.field}</Table.Td>
                      {change.kind !== 'create' && (
                        <Table.Td ff="monospace" c="dimmed" style={{ wordBreak: 'break-word' }}>
                          {show(field.from)}
                        </Table.Td>
                      )}
                      <Table.Td ff="monospace" style={{ wordBreak: 'break-word' }}>
                        {show(field.to)}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Paper>
      ))}
    </Stack>
  );
}
