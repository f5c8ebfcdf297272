'use client';

import { useState } from 'react';
import { Alert, Badge, Button, Divider, Drawer, Group, List, NumberInput, Select, SimpleGrid, Stack, Switch, Text, Textarea } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { IconAdjustments } from '@tabler/icons-react';
import { useActionForm } from '@/components/ui/use-action-form';
import { TierForecastLine } from '@/components/degradation/tier-forecast';
import { setFaultsAction } from '@/lib/simulator/actions';
import { simulatorQueries } from '@/lib/simulator/queries';
import type { FaultImpact } from '@/lib/simulator/impact';
import { describeFaults, FAULT_ERROR_STATUS_LABELS, FAULT_ERROR_STATUSES, FAULT_PRESETS, faultsSchema, MAX_CONTEXT_WINDOW, MAX_FAULT_CHUNKS, MAX_FAULT_DELAY_MS, MAX_RETRY_AFTER_SECONDS, NO_FAULTS, type Faults } from '@/lib/simulator/faults';
import { faultsOf, formValuesOf, type FaultFormValues } from './fault-values';
import { setFaultsInput } from '@/lib/simulator/schemas';

type Props = { name: string; version: number; faults: Faults };

const statusOptions = FAULT_ERROR_STATUSES.map((status) => ({ value: String(status), label: FAULT_ERROR_STATUS_LABELS[status] }));

/** The services a profile would hit and the tier that would follow for each, asked again once the form has been still for a quarter of a second. */
function useFaultImpact(name: string | null, faults: Faults | null): { data: FaultImpact | null; error: string | null } {
  const [settled] = useDebouncedValue(name && faults ? { name, faults } : null, 250);
  const query = useQuery({ ...simulatorQueries.impact(settled?.name ?? '', settled?.faults ?? NO_FAULTS), enabled: settled !== null && name !== null });
  if (!name || !faults) return { data: null, error: null };
  return { data: query.data ?? null, error: query.error?.message ?? null };
}

function FaultImpactPreview({ impact }: { impact: { data: FaultImpact | null; error: string | null } }) {
  if (impact.error) return <Alert variant="light" color="red" title="The effect on services could not be worked out">{impact.error}</Alert>;
  if (!impact.data) return null;
  const { targets, services, opensBreakers } = impact.data;
  return (
    <Alert variant="light" color={services.every((s) => s.forecast.harmless) ? 'blue' : 'orange'} title="Effect on services" data-testid="fault-impact">
      <Stack gap="xs">
        <Text size="sm">
          {targets.length === 0
            ? 'No target uses this upstream: no service is affected.'
            : `Feeds ${targets.join(', ')}. ${opensBreakers ? 'These faults are an outage for them: their breakers open and traffic moves along each chain.' : 'Their breakers should stay closed: failures are retried or failed over request by request.'}`}
        </Text>
        {services.map((s) => (
          <div key={s.name}>
            <Text size="sm" fw={600} ff="monospace">
              {s.name}
            </Text>
            <TierForecastLine forecast={s.forecast} />
          </div>
        ))}
      </Stack>
    </Alert>
  );
}

