'use client';

import { useState } from 'react';
import {
  Accordion, ActionIcon, Alert, Badge, Button, Center, Drawer, Group, MultiSelect, NumberInput, Select, SimpleGrid, Stack, Text, Textarea,
} from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconPencil, IconTrash } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useActionForm } from '@/components/ui/use-action-form';
import { saveChainAction } from '@/lib/failover/actions';
import type { ChainEntryView, ChainTargetOption, ServiceRouting } from '@/lib/failover/data';
import { describeChainOrder } from '@/lib/failover/impact';
import { failoverQueries } from '@/lib/failover/queries';
import { DEFAULT_CHAIN_ENTRY, MAX_CHAIN_LENGTH } from '@/lib/failover/schemas';
import { describeErrorClass, ERROR_CLASSES } from '@/lib/routing/error-classes';
import { chainInput } from '@/lib/failover/schemas';

type Props = { service: { id: string; name: string; version: number }; chain: ChainEntryView[]; options: ChainTargetOption[] };

const NUMBER_FIELDS = [
  'maxRetries', 'baseBackoffMs', 'maxBackoffMs', 'connectTimeoutMs', 'headerTimeoutMs', 'firstTokenTimeoutMs', 'streamIdleTimeoutMs', 'totalTimeoutMs',
  'adaptiveLimitFloorMs',
] as const;
type NumberField = (typeof NUMBER_FIELDS)[number] | 'latencyLimitMs' | 'adaptiveLimitMultiplier';

// Controlled, so numbers reach the server as numbers; an emptied input is '' until saved.
type EntryValues = { targetId: string; failoverOn: string[] } & Record<NumberField, number | string>;

const errorClassOptions = ERROR_CLASSES.map((value) => ({ value, label: describeErrorClass(value) }));

function valuesOf(chain: ChainEntryView[]): EntryValues[] {
  return chain.map((entry) => ({
    targetId: entry.targetId, failoverOn: [...entry.failoverOn], latencyLimitMs: entry.latencyLimitMs ?? '', adaptiveLimitMultiplier: entry.adaptiveLimitMultiplier ?? '',
    ...Object.fromEntries(NUMBER_FIELDS.map((field) => [field, entry[field]])),
  })) as EntryValues[];
}

function newEntry(targetId: string): EntryValues {
  return { ...DEFAULT_CHAIN_ENTRY, targetId, failoverOn: [...DEFAULT_CHAIN_ENTRY.failoverOn], latencyLimitMs: '', adaptiveLimitMultiplier: '' };
}

/** An emptied number is left out, so the server says the field is missing instead of reading 0. */
const numberOrMissing = (value: number | string) => (value === '' ? undefined : value);

const MS_FIELDS: { field: NumberField; label: string; description?: string }[] = [
  { field: 'connectTimeoutMs', label: 'Connect timeout' },
  { field: 'headerTimeoutMs', label: 'Header timeout', description: 'Until response headers' },
  { field: 'firstTokenTimeoutMs', label: 'First-token timeout', description: 'Until the first streamed token' },
  { field: 'streamIdleTimeoutMs', label: 'Stream idle timeout', description: 'Longest pause mid-stream' },
  { field: 'totalTimeoutMs', label: 'Total timeout', description: 'The whole request, all attempts' },
];

