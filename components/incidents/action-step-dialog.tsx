'use client';
// Runs an action step: the step's parameters filled from the incident (and
// changeable), the same preview as on the service and target pages, a reason,
// then the action through the same mutation, with the incident in its audit.
import { useState } from 'react';
import { Alert, Button, Group, List, ListItem, Loader, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { IconAlertTriangle } from '@tabler/icons-react';
import { TierForecastLine } from '@/components/degradation/tier-forecast';
import { TierBadge } from '@/components/degradation/tier-badge';
import { ReasonField } from '@/components/ui/reason-field';
import { useActionForm } from '@/components/ui/use-action-form';
import { degradationQueries } from '@/lib/degradation/queries';
import { TIER_LABELS } from '@/lib/routing/tier';
import { TIERS, type Tier } from '@/lib/routing/enums';
import { failoverQueries } from '@/lib/failover/queries';
import { describeMode, type PlanSummary } from '@/lib/routing/plan';
import { runActionStepAction } from '@/lib/incidents/actions';
import type { StepChoices, StepRunView } from '@/lib/incidents/data';
import { EXPIRY_MINUTES, runActionStepInput } from '@/lib/incidents/schemas';
import { incidentQueries } from '@/lib/incidents/queries';
import { STEP_ACTION_LABELS, type StepAction } from '@/lib/runbooks/model';


const STEERING: Partial<Record<StepAction, 'force_failover' | 'pin' | 'drain' | 'clear'>> = { force_failover: 'force_failover', pin: 'pin', drain: 'drain', return_to_automatic: 'clear' };
const EXPIRY_DATA = [{ value: 'none', label: 'No expiry' }, ...EXPIRY_MINUTES.map((m) => ({ value: String(m), label: m < 60 ? `${m} min` : `${m / 60} h` }))];

function PlanLine({ label, plan }: { label: string; plan: PlanSummary }) {
  return (
    <Text size="sm">
      <b>{label}:</b> {describeMode(plan)}, {plan.serving ? <>serving <b>{plan.serving.name}</b></> : 'nothing serves'}
      {plan.fallbacks.length > 0 && <Text span size="xs" c="dimmed"> then {plan.fallbacks.map((f) => f.name).join(', then ')}</Text>}
    </Text>
  );
}

function Warnings({ items }: { items: string[] }) {
  if (items.length === 0) return null;
  return (
    <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />} title="Check before confirming">
      <List size="sm">{items.map((w) => <ListItem key={w}>{w}</ListItem>)}</List>
    </Alert>
  );
}

type Props = { step: StepRunView; incidentId: string; names: StepChoices; onClose: () => void };

