'use client';

import { useEffect, useState } from 'react';
import { useRouter } from 'next/navigation';
import { Alert, Button, Group, List, Loader, Modal, Progress, SegmentedControl, Select, Stack, Table, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { IconAlertTriangle, IconArrowBackUp, IconPin, IconPlayerSkipForward, IconWaveSine } from '@tabler/icons-react';
import { steerAction } from '@/lib/failover/actions';
import type { SteeringPreviewView } from '@/lib/failover/data';
import { describeMode, type PlanSummary } from '@/lib/routing/plan';
import { failoverQueries } from '@/lib/failover/queries';
import { degradationQueries } from '@/lib/degradation/queries';
import { healthQueries } from '@/lib/health/queries';
import { EXPIRY_CHOICES_MINUTES, steerInput, type SteeringKind } from '@/lib/failover/schemas';
import { useActionForm } from '@/components/ui/use-action-form';
import { formatLoad, formatRpm } from './format';
import { ModeBadge } from './routing-badges';
import { TierForecastLine } from '@/components/degradation/tier-forecast';
import { ReasonField } from '@/components/ui/reason-field';
import { formatPercent } from '@/lib/shared/format';

type ChainTarget = { targetId: string; name: string; enabled: boolean };

type Props = {
  service: { id: string; name: string; routingVersion: number };
  chain: ChainTarget[];
  plan: PlanSummary;
  /** Active overrides that "Return to automatic" would end (the service's own and drains of its targets). */
  overrideCount: number;
};

const EXPIRY_LABELS: Record<(typeof EXPIRY_CHOICES_MINUTES)[number], string> = { 15: '15 min', 60: '1 h', 240: '4 h', 1440: '24 h' };
const EXPIRY_DATA = [...EXPIRY_CHOICES_MINUTES.map((m) => ({ value: String(m), label: EXPIRY_LABELS[m] })), { value: 'none', label: 'None' }];

const DONE: Record<SteeringKind, string> = { force_failover: 'Failover forced', pin: 'Pinned', drain: 'Target drained', clear: 'Back to automatic routing' };

/** What steerAction answers: the action done, the routing after it, and the routing to show at once. */
type SteerResult = Extract<Awaited<ReturnType<typeof steerAction>>, { ok: true }>['data'];

function intro(kind: SteeringKind, serviceName: string, serving: string | null): { title: string; text: string; confirm: string } {
  switch (kind) {
    case 'force_failover':
      return {
        title: `Force failover on ${serviceName}`,
        text: `Moves traffic off ${serving ?? 'the serving target'} to the next target in the chain, and keeps it off until the override expires or someone returns ${serviceName} to automatic routing.`,
        confirm: 'Force failover',
      };
    case 'pin':
      return {
        title: `Pin ${serviceName} to one target`,
        text: 'Every request goes to the target you choose, and automatic failover stops: if that target fails, requests fail.',
        confirm: 'Pin',
      };
    case 'drain':
      return {
        title: 'Drain a target',
        text: `Takes the target out of service for every service that uses it, not only ${serviceName}. Their traffic moves to the next target in their chains.`,
        confirm: 'Drain',
      };
    case 'clear':
      return {
        title: `Return ${serviceName} to automatic routing`,
        text: `Ends the pin or forced failover of ${serviceName}, and the drains of its chain's targets (those end for every service).`,
        confirm: 'Return to automatic',
      };
  }
}

function PlanLine({ label, plan }: { label: string; plan: PlanSummary }) {
  return (
    <Group gap="xs" wrap="nowrap" align="baseline">
      <Text size="sm" fw={600} w={48}>{label}</Text>
      <Stack gap={2}>
        <Group gap={6}>
          <ModeBadge plan={plan} size="sm" />
          <Text size="sm">{plan.serving ? <>serving <b>{plan.serving.name}</b></> : 'nothing serves'}</Text>
        </Group>
        {plan.fallbacks.length > 0 && <Text size="xs" c="dimmed">then {plan.fallbacks.map((f) => f.name).join(', then ')}</Text>}
      </Stack>
    </Group>
  );
}

function elsewhereChange({ before, after }: SteeringPreviewView['elsewhere'][number]): string {
  if (!after.serving) return before.serving ? `${before.serving.name} stops serving and nothing takes over` : 'nothing serves it, before or after';
  if (before.serving?.targetId === after.serving.targetId) return `no change, ${after.serving.name} keeps serving`;
  return `moves from ${before.serving?.name ?? 'nothing'} to ${after.serving.name}`;
}

function Impact({ preview }: { preview: SteeringPreviewView }) {
  const load = preview.load.requestsPerMinute;
  return (
    <Stack gap="sm" data-testid="impact-preview">
      <PlanLine label="Now" plan={preview.before} />
      <PlanLine label="After" plan={preview.after} />
      {preview.tier && (
        <div>
          <Text size="sm" fw={600} mb={4}>Tier after</Text>
          <TierForecastLine forecast={preview.tier} />
        </div>
      )}
      {/* Before the detail, so a short screen shows what to check first. */}
      {preview.warnings.length > 0 && (
        <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />} title="Check before confirming">
          <List size="sm">
            {preview.warnings.map((w) => <List.Item key={w}>{w}</List.Item>)}
          </List>
        </Alert>
      )}
      <Text size="sm" c="dimmed">
        {load > 0 ? `Current load: ${formatLoad(load)} (last ${preview.load.windowMinutes} minutes).` : `No traffic for ${preview.serviceName} in the last ${preview.load.windowMinutes} minutes.`}
      </Text>
      {preview.takesTraffic.length > 0 && (
        <Table verticalSpacing={4} aria-label="Targets that would take the traffic" withTableBorder>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Target</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Capacity</Table.Th>
              <Table.Th w={170}>Current load would use</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {preview.takesTraffic.map((t) => (
              <Table.Tr key={t.targetId}>
                <Table.Td><Text ff="monospace" size="sm">{t.name}</Text></Table.Td>
                <Table.Td><Text size="sm">{t.role === 'serving' ? 'takes the traffic' : 'if those before fail'}</Text></Table.Td>
                <Table.Td><Text size="sm">{formatRpm(t.rpm)}</Text></Table.Td>
                <Table.Td>
                  <Group gap={6} wrap="nowrap">
                    <Progress value={Math.min(100, t.loadShare * 100)} color={t.overCapacity ? 'red' : t.loadShare > 0.8 ? 'yellow' : 'green'} w={70} aria-hidden />
                    <Text size="sm" c={t.overCapacity ? 'red' : undefined}>{formatPercent(t.loadShare)}</Text>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {preview.elsewhere.length > 0 && (
        <div>
          <Text size="sm" fw={600}>Other services</Text>
          <List size="sm">
            {preview.elsewhere.map((other) => (
              <List.Item key={other.serviceId}>
                <Text span ff="monospace" size="sm">{other.name}</Text>: {elsewhereChange(other)}
                {preview.tierElsewhere[other.serviceId] && <TierForecastLine forecast={preview.tierElsewhere[other.serviceId]} />}
              </List.Item>
            ))}
          </List>
        </div>
      )}
    </Stack>
  );
}

/** Force failover, pin, drain and return to automatic: each asks for a reason, offers an expiry and previews its impact. */
export function SteeringControls({ service, chain, plan, overrideCount }: Props) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<SteeringKind | null>(null);
  const [targetId, setTargetId] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [expiry, setExpiry] = useState('none');

  const needsTarget = kind === 'pin' || kind === 'drain';
  // The preview is a read: one query per choice, so the answer shown is always the latest choice's.
  const previewQuery = useQuery({
    ...failoverQueries.steeringPreview(service.name, kind ?? 'clear', targetId),
    enabled: kind !== null && (!needsTarget || targetId !== null),
  });
  const preview = kind !== null && previewQuery.isSuccess ? previewQuery.data : null;
  const previewError = kind !== null && previewQuery.isError ? previewQuery.error.message : null;
  const previewing = kind !== null && previewQuery.isFetching;
  // Someone steered since this page loaded: bring the page (and the version we confirm against) up to date.
  const previewVersion = preview?.routingVersion;
  useEffect(() => {
    if (previewVersion !== undefined && previewVersion !== service.routingVersion) router.refresh();
  }, [previewVersion, service.routingVersion, router]);

  const close = () => setKind(null);
  const form = useActionForm<SteerResult>({
    schema: steerInput,
    success: (done) => ({ title: DONE[kind ?? 'clear'], message: `${service.name}: ${describeMode(done.after)}${done.after.serving ? `, serving ${done.after.serving.name}` : ', nothing serves'}.` }),
    onSuccess: (done) => {
      // The page shows the new routing from the action's own answer, before anything is fetched again.
      if (done.routing) queryClient.setQueryData(failoverQueries.routing(service.name).queryKey, done.routing);
      close();
    },
    // Someone else's change won: the page shows it, and the preview is read again against it.
    onError: (failure) => {
      if (failure.code === 'CONFLICT') void queryClient.invalidateQueries({ queryKey: failoverQueries.all() });
    },
    invalidate: [healthQueries.all(), degradationQueries.all()],
  });

  const open = (next: SteeringKind) => {
    setKind(next);
    setTargetId(null);
    setReason('');
    setExpiry('none');
    form.reset();
  };

  const confirm = () => {
    if (!kind) return;
    form.submit(
      { serviceId: service.id, expectedRoutingVersion: service.routingVersion, kind, targetId: targetId ?? undefined, reason, expiresInMinutes: kind === 'clear' ? undefined : expiry },
      steerAction,
    );
  };

  const chainChoices = chain.map((t) => ({ value: t.targetId, label: t.enabled ? t.name : `${t.name} (disabled)` }));
  const staleVersion = preview !== null && preview.routingVersion !== service.routingVersion;
  const text = kind ? intro(kind, service.name, plan.serving?.name ?? null) : null;
  const hasChain = chain.length > 0;

  return (
    <>
      <Group gap="xs" wrap="wrap">
        <Button size="xs" color="orange" variant="light" leftSection={<IconPlayerSkipForward size={16} />} onClick={() => open('force_failover')} disabled={!plan.serving}>
          Force failover
        </Button>
        <Button size="xs" variant="light" leftSection={<IconPin size={16} />} onClick={() => open('pin')} disabled={!hasChain}>
          Pin…
        </Button>
        <Button size="xs" color="grape" variant="light" leftSection={<IconWaveSine size={16} />} onClick={() => open('drain')} disabled={!hasChain}>
          Drain…
        </Button>
        <Button size="xs" variant="default" leftSection={<IconArrowBackUp size={16} />} onClick={() => open('clear')} disabled={overrideCount === 0}>
          Return to automatic
        </Button>
      </Group>
      <Modal opened={kind !== null} onClose={close} title={text?.title} size="lg" centered>
        {kind && text && (
          <Stack>
            <Text size="sm">{text.text}</Text>
            {form.formError && (
              <Alert color="red" variant="light" role="alert">
                {form.formError}
              </Alert>
            )}
            {needsTarget && (
              <Select
                label={kind === 'pin' ? 'Pin to' : 'Target to drain'}
                placeholder="Choose a target of the chain"
                data={chainChoices}
                value={targetId}
                onChange={setTargetId}
                error={form.errorOf('targetId')}
                allowDeselect={false}
                required
                data-autofocus
              />
            )}
            <ReasonField
              description="Required. Kept in the audit log and shown to other operators."
              value={reason}
              onChange={(value) => {
                setReason(value);
                form.clearError('reason');
              }}
              error={form.fieldErrors.reason}
              autoFocus={!needsTarget}
            />
            {kind !== 'clear' && (
              <Stack gap={4}>
                <Text size="sm" fw={500} id="steer-expiry-label">Ends automatically after</Text>
                <SegmentedControl aria-labelledby="steer-expiry-label" data={EXPIRY_DATA} value={expiry} onChange={setExpiry} />
                <Text size="xs" c="dimmed">{expiry === 'none' ? 'None: stays until someone returns the service to automatic routing.' : 'Then routing returns to automatic by itself.'}</Text>
                {form.errorOf('expiresInMinutes') && <Text size="xs" c="red">{form.errorOf('expiresInMinutes')}</Text>}
              </Stack>
            )}
            {staleVersion && (
              <Alert color="blue" variant="light">
                Routing for {service.name} changed since this page loaded. The page has been refreshed; the preview shows the current state.
              </Alert>
            )}
            {previewing && (
              <Group gap="xs">
                <Loader size="xs" />
                <Text size="sm" c="dimmed">Working out the impact…</Text>
              </Group>
            )}
            {previewError && (
              <Alert color="red" variant="light">
                The impact preview failed: {previewError}
              </Alert>
            )}
            {needsTarget && !targetId && !previewing && <Text size="sm" c="dimmed">Choose a target to see the impact.</Text>}
            {preview && <Impact preview={preview} />}
            {/* Kept in view at the bottom of the dialog however long the preview, so a short screen never hides the decision. */}
            <Group justify="flex-end" pos="sticky" bottom={0} py="sm" bg="var(--mantine-color-body)" style={{ zIndex: 1, borderTop: '1px solid var(--mantine-color-default-border)' }}>
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button color={kind === 'force_failover' ? 'orange' : kind === 'drain' ? 'grape' : undefined} loading={form.pending} disabled={previewing || staleVersion || (!preview && !previewError && !(needsTarget && !targetId))} onClick={confirm}>
                {text.confirm}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </>
  );
}
