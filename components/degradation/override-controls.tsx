'use client';

import { useState } from 'react';
import { Alert, Button, Group, Modal, Radio, SegmentedControl, Stack, Text } from '@mantine/core';
import { IconAdjustments, IconArrowBackUp } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { clearTierOverrideAction, setTierOverrideAction } from '@/lib/degradation/actions';
import type { ServiceDegradation } from '@/lib/degradation/data';
import { describeOverrideEffect, describeShedding, describeTierPolicy, type DegradedTargetRef } from '@/lib/degradation/describe';
import { degradationQueries } from '@/lib/degradation/queries';
import { clearTierOverrideInput, OVERRIDE_EXPIRY_MINUTES, setTierOverrideInput } from '@/lib/degradation/schemas';
import { TIER_LABELS } from '@/lib/routing/tier';
import { TIERS, type Tier } from '@/lib/routing/enums';
import { useActionForm } from '@/components/ui/use-action-form';
import { TIER_COLORS, TierBadge } from './tier-badge';
import { ReasonField } from '@/components/ui/reason-field';

const EXPIRY_LABELS: Record<(typeof OVERRIDE_EXPIRY_MINUTES)[number], string> = { 15: '15 min', 60: '1 h', 240: '4 h' };
const EXPIRY_DATA = [...OVERRIDE_EXPIRY_MINUTES.map((m) => ({ value: String(m), label: EXPIRY_LABELS[m] })), { value: 'none', label: 'Until cleared' }];

type Props = { data: ServiceDegradation; degradedTarget: DegradedTargetRef };

function until(expiry: string): string {
  if (expiry === 'none') return 'until someone clears the override';
  const at = new Date(Date.now() + Number(expiry) * 60_000).toISOString();
  return `for ${EXPIRY_LABELS[Number(expiry) as (typeof OVERRIDE_EXPIRY_MINUTES)[number]]} (until about ${at.slice(11, 16)} UTC)`;
}

/** Override the tier (with reason and expiry) and clear an override: operators only; the server checks again. */
export function OverrideControls({ data, degradedTarget }: Props) {
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<'set' | 'clear' | null>(null);
  const [tier, setTier] = useState<Tier | null>(null);
  const [reason, setReason] = useState('');
  const [expiry, setExpiry] = useState('60');
  // The version the operator looked at when the dialog opened: a change by someone else since then is refused.
  const [version, setVersion] = useState(data.version);
  const form = useActionForm<{ tier: Tier }>({
    schema: mode === 'set' ? setTierOverrideInput : clearTierOverrideInput,
    success: (done) => ({ title: mode === 'set' ? 'Tier overridden' : 'Override cleared', message: `${data.serviceName} is now in ${TIER_LABELS[done.tier]}.` }),
    onSuccess: close,
    // Someone else's change won: show it; confirming again acts on it.
    onError: (failure) => {
      if (failure.code !== 'CONFLICT') return;
      void queryClient.invalidateQueries({ queryKey: degradationQueries.all() }).then(() => {
        const fresh = queryClient.getQueryData(degradationQueries.service(data.serviceName).queryKey);
        if (fresh) setVersion(fresh.version);
      });
    },
    invalidate: [degradationQueries.all()],
  });

  const open = (next: 'set' | 'clear') => {
    setMode(next);
    setTier(null);
    setReason('');
    setExpiry('60');
    setVersion(data.version);
    form.reset();
  };
  function close() {
    setMode(null);
  }

  const submit = () => {
    if (mode === 'set') form.submit({ serviceId: data.serviceId, expectedVersion: version, tier: tier ?? undefined, reason, expiresInMinutes: expiry }, setTierOverrideAction);
    else form.submit({ serviceId: data.serviceId, expectedVersion: version, reason }, clearTierOverrideAction);
  };

  const effect = tier ? describeOverrideEffect(tier, data.demandRpm, data.availableRpm, data.policy, degradedTarget) : null;
  const automaticNow = describeShedding({ ...data, tier: data.automaticTier, overridden: false }, data.policy, degradedTarget);

  return (
    <>
      <Group gap="xs">
        <Button size="xs" variant="light" color="orange" leftSection={<IconAdjustments size={16} />} onClick={() => open('set')}>
          Override tier…
        </Button>
        <Button size="xs" variant="default" leftSection={<IconArrowBackUp size={16} />} onClick={() => open('clear')} disabled={!data.override}>
          Clear override
        </Button>
      </Group>

      <Modal opened={mode === 'set'} onClose={close} title={`Override the tier of ${data.serviceName}`} size="lg" centered>
        <Stack>
          <Text size="sm">
            Holds every request of {data.serviceName} in the tier you choose, whatever the capacity, within a second. Automatic now: {TIER_LABELS[data.automaticTier]}.{' '}
            {automaticNow}
          </Text>
          {form.formError && (
            <Alert color="red" variant="light" role="alert">
              {form.formError}
            </Alert>
          )}
          <Radio.Group label="Tier" value={tier} onChange={(value) => setTier(value as Tier)} error={form.errorOf('tier')} required>
            <Stack gap="xs" mt={6}>
              {TIERS.map((t) => (
                <Radio
                  key={t}
                  value={t}
                  color={TIER_COLORS[t]}
                  label={<TierBadge tier={t} />}
                  description={describeTierPolicy(t, data.policy, degradedTarget)}
                  data-autofocus={t === 'full' ? true : undefined}
                />
              ))}
            </Stack>
          </Radio.Group>
          <ReasonField
            description="Required. Kept in the audit log and on the tier timeline."
            value={reason}
            onChange={(value) => {
              setReason(value);
              form.clearError('reason');
            }}
            error={form.fieldErrors.reason}
          />
          <Stack gap={4}>
            <Text size="sm" fw={500} id="tier-expiry-label">
              Ends automatically after
            </Text>
            <SegmentedControl aria-labelledby="tier-expiry-label" data={EXPIRY_DATA} value={expiry} onChange={setExpiry} />
            {form.errorOf('expiresInMinutes') && <Text size="xs" c="red">{form.errorOf('expiresInMinutes')}</Text>}
          </Stack>
          {tier && effect && (
            <Alert color={TIER_COLORS[tier]} variant="light" title={`${data.serviceName} will be in ${TIER_LABELS[tier]} ${until(expiry)}`} data-testid="override-effect">
              {effect}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button color={tier ? TIER_COLORS[tier] : undefined} autoContrast loading={form.pending} disabled={!tier} onClick={submit}>
              {tier ? `Hold in ${TIER_LABELS[tier]}` : 'Choose a tier'}
            </Button>
          </Group>
        </Stack>
      </Modal>

      <Modal opened={mode === 'clear'} onClose={close} title={`Clear the tier override of ${data.serviceName}`} size="lg" centered>
        <Stack>
          {data.override && (
            <Text size="sm">
              {data.override.by} holds {data.serviceName} in {TIER_LABELS[data.override.tier]} (“{data.override.reason}”). Clearing it returns the service to its automatic tier,{' '}
              <b>{TIER_LABELS[data.automaticTier]}</b>. {automaticNow}
            </Text>
          )}
          {form.formError && (
            <Alert color="red" variant="light" role="alert">
              {form.formError}
            </Alert>
          )}
          <ReasonField
            description="Required. Kept in the audit log and on the tier timeline."
            value={reason}
            onChange={(value) => {
              setReason(value);
              form.clearError('reason');
            }}
            error={form.fieldErrors.reason}
            autoFocus
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button loading={form.pending} onClick={submit}>
              Clear override
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