export function ActionStepDialog({ step, incidentId, names, onClose }: Props) {
  const queryClient = useQueryClient();
  const prepared = (step.prepared.action ?? {}) as { action: StepAction; serviceId?: string; targetId?: string; tier?: Tier; model?: string; substituteTargetId?: string; versionId?: string };
  const action = prepared.action;
  const [serviceId, setServiceId] = useState<string | null>(prepared.serviceId ?? null);
  const [targetId, setTargetId] = useState<string | null>(prepared.targetId ?? null);
  const [tier, setTier] = useState<Tier>(prepared.tier ?? 'degraded');
  const [model, setModel] = useState<string>(prepared.model ?? '');
  const [substituteId, setSubstituteId] = useState<string | null>(prepared.substituteTargetId ?? null);
  const [versionId, setVersionId] = useState(prepared.versionId ?? '');
  const [expiry, setExpiry] = useState('none');
  const [reason, setReason] = useState(step.title);

  const service = names.services.find((s) => s.id === serviceId) ?? null;
  const steering = STEERING[action];
  const needsTarget = action === 'pin' || action === 'drain';
  const tierQuery = useQuery({ ...degradationQueries.service(service?.name ?? ''), enabled: (action === 'tier_override' || action === 'clear_tier_override') && service !== null });

  // The same previews as the service and target pages (reads; one query per choice, the latest choice's answer shown).
  const retireScope = { targetId: model.trim() ? undefined : (targetId ?? undefined), model: model.trim() || undefined, substituteTargetId: substituteId ?? undefined };
  const steeringQuery = useQuery({
    ...failoverQueries.steeringPreview(service?.name ?? '', steering ?? 'clear', targetId),
    enabled: !!steering && service !== null && (!needsTarget || !!targetId),
  });
  const retirementQuery = useQuery({ ...failoverQueries.retirementPreview(retireScope), enabled: action === 'retire_model' && !!(retireScope.targetId || retireScope.model) });
  const previewQuery = steering ? steeringQuery : retirementQuery;
  const previewing = (steering || action === 'retire_model') && previewQuery.isFetching;
  const previewError = (steering || action === 'retire_model') && previewQuery.isError ? previewQuery.error.message : null;

  const steeringPreview = steering && steeringQuery.isSuccess ? steeringQuery.data : null;
  const retirement = action === 'retire_model' && retirementQuery.isSuccess ? retirementQuery.data : null;

  const values = (): Record<string, unknown> | null => {
    switch (action) {
      case 'force_failover':
      case 'pin':
      case 'drain':
      case 'return_to_automatic':
        return steeringPreview ? { action, serviceId, targetId: targetId ?? undefined, expectedRoutingVersion: steeringPreview.routingVersion, expiresInMinutes: action === 'return_to_automatic' ? undefined : expiry } : null;
      case 'tier_override':
        return tierQuery.data ? { action, serviceId, tier, expectedVersion: tierQuery.data.version, expiresInMinutes: expiry } : null;
      case 'clear_tier_override':
        return tierQuery.data ? { action, serviceId, expectedVersion: tierQuery.data.version } : null;
      case 'retire_model':
        return { action, ...retireScope };
      case 'apply_config_version':
        return { action, versionId };
    }
  };

  const form = useActionForm<{ summary: string }>({
    schema: runActionStepInput,
    success: (done) => ({ title: step.title, message: done.summary }),
    onSuccess: onClose,
    onError: (failure) => {
      if (failure.code !== 'CONFLICT') return;
      // Show the state that won and preview against it.
      void queryClient.invalidateQueries({ queryKey: incidentQueries.incident(incidentId).queryKey });
      void tierQuery.refetch();
      void previewQuery.refetch();
    },
    invalidate: [incidentQueries.incident(incidentId).queryKey, failoverQueries.all(), degradationQueries.all()],
  });
  const fieldErrors = form.fieldErrors;
  const confirm = () => {
    const v = values();
    if (v) form.submit({ stepRunId: step.runId, expectedVersion: step.version, values: v, reason }, runActionStepAction);
  };

  const chain = service?.chain ?? [];
  const serviceChoice = steering || action === 'tier_override' || action === 'clear_tier_override';
  const refusal = retirement?.refusal ?? null;
  const ready = values() !== null && !refusal && reason.trim().length >= 3;

  return (
    <Modal opened onClose={onClose} title={`${STEP_ACTION_LABELS[action]}: ${step.title}`} size="lg">
      <Stack gap="sm">
        {serviceChoice && (
          <Select label="Service" data={names.services.map((s) => ({ value: s.id, label: s.name }))} value={serviceId} onChange={(v) => { setServiceId(v); setTargetId(null); }} error={fieldErrors['values.serviceId']?.join(' ')} searchable allowDeselect={false} />
        )}
        {needsTarget && (
          <Select label={action === 'pin' ? 'Pin to' : 'Target to drain'} data={chain.map((t) => ({ value: t.id, label: t.name }))} value={targetId} onChange={setTargetId} placeholder={service ? 'Choose a target of its chain' : 'Choose the service first'} error={fieldErrors['values.targetId']?.join(' ')} />
        )}
        {action === 'tier_override' && (
          <Select label="Hold in tier" data={TIERS.map((t) => ({ value: t, label: TIER_LABELS[t] }))} value={tier} onChange={(v) => v && setTier(v as Tier)} allowDeselect={false} />
        )}
        {action === 'retire_model' && (
          <>
            <TextInput label="Model to retire (every target serving it)" description="Or leave empty and choose one target below." value={model} onChange={(e) => setModel(e.currentTarget.value)} error={fieldErrors['values.model']?.join(' ')} list="retire-models" />
            <datalist id="retire-models">{[...new Set(names.targets.map((t) => t.model))].map((m) => <option key={m} value={m} />)}</datalist>
            {!model.trim() && <Select label="Target to retire" data={names.targets.map((t) => ({ value: t.id, label: `${t.name} (${t.model})` }))} value={targetId} onChange={setTargetId} searchable error={fieldErrors['values.targetId']?.join(' ')} />}
            <Select label="Substitute" description="Takes the retired model's place in every chain. Without one, the model is only removed." data={names.targets.map((t) => ({ value: t.id, label: `${t.name} (${t.model})` }))} value={substituteId} onChange={setSubstituteId} searchable clearable error={fieldErrors['values.substituteTargetId']?.join(' ')} />
          </>
        )}
        {action === 'apply_config_version' && (
          <TextInput label="Configuration version" description="The id of a saved configuration version (configuration history)." value={versionId} onChange={(e) => setVersionId(e.currentTarget.value)} error={fieldErrors['values.versionId']?.join(' ')} />
        )}

        {previewing && <Group gap="xs"><Loader size="xs" /><Text size="sm" c="dimmed">Previewing…</Text></Group>}
        {previewError && <Alert color="red" variant="light">{previewError}</Alert>}
        {steeringPreview && (
          <Stack gap={6} data-testid="impact-preview">
            <PlanLine label="Now" plan={steeringPreview.before} />
            <PlanLine label="After" plan={steeringPreview.after} />
            {steeringPreview.tier && <TierForecastLine forecast={steeringPreview.tier} />}
            <Warnings items={steeringPreview.warnings} />
            <Text size="xs" c="dimmed">Load: {steeringPreview.load.requestsPerMinute.toLocaleString('en-US')} requests/min over the last {steeringPreview.load.windowMinutes} min.</Text>
          </Stack>
        )}
        {(action === 'tier_override' || action === 'clear_tier_override') && tierQuery.data && (
          <Stack gap={6} data-testid="impact-preview">
            <Group gap="xs"><Text size="sm" fw={600}>Now</Text><TierBadge tier={tierQuery.data.tier} /><Text size="sm">{tierQuery.data.override ? `held by ${tierQuery.data.override.by}` : 'automatic'}</Text></Group>
            <Group gap="xs"><Text size="sm" fw={600}>After</Text><TierBadge tier={action === 'tier_override' ? tier : tierQuery.data.automaticTier} /><Text size="sm">{action === 'tier_override' ? 'held for every request, whatever D says, until cleared or expired' : 'follows D again'}</Text></Group>
            {action === 'clear_tier_override' && !tierQuery.data.override && <Warnings items={[`${tierQuery.data.serviceName} has no tier hold: there is nothing to clear.`]} />}
          </Stack>
        )}
        {retirement && (
          <Stack gap={6} data-testid="impact-preview">
            <Text size="sm">Retires <b>{retirement.retired.map((t) => t.name).join(', ')}</b>{retirement.substitute ? <> for <b>{retirement.substitute.name}</b></> : ' (no substitute)'}.</Text>
            <List size="sm">
              {retirement.services.map((s) => <ListItem key={s.serviceId}><b>{s.serviceName}</b>: {s.before.join(' → ')} <Text span c="dimmed">becomes</Text> {s.after.join(' → ') || 'nothing'}</ListItem>)}
              {retirement.degradedTargets.map((d) => <ListItem key={d.serviceName}><b>{d.serviceName}</b>: degraded target {d.from} becomes {d.to ?? 'none'}</ListItem>)}
            </List>
            <Warnings items={retirement.warnings} />
            {refusal && <Alert color="red" variant="light">{refusal}</Alert>}
          </Stack>
        )}
        {action === 'apply_config_version' && <Text size="sm" c="dimmed">Applies the saved configuration as one change, audited with this incident.</Text>}

        {(steering === 'force_failover' || steering === 'pin' || steering === 'drain' || action === 'tier_override') && (
          <Select label="Expires after" data={EXPIRY_DATA} value={expiry} onChange={(v) => setExpiry(v ?? 'none')} allowDeselect={false} w={200} />
        )}
        <ReasonField value={reason} onChange={setReason} error={fieldErrors.reason} description="Kept in the audit log with the incident and the step." />
        {form.formError && <Alert color="red" variant="light" data-testid="action-error">{form.formError}</Alert>}
        <Group justify="flex-end" className="sticky-footer">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button onClick={confirm} loading={form.pending} disabled={!ready} color={action === 'retire_model' ? 'red' : undefined}>
            {STEP_ACTION_LABELS[action]}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
