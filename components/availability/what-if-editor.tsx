'use client';

import { useId, useMemo, useState } from 'react';
import { ActionIcon, Alert, Autocomplete, Button, Group, NumberInput, Paper, SimpleGrid, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { IconAlertTriangle, IconBook, IconPlus, IconRestore, IconTrash } from '@tabler/icons-react';
import { evaluateWhatIf, TEXTBOOK_ROWS, type WhatIfRowValues, type WhatIfValues } from '@/lib/availability/what-if';
import { AvailabilityFigures } from './availability-figures';
import { formatAvailability } from './format';

export type WhatIfRow = WhatIfRowValues & { key: string };
export type WhatIfStart = { rows: WhatIfRowValues[]; values: WhatIfValues };

let nextKey = 0;
const keyed = (rows: WhatIfRowValues[]): WhatIfRow[] => rows.map((row) => ({ ...row, key: `row-${(nextKey += 1)}` }));

/**
 * The availability maths on a chain the user edits: add, remove or change
 * targets and assumptions, and the figures follow at once. Runs in the
 * browser with the same functions as the panel; nothing is saved.
 */
export function WhatIfEditor({ start }: { start: WhatIfStart }) {
  const headingId = useId();
  const [rows, setRows] = useState(() => keyed(start.rows));
  const [values, setValues] = useState(start.values);
  const [loadedTextbook, setLoadedTextbook] = useState(false);

  const { rowErrors, valueErrors, result } = evaluateWhatIf(rows, values);
  const domains = useMemo(() => [...new Set(rows.map((r) => r.domain.trim()).filter(Boolean))], [rows]);

  const change = (key: string, patch: Partial<WhatIfRow>) => {
    setLoadedTextbook(false);
    setRows((current) => current.map((row) => (row.key === key ? { ...row, ...patch } : row)));
  };
  const setValue = (key: keyof WhatIfValues, value: number | string) => setValues((current) => ({ ...current, [key]: value }));
  const addRow = () => {
    setLoadedTextbook(false);
    setRows((current) => [...current, ...keyed([{ name: `target-${current.length + 1}`, domain: `domain-${current.length + 1}`, availabilityPercent: 99.5 }])]);
  };
  const loadTextbook = () => {
    setRows(keyed(TEXTBOOK_ROWS));
    setLoadedTextbook(true);
  };
  const reset = () => {
    setRows(keyed(start.rows));
    setValues(start.values);
    setLoadedTextbook(false);
  };

  return (
    <Paper withBorder radius="md" p="md" component="section" aria-labelledby={headingId} data-testid="what-if-editor">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" wrap="wrap">
          <div>
            <Title order={4} size="h5" id={headingId}>
              What if…
            </Title>
            <Text size="sm" c="dimmed">
              Add, remove or change targets and see the result at once. Computed in your browser; nothing is saved.
            </Text>
          </div>
          <Group gap="xs">
            <Button size="xs" variant="light" leftSection={<IconBook size={14} />} onClick={loadTextbook}>
              Load textbook case
            </Button>
            <Button size="xs" variant="default" leftSection={<IconRestore size={14} />} onClick={reset}>
              Reset to this service
            </Button>
          </Group>
        </Group>

        <Table.ScrollContainer minWidth={620}>
          <Table verticalSpacing={6} aria-label="What-if chain">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={40}>#</Table.Th>
                <Table.Th>Target</Table.Th>
                <Table.Th>Failure domain</Table.Th>
                <Table.Th w={190}>Availability</Table.Th>
                <Table.Th w={48}>
                  <VisuallyHidden>Remove</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.length === 0 ? (
                <Table.Tr>
                  <Table.Td colSpan={5}>
                    <Text size="sm" c="dimmed" ta="center" py="xs">
                      No targets: a chain without alternatives is never available. Add one, or load the textbook case.
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ) : (
                rows.map((row, index) => (
                  <Table.Tr key={row.key} data-testid="what-if-row">
                    <Table.Td>{index + 1}</Table.Td>
                    <Table.Td>
                      <TextInput size="xs" aria-label={`Target ${index + 1} name`} value={row.name} onChange={(e) => change(row.key, { name: e.currentTarget.value })} error={rowErrors[index].name} />
                    </Table.Td>
                    <Table.Td>
                      <Autocomplete
                        size="xs"
                        aria-label={`Target ${index + 1} failure domain`}
                        data={domains}
                        value={row.domain}
                        onChange={(domain) => change(row.key, { domain })}
                        error={rowErrors[index].domain}
                      />
                    </Table.Td>
                    <Table.Td>
                      <NumberInput
                        size="xs"
                        aria-label={`Target ${index + 1} availability (%)`}
                        value={row.availabilityPercent}
                        onChange={(availabilityPercent) => change(row.key, { availabilityPercent })}
                        error={rowErrors[index].availabilityPercent}
                        suffix="%"
                        decimalScale={7}
                        step={0.1}
                        hideControls
                      />
                    </Table.Td>
                    <Table.Td>
                      <ActionIcon
                        variant="subtle"
                        color="red"
                        aria-label={`Remove ${row.name || `target ${index + 1}`}`}
                        onClick={() => {
                          setLoadedTextbook(false);
                          setRows((current) => current.filter((r) => r.key !== row.key));
                        }}
                      >
                        <IconTrash size={16} />
                      </ActionIcon>
                    </Table.Td>
                  </Table.Tr>
                ))
              )}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <Group>
          <Button size="xs" variant="light" leftSection={<IconPlus size={14} />} onClick={addRow} disabled={rows.length >= 20}>
            Add target
          </Button>
          <Text size="xs" c="dimmed">
            Targets with the same failure domain share a fate: they count once, at the best of them.
          </Text>
        </Group>

        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <NumberInput
            size="xs"
            label="Standby itself (%)"
            description="Assumption: gateway and database, in series"
            value={values.standbyPercent}
            onChange={(value) => setValue('standbyPercent', value)}
            error={valueErrors.standbyPercent}
            suffix="%"
            decimalScale={7}
            hideControls
          />
          <NumberInput
            size="xs"
            label="Failures of the primary per year"
            description="Each costs detection and failover time"
            value={values.failuresPerYear}
            onChange={(value) => setValue('failuresPerYear', value)}
            error={valueErrors.failuresPerYear}
            decimalScale={2}
            min={0}
            hideControls
          />
          <NumberInput
            size="xs"
            label="Seconds lost per failure"
            description="Time to detect plus time to fail over"
            value={values.perFailureSeconds}
            onChange={(value) => setValue('perFailureSeconds', value)}
            error={valueErrors.perFailureSeconds}
            suffix=" s"
            decimalScale={3}
            min={0}
            hideControls
          />
        </SimpleGrid>

        {loadedTextbook && result && (
          <Text size="sm" data-testid="textbook-note">
            Textbook case: three independent providers at 99.5% each give a chain of{' '}
            <Text span fw={700} ff="monospace">
              {formatAvailability(result.chain.unavailability)}
            </Text>{' '}
            (1 − 0.005³). Standby in series and the time to detect and fail over bring the end-to-end figure down.
          </Text>
        )}
        {result ? (
          <AvailabilityFigures result={result} testIdPrefix="what-if" />
        ) : (
          <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />} role="status">
            Fix the highlighted values to see the result.
          </Alert>
        )}
      </Stack>
    </Paper>
  );
}
