'use client';
// Writes a runbook: its failure mode and attachment conditions, and its steps
// in order (move them up and down), each with its kind's parameters and a
// lane for steps that run beside each other. Saving makes a new version;
// incidents keep the version they started with.
import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { ActionIcon, Alert, Button, Card, Group, MultiSelect, NumberInput, Select, SimpleGrid, Stack, Text, Textarea, TextInput, Title, Tooltip } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconPlus, IconTrash } from '@tabler/icons-react';
import { useActionForm } from '@/components/ui/use-action-form';
import { TIER_LABELS } from '@/lib/routing/tier';
import { TIERS } from '@/lib/routing/enums';
import type { EditorChoices } from '@/lib/runbooks/data';
import { CHECK_METRICS, CHECK_METRIC_LABELS, FAILURE_MODES, FAILURE_MODE_LABELS, LANE_LABELS, LANES, SEVERITIES, STEP_ACTIONS, STEP_ACTION_LABELS, STEP_KINDS, STEP_KIND_LABELS, type RunbookStepKind } from '@/lib/runbooks/model';
import { createRunbookAction, saveRunbookAction } from '@/lib/runbooks/actions';
import { createRunbookInput, saveRunbookInput } from '@/lib/runbooks/schemas';

type Params = Record<string, unknown>;
export type EditorStep = { key: string; kind: RunbookStepKind; title: string; body: string; lane: number; expectedMinutes: number | null; params: Params };
export type EditorRunbook = { id: string | null; version: number; name: string; failureMode: string; summary: string; severities: string[]; serviceIds: string[]; targetIds: string[]; steps: EditorStep[] };

const DEFAULT_PARAMS: Record<RunbookStepKind, Params> = {
  instruction: {},
  action: { action: 'force_failover' },
  check: { metric: 'error_rate', belowPercent: 1, forMinutes: 2, minRequests: 10 },
  notify: { message: '{incident} {severity}: {title}. {link}' },
  decision: { question: '', options: [{ label: 'Yes', skipStepKeys: [] }, { label: 'No', skipStepKeys: [] }] },
};

const newKey = (taken: Set<string>) => {
  for (let n = taken.size + 1; ; n += 1) if (!taken.has(`step-${n}`)) return `step-${n}`;
};

const INCIDENT = '';
const withIncident = (label: string, items: { id: string; name: string }[]) => [{ value: INCIDENT, label }, ...items.map((i) => ({ value: i.id, label: i.name }))];