/** The drawer where an operator sets every fault of one simulated upstream, or picks a preset, and saves with a reason. */
export function FaultsForm({ name, version, faults }: Props) {
  const [opened, setOpened] = useState(false);
  const [values, setValues] = useState(() => formValuesOf(faults));
  // The version the edit started from: a save over someone else's newer change is refused, not silently applied.
  const [baseVersion, setBaseVersion] = useState(version);
  const [reason, setReason] = useState('');
  const form = useActionForm({ schema: setFaultsInput, success: `Faults of ${name} saved. Every replica applies them within a second.`, onSuccess: () => setOpened(false) });
  const set = <K extends keyof FaultFormValues>(key: K, value: FaultFormValues[K]) => setValues((current) => ({ ...current, [key]: value }));
  const errorOf = (field: keyof Faults) => form.errorOf(`faults.${field}`);

  const open = () => {
    form.reset();
    setValues(formValuesOf(faults));
    setBaseVersion(version);
    setReason('');
    setOpened(true);
  };

  const preview = faultsSchema.safeParse(faultsOf(values));
  const impact = useFaultImpact(opened && preview.success ? name : null, preview.success ? preview.data : null);
  const activePreset = preview.success ? FAULT_PRESETS.find((preset) => JSON.stringify(preset.faults) === JSON.stringify(preview.data)) : undefined;

  function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    form.submit({ name, version: baseVersion, faults: faultsOf(values), reason }, setFaultsAction);
  }

  const number = (key: keyof FaultFormValues, field: keyof Faults) => ({
    value: values[key] as number | string,
    onChange: (value: number | string) => set(key, value as never),
    error: errorOf(field),
    allowNegative: false,
    thousandSeparator: ',',
  });

  return (
    <>
      <Button size="xs" variant="light" leftSection={<IconAdjustments size={14} />} onClick={open} aria-label={`Edit faults of ${name}`}>
        Edit faults
      </Button>
      <Drawer opened={opened} onClose={() => setOpened(false)} title={`Faults of ${name} (simulated)`} position="right" size="lg">
        <form onSubmit={onSubmit} noValidate>
          <Stack>
            <div>
              <Text size="sm" fw={500} mb={6}>
                Presets
              </Text>
              <Group gap={6}>
                {FAULT_PRESETS.map((preset) => (
                  <Button
                    key={preset.id}
                    size="compact-sm"
                    variant={activePreset?.id === preset.id ? 'filled' : 'default'}
                    title={preset.description}
                    onClick={() => {
                      form.reset();
                      setValues(formValuesOf(preset.faults));
                    }}
                  >
                    {preset.label}
                  </Button>
                ))}
              </Group>
              <Text size="xs" c="dimmed" mt={6}>
                A preset fills the form; nothing changes until you save.
              </Text>
            </div>

            <Divider label="Refused requests" labelPosition="left" />
            <Text size="xs" c="dimmed">
              Shares are of all requests to this upstream; together they cannot pass 100%.
            </Text>
            {form.errorOf('faults') && (
              <Text size="sm" c="red" role="alert">
                {form.errorOf('faults')}
              </Text>
            )}
            <SimpleGrid cols={2}>
              <NumberInput label="5xx share" suffix="%" min={0} max={100} decimalScale={1} {...number('errorPercent', 'errorRate')} />
              <Select label="5xx status" data={statusOptions} value={values.errorStatus} onChange={(value) => value && set('errorStatus', value)} allowDeselect={false} error={errorOf('errorStatus')} />
            </SimpleGrid>
            <SimpleGrid cols={2}>
              <NumberInput label="429 share" suffix="%" min={0} max={100} decimalScale={1} {...number('rateLimitPercent', 'rateLimitRate')} />
              <Stack gap={6}>
                <Switch label="Send Retry-After" checked={values.sendRetryAfter} onChange={(event) => set('sendRetryAfter', event.currentTarget.checked)} mt={4} />
                <NumberInput
                  aria-label="Retry-After"
                  suffix=" s"
                  min={0}
                  max={MAX_RETRY_AFTER_SECONDS}
                  allowDecimal={false}
                  disabled={!values.sendRetryAfter}
                  description={values.sendRetryAfter ? `0 to ${MAX_RETRY_AFTER_SECONDS} seconds` : 'Off: a 429 with no hint of when to retry'}
                  {...number('retryAfterSeconds', 'retryAfterSeconds')}
                />
              </Stack>
            </SimpleGrid>
            <SimpleGrid cols={2}>
              <NumberInput label="Content policy refusals" suffix="%" min={0} max={100} decimalScale={1} {...number('contentPolicyPercent', 'contentPolicyRate')} />
              <Stack gap={6}>
                <Switch label="Limit the context window" checked={values.limitContext} onChange={(event) => set('limitContext', event.currentTarget.checked)} mt={4} />
                <NumberInput
                  aria-label="Context window"
                  suffix=" tokens"
                  min={1}
                  max={MAX_CONTEXT_WINDOW}
                  allowDecimal={false}
                  disabled={!values.limitContext}
                  description="Longer prompts (about 4 characters a token) get the context-length error"
                  {...number('contextWindow', 'contextWindow')}
                />
              </Stack>
            </SimpleGrid>

            <Divider label="Latency" labelPosition="left" />
            <SimpleGrid cols={2}>
              <NumberInput label="Added latency" description="Before any response" suffix=" ms" min={0} max={MAX_FAULT_DELAY_MS} allowDecimal={false} step={100} {...number('addedLatencyMs', 'addedLatencyMs')} />
              <NumberInput label="First token delay" description="Streams: after the headers" suffix=" ms" min={0} max={MAX_FAULT_DELAY_MS} allowDecimal={false} step={500} {...number('firstTokenDelayMs', 'firstTokenDelayMs')} />
            </SimpleGrid>

            <Divider label="Streams" labelPosition="left" />
            <SimpleGrid cols={2}>
              <Stack gap={6}>
                <Switch label="Cut the connection" checked={values.cutStreams} onChange={(event) => set('cutStreams', event.currentTarget.checked)} />
                <NumberInput aria-label="Cut after" description="After this many chunks of text" suffix=" chunks" min={0} max={MAX_FAULT_CHUNKS} allowDecimal={false} disabled={!values.cutStreams} {...number('cutAfterChunks', 'streamCutAfterChunks')} />
              </Stack>
              <Stack gap={6}>
                <Switch label="Stall (stay open, send nothing)" checked={values.stallStreams} onChange={(event) => set('stallStreams', event.currentTarget.checked)} />
                <NumberInput aria-label="Stall after" description="After this many chunks of text" suffix=" chunks" min={0} max={MAX_FAULT_CHUNKS} allowDecimal={false} disabled={!values.stallStreams} {...number('stallAfterChunks', 'streamStallAfterChunks')} />
              </Stack>
            </SimpleGrid>
            <SimpleGrid cols={2}>
              <NumberInput label="Malformed chunks" description="Replaced by invalid JSON" suffix="%" min={0} max={100} decimalScale={1} {...number('malformedPercent', 'malformedChunkRate')} />
              <Switch
                label="End streams without [DONE]"
                description="No [DONE] or message_stop after the usage"
                checked={values.omitDone}
                onChange={(event) => set('omitDone', event.currentTarget.checked)}
                mt={24}
              />
            </SimpleGrid>

            <Divider label="Black hole" labelPosition="left" />
            <Switch
              label="No response"
              description="Accept every request and never answer, not even with an error. Overrides everything above."
              color="red"
              checked={values.noResponse}
              onChange={(event) => set('noResponse', event.currentTarget.checked)}
            />

            {preview.success ? (
              <Alert variant="light" color={describeFaults(preview.data).length === 0 ? 'green' : 'orange'} title="After saving">
                {describeFaults(preview.data).length === 0 ? (
                  <Text size="sm">Healthy: every request is answered at once.</Text>
                ) : (
                  <List size="sm" spacing={2}>
                    {describeFaults(preview.data).map((line) => (
                      <List.Item key={line}>{line}</List.Item>
                    ))}
                  </List>
                )}
              </Alert>
            ) : (
              <Alert variant="light" color="red" title="Fix before saving">
                <List size="sm" spacing={2}>
                  {[...new Set(preview.error.issues.map((issue) => issue.message))].map((message) => (
                    <List.Item key={message}>{message}</List.Item>
                  ))}
                </List>
              </Alert>
            )}

            <FaultImpactPreview impact={impact} />

            <Textarea label="Reason (kept in the audit log)" value={reason} onChange={(event) => setReason(event.currentTarget.value)} error={form.errorOf('reason')} maxLength={500} autosize minRows={2} />
            {form.formError && (
              <Alert color="red" variant="light" role="alert">
                {form.formError}
              </Alert>
            )}
            <Group justify="space-between">
              {activePreset ? <Badge variant="light">Preset: {activePreset.label}</Badge> : <span />}
              <Button type="submit" loading={form.pending}>
                Save faults
              </Button>
            </Group>
          </Stack>
        </form>
      </Drawer>
    </>
  );
}