/** The drawer that edits a service's failover chain: targets in order, each with its triggers, retries and timeouts. */
export function ChainEditor({ service, chain, options }: Props) {
  const [opened, setOpened] = useState(false);
  const [entries, setEntries] = useState<EntryValues[]>(() => valuesOf(chain));
  const [expanded, setExpanded] = useState<string[]>([]);
  const [reason, setReason] = useState('');
  const queryClient = useQueryClient();
  const form = useActionForm<{ routing: ServiceRouting | null }>({ schema: chainInput,
    success: `Failover chain of ${service.name} saved.`,
    onSuccess: (data) => {
      setOpened(false);
      // The chain and routing cards show the saved chain at once.
      if (data.routing) queryClient.setQueryData(failoverQueries.routing(service.name).queryKey, data.routing);
    },
  });

  const byId = new Map(options.map((o) => [o.id, o]));
  const savedById = new Map(chain.map((e) => [e.targetId, e]));
  const nameOf = (id: string) => byId.get(id)?.name ?? 'unknown target';

  const open = () => {
    form.reset();
    setEntries(valuesOf(chain));
    setExpanded([]);
    setReason('');
    setOpened(true);
  };

  const update = (index: number, changes: Partial<EntryValues>) => setEntries((current) => current.map((e, i) => (i === index ? { ...e, ...changes } : e)));
  const move = (index: number, by: -1 | 1) =>
    setEntries((current) => {
      const next = [...current];
      [next[index], next[index + by]] = [next[index + by], next[index]];
      return next;
    });
  const remove = (index: number) => setEntries((current) => current.filter((_, i) => i !== index));
  const add = (targetId: string | null) => {
    if (!targetId) return;
    setEntries((current) => [...current, newEntry(targetId)]);
    setExpanded((current) => [...current, targetId]);
  };

  function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = {
      serviceId: service.id,
      version: service.version,
      reason,
      entries: entries.map((e) => ({
        targetId: e.targetId,
        failoverOn: e.failoverOn,
        latencyLimitMs: e.latencyLimitMs === '' ? null : e.latencyLimitMs,
        adaptiveLimitMultiplier: e.adaptiveLimitMultiplier === '' ? null : e.adaptiveLimitMultiplier,
        ...Object.fromEntries(NUMBER_FIELDS.map((field) => [field, numberOrMissing(e[field])])),
      })),
    };
    form.submit(input, saveChainAction);
  }

  const errorOf = (index: number, field: string) => form.errorOf(`entries.${index}.${field}`);
  // Entries with a problem open themselves, so no error hides in a closed panel.
  const withErrors = entries.filter((_, i) => Object.keys(form.fieldErrors).some((key) => key.startsWith(`entries.${i}.`))).map((e) => e.targetId);
  const openItems = [...new Set([...expanded, ...withErrors])];
  const inChain = new Set(entries.map((e) => e.targetId));
  const addable = options
    .filter((o) => !inChain.has(o.id))
    .map((o) => ({ value: o.id, label: `${o.name} (${o.providerName}, ${o.regionCode}, ${o.model})${o.enabled ? '' : ' (disabled)'}` }));
  const usable = entries.filter((e) => byId.get(e.targetId)?.enabled);
  const disabled = entries.filter((e) => !byId.get(e.targetId)?.enabled).map((e) => nameOf(e.targetId));

  return (
    <>
      <Button size="xs" variant="default" leftSection={<IconPencil size={16} />} onClick={open}>
        Edit chain
      </Button>
      <Drawer opened={opened} onClose={() => setOpened(false)} title={`Failover chain of ${service.name}`} position="right" size="xl">
        <form onSubmit={onSubmit} noValidate>
          <Stack>
            {form.formError && (
              <Alert color="red" variant="light" role="alert">
                {form.formError}
                {form.errorOf('entries') && <Text size="sm">{form.errorOf('entries')}</Text>}
              </Alert>
            )}
            <Text size="sm" c="dimmed">
              Requests go to the first target; an error of a class it fails over on, after its retries, moves them to the next.
            </Text>
            {entries.length === 0 && <Text size="sm">No targets yet. Add the target that should serve first.</Text>}
            <Accordion multiple variant="separated" value={openItems} onChange={setExpanded} chevronPosition="left">
              {entries.map((entry, index) => {
                const option = byId.get(entry.targetId);
                const name = nameOf(entry.targetId);
                const number = (field: NumberField, label: string, description?: string) => (
                  <NumberInput
                    label={label}
                    description={description}
                    value={entry[field]}
                    onChange={(value) => update(index, { [field]: value })}
                    error={errorOf(index, field)}
                    suffix={field === 'maxRetries' ? undefined : ' ms'}
                    thousandSeparator=","
                    allowDecimal={false}
                    allowNegative={false}
                    placeholder={field === 'latencyLimitMs' ? 'No limit' : undefined}
                  />
                );
                return (
                  <Accordion.Item key={entry.targetId} value={entry.targetId} aria-label={`Chain entry ${index + 1}: ${name}`}>
                    <Center>
                      <Accordion.Control>
                        <Group gap="xs" wrap="nowrap">
                          <Text fw={600} size="sm">{index + 1}.</Text>
                          <Text ff="monospace" size="sm">{name}</Text>
                          {option && !option.enabled && <Badge size="sm" color="gray" variant="light" tt="none">disabled</Badge>}
                          {withErrors.includes(entry.targetId) && <Badge size="sm" color="red" variant="light" tt="none">needs attention</Badge>}
                        </Group>
                        {option && <Text size="xs" c="dimmed">{option.providerName} · {option.regionCode} · {option.model} · {option.rpm.toLocaleString('en-US')} RPM</Text>}
                      </Accordion.Control>
                      <Group gap={2} wrap="nowrap" pr="xs">
                        <ActionIcon variant="subtle" color="gray" aria-label={`Move ${name} up`} disabled={index === 0} onClick={() => move(index, -1)}>
                          <IconArrowUp size={16} />
                        </ActionIcon>
                        <ActionIcon variant="subtle" color="gray" aria-label={`Move ${name} down`} disabled={index === entries.length - 1} onClick={() => move(index, 1)}>
                          <IconArrowDown size={16} />
                        </ActionIcon>
                        <ActionIcon variant="subtle" color="red" aria-label={`Remove ${name}`} onClick={() => remove(index)}>
                          <IconTrash size={16} />
                        </ActionIcon>
                      </Group>
                    </Center>
                    <Accordion.Panel>
                      <Stack gap="sm">
                        {errorOf(index, 'targetId') && <Text size="sm" c="red">{errorOf(index, 'targetId')}</Text>}
                        <MultiSelect
                          label="Fail over on"
                          description="Error classes that move traffic on to the next target"
                          data={errorClassOptions}
                          value={entry.failoverOn}
                          onChange={(value) => update(index, { failoverOn: value })}
                          error={errorOf(index, 'failoverOn') ?? Object.entries(form.fieldErrors).find(([key]) => key.startsWith(`entries.${index}.failoverOn.`))?.[1].join(' ')}
                          clearable
                          searchable
                        />
                        {number('latencyLimitMs', 'Latency limit', 'A complete answer slower than this counts as a failure; empty for no limit')}
                        <SimpleGrid cols={3}>
                          {number('maxRetries', 'Retries')}
                          {number('baseBackoffMs', 'Base backoff')}
                          {number('maxBackoffMs', 'Max backoff')}
                        </SimpleGrid>
                        <SimpleGrid cols={{ base: 1, sm: 2 }}>
                          {MS_FIELDS.map(({ field, label, description }) => (
                            <div key={field}>{number(field, label, description)}</div>
                          ))}
                        </SimpleGrid>
                        <SimpleGrid cols={{ base: 1, sm: 2 }}>
                          <NumberInput
                            label="Follow measured latency"
                            description="First-token and header limits at this multiple of the target's recent p99, never above the timeouts above; empty for fixed limits"
                            value={entry.adaptiveLimitMultiplier}
                            onChange={(value) => update(index, { adaptiveLimitMultiplier: value })}
                            error={errorOf(index, 'adaptiveLimitMultiplier')}
                            suffix=" × p99"
                            decimalScale={1}
                            allowNegative={false}
                            placeholder="Fixed limits"
                          />
                          {number('adaptiveLimitFloorMs', 'Measured limit floor', 'The measured limit never goes below this')}
                        </SimpleGrid>
                        {savedById.get(entry.targetId) && (
                          <Text size="xs" c="dimmed" data-testid="limits-in-force">
                            In force now: {savedById.get(entry.targetId)!.limitsInForce.firstToken}. {savedById.get(entry.targetId)!.limitsInForce.header}.
                          </Text>
                        )}
                      </Stack>
                    </Accordion.Panel>
                  </Accordion.Item>
                );
              })}
            </Accordion>
            <Select
              label="Add a target"
              placeholder={entries.length >= MAX_CHAIN_LENGTH ? `A chain has at most ${MAX_CHAIN_LENGTH} targets` : 'Choose a target to add at the end'}
              data={addable}
              value={null}
              onChange={add}
              disabled={entries.length >= MAX_CHAIN_LENGTH || addable.length === 0}
              searchable
              nothingFoundMessage="No target matches"
            />
            <Alert variant="light" color={usable.length ? 'blue' : 'red'} title="Impact" data-testid="chain-preview">
              <Text size="sm">{describeChainOrder(usable.map((e) => nameOf(e.targetId)))}</Text>
              {disabled.length > 0 && <Text size="sm">{disabled.join(', ')} {disabled.length === 1 ? 'is' : 'are'} disabled and skipped until enabled.</Text>}
            </Alert>
            <Textarea label="Reason (kept in the audit log)" value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={form.errorOf('reason')} autosize minRows={2} maxLength={500} />
            <Button type="submit" loading={form.pending}>
              Save chain
            </Button>
          </Stack>
        </form>
      </Drawer>
    </>
  );
}