function ParamsEditor({ step, index, choices, keys, errorOf, update }: { step: EditorStep; index: number; choices: EditorChoices; keys: string[]; errorOf: (path: string) => string | undefined; update: (params: Params) => void }) {
  const p = step.params;
  const set = (patch: Params) => update({ ...p, ...patch });
  const e = (field: string) => errorOf(`steps.${index}.params.${field}`);
  const serviceSelect = <Select label="Service" data={withIncident("The incident's service", choices.services)} value={(p.serviceId as string) ?? INCIDENT} onChange={(v) => set({ serviceId: v || undefined })} error={e('serviceId')} allowDeselect={false} />;
  const targetSelect = (label: string, blank: string, field = 'targetId') => (
    <Select label={label} data={withIncident(blank, choices.targets)} value={(p[field] as string) ?? INCIDENT} onChange={(v) => set({ [field]: v || undefined })} error={e(field)} searchable allowDeselect={false} />
  );
  switch (step.kind) {
    case 'instruction':
      return null;
    case 'action': {
      const action = p.action as string;
      return (
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
          <Select label="Action" data={STEP_ACTIONS.map((a) => ({ value: a, label: STEP_ACTION_LABELS[a] }))} value={action} onChange={(v) => v && update({ action: v })} allowDeselect={false} error={e('action')} />
          {['force_failover', 'pin', 'drain', 'return_to_automatic', 'tier_override', 'clear_tier_override'].includes(action) && serviceSelect}
          {(action === 'pin' || action === 'drain') && targetSelect('Target', action === 'drain' ? "The incident's target" : 'Chosen when the step runs')}
          {action === 'tier_override' && <Select label="Tier" data={TIERS.map((t) => ({ value: t, label: TIER_LABELS[t] }))} value={(p.tier as string) ?? 'degraded'} onChange={(v) => set({ tier: v })} allowDeselect={false} error={e('tier')} />}
          {action === 'retire_model' && (
            <>
              <TextInput label="Model" description="Every target serving it; or leave empty for the incident's target." value={(p.model as string) ?? ''} onChange={(ev) => set({ model: ev.currentTarget.value || undefined })} error={e('model')} />
              {targetSelect('Substitute', 'Chosen when the step runs', 'substituteTargetId')}
            </>
          )}
          {action === 'apply_config_version' && <TextInput label="Configuration version" description="Or leave empty to choose when the step runs." value={(p.versionId as string) ?? ''} onChange={(ev) => set({ versionId: ev.currentTarget.value || undefined })} error={e('versionId')} />}
        </SimpleGrid>
      );
    }
    case 'check': {
      const metric = p.metric as string;
      return (
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
          <Select label="Criterion" data={CHECK_METRICS.map((m) => ({ value: m, label: CHECK_METRIC_LABELS[m] }))} value={metric} onChange={(v) => v && update({ ...DEFAULT_PARAMS.check, ...(v === 'error_rate' ? {} : { belowPercent: undefined, minRequests: undefined, tier: v === 'tier' ? 'full' : undefined }), metric: v, forMinutes: p.forMinutes ?? 1 })} allowDeselect={false} />
          {metric === 'breaker_closed' ? targetSelect('Target', "The incident's target") : serviceSelect}
          {metric === 'error_rate' && <NumberInput label="Error rate under (%)" value={p.belowPercent as number} onChange={(v) => set({ belowPercent: v })} min={0.01} max={100} step={0.5} decimalScale={2} error={e('belowPercent')} />}
          {metric === 'error_rate' && <NumberInput label="At least this many requests" value={p.minRequests as number} onChange={(v) => set({ minRequests: v })} min={1} error={e('minRequests')} />}
          {metric === 'tier' && <Select label="Tier (or better)" data={TIERS.map((t) => ({ value: t, label: TIER_LABELS[t] }))} value={(p.tier as string) ?? 'full'} onChange={(v) => set({ tier: v })} allowDeselect={false} />}
          <NumberInput label={metric === 'error_rate' ? 'Over the last (min)' : 'Holding for (min)'} value={p.forMinutes as number} onChange={(v) => set({ forMinutes: v })} min={0} max={60} step={0.5} decimalScale={1} error={e('forMinutes')} />
        </SimpleGrid>
      );
    }
    case 'notify':
      return (
        <Stack gap="xs">
          <Select label="Webhook" data={withIncident('Chosen when the step runs', choices.webhooks)} value={(p.webhookId as string) ?? INCIDENT} onChange={(v) => set({ webhookId: v || undefined })} error={e('webhookId')} allowDeselect={false} />
          <Textarea label="Message" description="{incident}, {title}, {severity}, {status}, {service}, {commander} and {link} are filled in." value={(p.message as string) ?? ''} onChange={(ev) => set({ message: ev.currentTarget.value })} autosize minRows={2} error={e('message')} />
        </Stack>
      );
    case 'decision': {
      const options = (p.options as { label: string; setSeverity?: string; attachRunbookId?: string; skipStepKeys: string[] }[]) ?? [];
      const setOption = (i: number, patch: Record<string, unknown>) => set({ options: options.map((o, j) => (j === i ? { ...o, ...patch } : o)) });
      return (
        <Stack gap="xs">
          <TextInput label="Question" value={(p.question as string) ?? ''} onChange={(ev) => set({ question: ev.currentTarget.value })} error={e('question')} />
          {options.map((o, i) => (
            <Card key={i} withBorder padding="xs">
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
                <TextInput label={`Choice ${i + 1}`} value={o.label} onChange={(ev) => setOption(i, { label: ev.currentTarget.value })} error={e(`options.${i}.label`)} />
                <Select label="Then set severity" data={[{ value: '', label: 'Leave it' }, ...SEVERITIES.map((s) => ({ value: s, label: s }))]} value={o.setSeverity ?? ''} onChange={(v) => setOption(i, { setSeverity: v || undefined })} allowDeselect={false} />
                <Select label="Then attach runbook" data={[{ value: '', label: 'None' }, ...choices.runbooks.map((r) => ({ value: r.id, label: r.name }))]} value={o.attachRunbookId ?? ''} onChange={(v) => setOption(i, { attachRunbookId: v || undefined })} error={e(`options.${i}.attachRunbookId`)} allowDeselect={false} searchable />
                <MultiSelect label="Then skip steps" data={keys.filter((k) => k !== step.key)} value={o.skipStepKeys} onChange={(v) => setOption(i, { skipStepKeys: v })} error={e(`options.${i}.skipStepKeys`)} />
              </SimpleGrid>
              {options.length > 2 && <Button size="compact-xs" variant="subtle" color="red" mt={4} onClick={() => set({ options: options.filter((_, j) => j !== i) })}>Remove this choice</Button>}
            </Card>
          ))}
          {options.length < 6 && <Button size="compact-xs" variant="light" w="fit-content" onClick={() => set({ options: [...options, { label: '', skipStepKeys: [] }] })}>Add a choice</Button>}
          {e('options') && <Text size="xs" c="red">{e('options')}</Text>}
        </Stack>
      );
    }
  }
}

