'use client';

import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { Group, MultiSelect, NumberInput, SegmentedControl, Select, Text, TextInput, Textarea } from '@mantine/core';
import { FormDrawer } from '@/components/ui/form-drawer';
import { useActionForm } from '@/components/ui/use-action-form';
import { savePlanAction } from '@/lib/drills/actions';
import type { PlanChoices, PlanDetail } from '@/lib/drills/data';
import { FAULT_KIND_LABELS, planInput } from '@/lib/drills/schemas';
import { DISRUPTION_LABELS } from '@/lib/recovery/model';
import { DRILL_FAULT_KINDS, TIERS } from '@/lib/routing/enums';

const num = (v: string | number) => (v === '' ? null : Number(v));
/** The field shows and takes UTC, as every time on the pages reads. */
const utcInput = (d: Date | null) => (d ? d.toISOString().slice(0, 16) : '');

/** The drill plan editor: a new plan, or an edit of `plan` (its version must still be current when saved). */
export function PlanForm({ choices, plan }: { choices: PlanChoices; plan?: PlanDetail }) {
  const router = useRouter();
  const [opened, setOpened] = useState(false);
  const fault0 = plan?.faults[0];
  const initial = () => ({
    serviceId: plan?.serviceId ?? choices.services[0]?.id ?? null,
    disruption: plan?.disruption ?? 'provider_outage',
    scopeKind: plan?.scope.kind ?? 'targets',
    scopeIds: plan?.scope.ids ?? [],
    trafficMode: plan?.trafficMode ?? 'synthetic',
    faultKind: fault0?.kind ?? 'error_status',
    tierFloor: plan?.haltConditions.tierFloor ?? null,
    runbookId: plan?.runbookId ?? null,
    drillWebhookId: plan?.drillWebhookId ?? null,
  });
  const [v, setV] = useState(initial);
  const set = (patch: Partial<ReturnType<typeof initial>>) => setV((s) => ({ ...s, ...patch }) as ReturnType<typeof initial>);
  const form = useActionForm<{ id: string; name: string }>({
    schema: planInput,
    success: (p) => `Drill ${p.name} saved.`,
    onSuccess: (p) => {
      setOpened(false);
      if (!plan) router.push(`/drills/${p.id}`);
    },
  });
  const scopeData = v.scopeKind === 'targets' ? choices.targets : v.scopeKind === 'provider' ? choices.providers : choices.regions;
  const k = v.faultKind;
  return (
    <FormDrawer
      noun="drill"
      editing={plan?.name}
      form={form}
      opened={opened}
      setOpened={setOpened}
      onOpen={() => setV(initial())}
      onSubmit={(event) => {
        event.preventDefault();
        const d = new FormData(event.currentTarget);
        const s = (name: string) => String(d.get(name) ?? '');
        form.submit(
          {
            planId: plan?.id ?? '', expectedVersion: plan?.version ?? 0, name: s('name'), description: s('description'), serviceId: v.serviceId, disruption: v.disruption,
            scopeKind: v.scopeKind, scopeIds: v.scopeIds, trafficMode: v.trafficMode, sharePercent: num(s('sharePercent')) ?? 100, syntheticRps: num(s('syntheticRps')) ?? 2,
            faults: [{ kind: v.faultKind, status: num(s('status')), retryAfterSeconds: num(s('retryAfterSeconds')), delayMs: num(s('delayMs')), afterChunks: num(s('afterChunks')) }],
            maxErrorRatePercent: num(s('maxErrorRatePercent')), maxP95TtftMs: num(s('maxP95TtftMs')), maxBurnRate: num(s('maxBurnRate')), tierFloor: v.tierFloor,
            durationSeconds: num(s('durationSeconds')), recurrenceDays: num(s('recurrenceDays')), cadenceDays: num(s('cadenceDays')) ?? 90,
            runbookId: v.runbookId ?? '', drillWebhookId: v.drillWebhookId ?? '',
            nextRunAt: s('nextRunAt') ? new Date(s('nextRunAt')).toISOString() : '', reason: s('reason'),
          },
          savePlanAction,
        );
      }}
    >
      <TextInput name="name" label="Name" defaultValue={plan?.name} placeholder="support-bot: OpenAI outage" error={form.errorOf('name')} required data-autofocus autoComplete="off" />
      <Textarea name="description" label="What it rehearses" defaultValue={plan?.description} autosize minRows={2} error={form.errorOf('description')} />
      <Select label="Service" description="Whose routing the drill exercises; synthetic requests go to it" data={choices.services.map((s) => ({ value: s.id, label: s.name }))} value={v.serviceId} onChange={(x) => set({ serviceId: x ?? undefined })} error={form.errorOf('serviceId')} allowDeselect={false} />
      <Select label="Failure mode" data={Object.entries(DISRUPTION_LABELS).map(([value, label]) => ({ value, label }))} value={v.disruption} onChange={(x) => set({ disruption: (x ?? 'provider_outage') as typeof v.disruption })} allowDeselect={false} error={form.errorOf('disruption')} />
      <div>
        <Text size="sm" fw={500}>Faults hit</Text>
        <SegmentedControl fullWidth data={[{ value: 'targets', label: 'Targets' }, { value: 'provider', label: 'A provider' }, { value: 'region', label: 'A region' }]} value={v.scopeKind} onChange={(x) => set({ scopeKind: x as 'targets', scopeIds: [] })} />
      </div>
      <MultiSelect label={v.scopeKind === 'targets' ? 'Faulted targets' : v.scopeKind === 'provider' ? 'Faulted provider (all its targets)' : 'Faulted region (all its targets)'} placeholder="Choose…" data={scopeData.map((t) => ({ value: t.id, label: t.name }))} value={v.scopeIds} onChange={(x) => set({ scopeIds: x })} error={form.errorOf('scopeIds')} searchable />
      <Select label="Fault" data={DRILL_FAULT_KINDS.map((value) => ({ value, label: FAULT_KIND_LABELS[value] }))} value={v.faultKind} onChange={(x) => set({ faultKind: (x ?? 'error_status') as typeof v.faultKind })} allowDeselect={false} error={form.errorOf('faults')} />
      <Group grow>
        {k === 'error_status' && <NumberInput name="status" label="Status" defaultValue={fault0?.status ?? 503} min={500} max={599} error={form.errorOf('faults.0.status')} />}
        {k === 'rate_limited' && <NumberInput name="retryAfterSeconds" label="Retry-After (s)" description="Empty: none" defaultValue={fault0?.retryAfterSeconds ?? ''} min={0} max={600} error={form.errorOf('faults.0.retryAfterSeconds')} />}
        {(k === 'added_latency' || k === 'slow_first_token') && <NumberInput name="delayMs" label="Delay (ms)" defaultValue={fault0?.delayMs ?? 3000} min={1} max={120000} error={form.errorOf('faults.0.delayMs')} />}
        {(k === 'stream_cut' || k === 'stream_stall') && <NumberInput name="afterChunks" label="After (chunks)" defaultValue={fault0?.afterChunks ?? 2} min={0} max={1000} error={form.errorOf('faults.0.afterChunks')} />}
      </Group>
      <div>
        <Text size="sm" fw={500}>Whose traffic</Text>
        <SegmentedControl fullWidth data={[{ value: 'synthetic', label: 'Synthetic requests only' }, { value: 'share', label: 'A share of real traffic' }]} value={v.trafficMode} onChange={(x) => set({ trafficMode: x as 'synthetic' })} />
      </div>
      {v.trafficMode === 'share' ? (
        <NumberInput name="sharePercent" label="Share of traffic (%)" defaultValue={plan ? plan.trafficShare * 100 : 10} min={1} max={100} error={form.errorOf('sharePercent')} />
      ) : (
        <NumberInput name="syntheticRps" label="Synthetic requests per second" defaultValue={plan?.syntheticRps ?? 2} min={0.2} max={50} step={0.5} decimalScale={1} error={form.errorOf('syntheticRps')} />
      )}
      <NumberInput name="durationSeconds" label="Faults last (s)" description="The lease: every replica ends the faults then, whatever happens" defaultValue={plan ? plan.durationMs / 1000 : 60} min={10} max={3600} error={form.errorOf('durationSeconds')} required />
      <Text size="sm" fw={500}>Halt when (checked twice a second over the last 30 s)</Text>
      <Group grow>
        <NumberInput name="maxErrorRatePercent" label="Error rate above (%)" defaultValue={plan?.haltConditions.maxErrorRate != null ? plan.haltConditions.maxErrorRate * 100 : 5} min={0} max={100} error={form.errorOf('maxErrorRatePercent')} />
        <NumberInput name="maxP95TtftMs" label="p95 TTFT above (ms)" defaultValue={plan?.haltConditions.maxP95TtftMs ?? ''} min={1} error={form.errorOf('maxP95TtftMs')} />
      </Group>
      <Group grow>
        <NumberInput name="maxBurnRate" label="Budget burn above (x)" defaultValue={plan?.haltConditions.maxBurnRate ?? ''} min={0.1} decimalScale={1} error={form.errorOf('maxBurnRate')} />
        <Select label="Tier below" data={TIERS.map((t) => ({ value: t, label: t }))} value={v.tierFloor} onChange={(x) => set({ tierFloor: x as typeof v.tierFloor })} clearable placeholder="Not watched" />
      </Group>
      <Select label="Runbook" description="The drill incident follows it as in a real outage; none: the incident rules pick one" data={choices.runbooks.map((r) => ({ value: r.id, label: r.name }))} value={v.runbookId} onChange={(x) => set({ runbookId: x })} clearable placeholder="Matched by the incident rules" error={form.errorOf('runbookId')} />
      <Select label="Drill channel" description="Where the drill incident's notify steps may send; none: nowhere" data={choices.webhooks.map((w) => ({ value: w.id, label: w.name }))} value={v.drillWebhookId} onChange={(x) => set({ drillWebhookId: x })} clearable placeholder="Nowhere" error={form.errorOf('drillWebhookId')} />
      <Text size="sm" fw={500}>Schedule</Text>
      <Group grow>
        <TextInput name="nextRunAt" type="datetime-local" label="Next run (UTC)" defaultValue={utcInput(plan?.nextRunAt ?? null)} error={form.errorOf('nextRunAt')} />
        <NumberInput name="recurrenceDays" label="Repeat every (days)" description="Empty: one-off" defaultValue={plan?.recurrenceDays ?? ''} min={1} max={366} error={form.errorOf('recurrenceDays')} />
      </Group>
      <NumberInput name="cadenceDays" label="Stale after (days)" defaultValue={plan?.cadenceDays ?? 90} min={1} max={366} error={form.errorOf('cadenceDays')} />
    </FormDrawer>
  );
}