export function RunbookEditor({ initial, choices }: { initial: EditorRunbook; choices: EditorChoices }) {
  const router = useRouter();
  const [rb, setRb] = useState(initial);
  const [note, setNote] = useState('');
  const form = useActionForm<{ id: string; version: number }>({
    schema: initial.id ? saveRunbookInput : createRunbookInput,
    success: (d) => `Saved as version ${d.version}`,
    onSuccess: (d) => router.push(`/runbooks/${d.id}`),
  });
  const keys = rb.steps.map((s) => s.key);
  const setStep = (i: number, patch: Partial<EditorStep>) => setRb((r) => ({ ...r, steps: r.steps.map((s, j) => (j === i ? { ...s, ...patch } : s)) }));
  const move = (i: number, by: number) =>
    setRb((r) => {
      const steps = [...r.steps];
      const [s] = steps.splice(i, 1);
      steps.splice(i + by, 0, s);
      return { ...r, steps };
    });
  const add = (kind: RunbookStepKind) => setRb((r) => ({ ...r, steps: [...r.steps, { key: newKey(new Set(r.steps.map((s) => s.key))), kind, title: '', body: '', lane: 0, expectedMinutes: null, params: { ...DEFAULT_PARAMS[kind] } }] }));
  const save = () => {
    const content = {
      name: rb.name, failureMode: rb.failureMode, summary: rb.summary, severities: rb.severities, serviceIds: rb.serviceIds, targetIds: rb.targetIds,
      steps: rb.steps.map((s) => ({ key: s.key, kind: s.kind, title: s.title, body: s.body, lane: s.lane, expectedMinutes: s.expectedMinutes ?? '', params: s.params })),
    };
    if (rb.id) form.submit({ ...content, runbookId: rb.id, expectedVersion: rb.version, note }, saveRunbookAction);
    else form.submit({ ...content, note }, createRunbookAction);
  };
  return (
    <Stack gap="md">
      <Card withBorder radius="md" padding="md">
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <TextInput label="Name" value={rb.name} onChange={(e) => setRb({ ...rb, name: e.currentTarget.value })} error={form.errorOf('name')} required maxLength={120} />
          <Select label="Failure mode" data={FAILURE_MODES.map((m) => ({ value: m, label: FAILURE_MODE_LABELS[m] }))} value={rb.failureMode} onChange={(v) => v && setRb({ ...rb, failureMode: v })} allowDeselect={false} error={form.errorOf('failureMode')} />
        </SimpleGrid>
        <Textarea label="Summary" mt="sm" value={rb.summary} onChange={(e) => setRb({ ...rb, summary: e.currentTarget.value })} autosize minRows={2} maxLength={2_000} />
        <Text size="sm" fw={600} mt="md">Attaches to incidents of (empty: any)</Text>
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <MultiSelect label="Severities" data={[...SEVERITIES]} value={rb.severities} onChange={(v) => setRb({ ...rb, severities: v })} />
          <MultiSelect label="Services" data={choices.services.map((s) => ({ value: s.id, label: s.name }))} value={rb.serviceIds} onChange={(v) => setRb({ ...rb, serviceIds: v })} searchable error={form.errorOf('serviceIds')} />
          <MultiSelect label="Targets" data={choices.targets.map((t) => ({ value: t.id, label: t.name }))} value={rb.targetIds} onChange={(v) => setRb({ ...rb, targetIds: v })} searchable error={form.errorOf('targetIds')} />
        </SimpleGrid>
      </Card>

      <Title order={4}>Steps</Title>
      {rb.steps.length === 0 && <Text size="sm" c="dimmed">No steps yet: add the first below.</Text>}
      {rb.steps.map((s, i) => (
        <Card key={s.key} withBorder radius="md" padding="sm" data-testid="editor-step">
          <Group justify="space-between" wrap="nowrap" mb="xs">
            <Text fw={600} size="sm">{i + 1}. {STEP_KIND_LABELS[s.kind]} <Text span size="xs" c="dimmed">({s.key})</Text></Text>
            <Group gap={4} wrap="nowrap">
              <Tooltip label="Move up"><ActionIcon variant="subtle" disabled={i === 0} onClick={() => move(i, -1)} aria-label={`Move step ${i + 1} up`}><IconArrowUp size={16} /></ActionIcon></Tooltip>
              <Tooltip label="Move down"><ActionIcon variant="subtle" disabled={i === rb.steps.length - 1} onClick={() => move(i, 1)} aria-label={`Move step ${i + 1} down`}><IconArrowDown size={16} /></ActionIcon></Tooltip>
              <Tooltip label="Remove"><ActionIcon variant="subtle" color="red" onClick={() => setRb((r) => ({ ...r, steps: r.steps.filter((_, j) => j !== i) }))} aria-label={`Remove step ${i + 1}`}><IconTrash size={16} /></ActionIcon></Tooltip>
            </Group>
          </Group>
          <Stack gap="xs">
            <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="xs">
              <Select label="Kind" data={STEP_KINDS.map((k) => ({ value: k, label: STEP_KIND_LABELS[k] }))} value={s.kind} onChange={(v) => v && setStep(i, { kind: v as RunbookStepKind, params: { ...DEFAULT_PARAMS[v as RunbookStepKind] } })} allowDeselect={false} />
              <Select label="Lane" description="Steps in lanes A-C run beside each other" data={LANES.map((l) => ({ value: String(l), label: LANE_LABELS[l] }))} value={String(s.lane)} onChange={(v) => setStep(i, { lane: Number(v ?? 0) })} allowDeselect={false} />
              <NumberInput label="Expected (min)" value={s.expectedMinutes ?? ''} onChange={(v) => setStep(i, { expectedMinutes: typeof v === 'number' ? v : null })} min={1} max={1440} error={form.errorOf(`steps.${i}.expectedMinutes`)} />
            </SimpleGrid>
            <TextInput label="Title" value={s.title} onChange={(e) => setStep(i, { title: e.currentTarget.value })} error={form.errorOf(`steps.${i}.title`)} maxLength={200} />
            <Textarea label="Instructions" description="Markdown: commands in ``` blocks get a copy button; contacts and escalation paths." value={s.body} onChange={(e) => setStep(i, { body: e.currentTarget.value })} autosize minRows={s.kind === 'instruction' ? 3 : 1} maxRows={16} error={form.errorOf(`steps.${i}.body`)} />
            <ParamsEditor step={s} index={i} choices={choices} keys={keys} errorOf={form.errorOf} update={(params) => setStep(i, { params })} />
            {form.errorOf(`steps.${i}.params`) && <Text size="xs" c="red">{form.errorOf(`steps.${i}.params`)}</Text>}
          </Stack>
        </Card>
      ))}
      <Group gap="xs">
        {STEP_KINDS.map((k) => <Button key={k} size="xs" variant="light" leftSection={<IconPlus size={14} />} onClick={() => add(k)}>{STEP_KIND_LABELS[k]}</Button>)}
      </Group>
      {form.errorOf('steps') && <Text size="sm" c="red">{form.errorOf('steps')}</Text>}
      <Card withBorder radius="md" padding="md">
        <Stack gap="xs">
          {rb.id && <TextInput label="What changed" description="Kept with the new version." value={note} onChange={(e) => setNote(e.currentTarget.value)} error={form.errorOf('note')} maxLength={500} />}
          {form.formError && <Alert color="red" variant="light">{form.formError}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => router.back()}>Cancel</Button>
            <Button onClick={save} loading={form.pending}>{rb.id ? `Save as version ${rb.version + 1}` : 'Create runbook'}</Button>
          </Group>
        </Stack>
      </Card>
    </Stack>
  );
}
