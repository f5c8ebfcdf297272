'use client';

import { useState } from 'react';
import { Alert, Fieldset, NumberInput, Select, SimpleGrid, Switch, TextInput } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { FormDrawer } from '@/components/ui/form-drawer';
import { useActionForm } from '@/components/ui/use-action-form';
import { createTargetAction, updateTargetAction } from '@/lib/inventory/actions';
import type { TargetFormOptions, TargetRow } from '@/lib/inventory/data';
import { endpointOrigin, fractionToPercent, QUALITY_CLASS_LABELS, targetInput } from '@/lib/inventory/schemas';
import { QUALITY_CLASSES } from '@/lib/routing/enums';

type Props = { options: TargetFormOptions } & ({ mode: 'create' } | { mode: 'edit'; target: TargetRow });

// Controlled, so that numbers reach the server as numbers and `enabled` as a boolean.
type Values = {
  name: string; providerId: string | null; regionId: string | null; model: string; endpointUrl: string; credentialId: string | null;
  rpm: number | string; tpm: number | string; contextWindow: number | string; priceInPerMTok: number | string; priceOutPerMTok: number | string;
  qualityClass: string | null; enabled: boolean;
  /** A percentage (99.9); '' for none. */
  declaredAvailability: number | string;
  breakerFailureRate: number | string; breakerMinimumRequests: number | string; breakerWindowMs: number | string; breakerOpenMs: number | string;
  breakerHalfOpenSuccesses: number | string; breakerConsecutiveFailures: number | string; probeIntervalMs: number | string;
};

type NumberField = Exclude<keyof Values, 'name' | 'providerId' | 'regionId' | 'model' | 'endpointUrl' | 'credentialId' | 'qualityClass' | 'enabled'>;

// A new target starts from the column defaults of prisma/schema.prisma.
const BREAKER_START = {
  breakerFailureRate: 0.5, breakerMinimumRequests: 10, breakerWindowMs: 10_000, breakerOpenMs: 15_000, breakerHalfOpenSuccesses: 3, breakerConsecutiveFailures: 5, probeIntervalMs: 15_000,
};

const qualityOptions = QUALITY_CLASSES.map((value) => ({ value, label: QUALITY_CLASS_LABELS[value] }));

function valuesOf(target: TargetRow | null): Values {
  return {
    name: target?.name ?? '', providerId: target?.provider.id ?? null, regionId: target?.region.id ?? null, model: target?.model ?? '',
    endpointUrl: target?.endpointUrl ?? '', credentialId: target?.credential?.id ?? null, rpm: target?.rpm ?? '', tpm: target?.tpm ?? '',
    contextWindow: target?.contextWindow ?? '', priceInPerMTok: target?.priceInPerMTok ?? '', priceOutPerMTok: target?.priceOutPerMTok ?? '',
    qualityClass: target?.qualityClass ?? 'standard', enabled: target?.enabled ?? true,
    declaredAvailability: target?.declaredAvailability == null ? '' : fractionToPercent(target.declaredAvailability),
    breakerFailureRate: target?.breakerFailureRate ?? BREAKER_START.breakerFailureRate,
    breakerMinimumRequests: target?.breakerMinimumRequests ?? BREAKER_START.breakerMinimumRequests,
    breakerWindowMs: target?.breakerWindowMs ?? BREAKER_START.breakerWindowMs,
    breakerOpenMs: target?.breakerOpenMs ?? BREAKER_START.breakerOpenMs,
    breakerHalfOpenSuccesses: target?.breakerHalfOpenSuccesses ?? BREAKER_START.breakerHalfOpenSuccesses,
    breakerConsecutiveFailures: target?.breakerConsecutiveFailures ?? BREAKER_START.breakerConsecutiveFailures,
    probeIntervalMs: target?.probeIntervalMs ?? BREAKER_START.probeIntervalMs,
  };
}

/**
 * The credential's name when saving would pair it with an origin (scheme, host, port) it is not
 * sent to yet, which only an admin may do (lib/inventory/mutations.ts assertCredentialDestination).
 */
function needsAdminToSend(options: TargetFormOptions, initial: TargetRow | null, values: Values): string | null {
  const credential = options.credentials.find((c) => c.id === values.credentialId);
  const origin = endpointOrigin(values.endpointUrl);
  if (options.canSendCredentialsAnywhere || !credential || !origin) return null;
  const unchanged = initial?.credential?.id === credential.id && endpointOrigin(initial.endpointUrl) === origin;
  return unchanged || credential.sentTo.includes(origin) ? null : credential.name;
}

/** An emptied NumberInput gives '', which would coerce to 0; leave it out so the server says the field is missing. */
const numberOrMissing = (value: number | string) => (value === '' ? undefined : value);

export function TargetForm(props: Props) {
  const { options } = props;
  const initial = props.mode === 'edit' ? props.target : null;
  const [opened, setOpened] = useState(false);
  const [values, setValues] = useState(() => valuesOf(initial));
  const form = useActionForm({ schema: targetInput, success: initial ? 'Target saved.' : 'Target created.', onSuccess: () => setOpened(false) });
  const set = <K extends keyof Values>(key: K, value: Values[K]) => setValues((current) => ({ ...current, [key]: value }));

  const providerCredentials = options.credentials.filter((credential) => credential.providerId === values.providerId);
  const credentialNeedsAdmin = needsAdminToSend(options, initial, values);

  function changeProvider(providerId: string | null) {
    // A credential only works with its own provider, so a credential of the old provider is dropped.
    setValues((current) => ({
      ...current,
      providerId,
      credentialId: options.credentials.some((c) => c.id === current.credentialId && c.providerId === providerId) ? current.credentialId : null,
    }));
  }

  function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = {
      ...values,
      rpm: numberOrMissing(values.rpm),
      tpm: numberOrMissing(values.tpm),
      contextWindow: numberOrMissing(values.contextWindow),
      priceInPerMTok: numberOrMissing(values.priceInPerMTok),
      priceOutPerMTok: numberOrMissing(values.priceOutPerMTok),
      // Empty means no declared availability; the other settings are sent as typed, so an emptied one is refused, not reset.
      declaredAvailability: values.declaredAvailability === '' ? null : values.declaredAvailability,
      reason: String(new FormData(event.currentTarget).get('reason') ?? ''),
    };
    form.submit(input, (data) => (props.mode === 'create' ? createTargetAction(data) : updateTargetAction({ id: props.target.id, version: props.target.version }, data)));
  }

  const text = (key: 'name' | 'model' | 'endpointUrl') => ({
    value: values[key],
    onChange: (event: React.ChangeEvent<HTMLInputElement>) => set(key, event.currentTarget.value),
    error: form.errorOf(key),
  });
  const number = (key: NumberField) => ({
    value: values[key],
    onChange: (value: number | string) => set(key, value),
    error: form.errorOf(key),
    min: 0,
  });

  return (
    <FormDrawer noun="target" editing={initial?.name} form={form} opened={opened} setOpened={setOpened} onOpen={() => setValues(valuesOf(initial))} onSubmit={onSubmit}>
      <TextInput label="Name" description="Short identifier, e.g. openai-gpt-4o-us-east" {...text('name')} required data-autofocus />
      <Select
        label="Provider"
        data={options.providers.map((p) => ({ value: p.id, label: p.enabled ? p.name : `${p.name} (disabled)` }))}
        value={values.providerId}
        onChange={changeProvider}
        error={form.errorOf('providerId')}
        searchable
        required
      />
      <Select
        label="Region"
        data={options.regions.map((r) => ({ value: r.id, label: `${r.code} (${r.name})${r.enabled ? '' : ' (disabled)'}` }))}
        value={values.regionId}
        onChange={(value) => set('regionId', value)}
        error={form.errorOf('regionId')}
        searchable
        required
      />
      <TextInput label="Model" description="The model name the provider expects, e.g. gpt-4o" {...text('model')} required />
      <TextInput label="Endpoint URL" placeholder="https://api.openai.com/v1" {...text('endpointUrl')} required />
      <Select
        label="Credential"
        description={values.providerId && providerCredentials.length === 0 ? 'This provider has no credentials; an admin adds them.' : 'The API key it authenticates with, if any'}
        placeholder={values.providerId ? 'None' : 'Choose a provider first'}
        data={providerCredentials.map((c) => ({ value: c.id, label: `${c.name} (${c.hint})` }))}
        value={values.credentialId}
        onChange={(value) => set('credentialId', value)}
        error={form.errorOf('credentialId')}
        disabled={!values.providerId}
        clearable
      />
      {credentialNeedsAdmin && (
        <Alert color="yellow" variant="light" icon={<IconLock size={16} />} title="Needs an admin">
          Credential {credentialNeedsAdmin} is not sent to {endpointOrigin(values.endpointUrl)} by any target yet, and the key would be sent there. Only an admin can
          save this; clear the credential to save the target without it.
        </Alert>
      )}
      <SimpleGrid cols={2}>
        <NumberInput label="Requests per minute" {...number('rpm')} thousandSeparator="," allowDecimal={false} required />
        <NumberInput label="Tokens per minute" {...number('tpm')} thousandSeparator="," allowDecimal={false} required />
      </SimpleGrid>
      <NumberInput label="Context window (tokens)" {...number('contextWindow')} thousandSeparator="," allowDecimal={false} required />
      <SimpleGrid cols={2}>
        <NumberInput label="Input price per 1M tokens" {...number('priceInPerMTok')} prefix="$" decimalScale={4} required />
        <NumberInput label="Output price per 1M tokens" {...number('priceOutPerMTok')} prefix="$" decimalScale={4} required />
      </SimpleGrid>
      <Select label="Quality class" data={qualityOptions} value={values.qualityClass} onChange={(value) => set('qualityClass', value)} allowDeselect={false} error={form.errorOf('qualityClass')} required />
      <Switch label="Enabled" description="A disabled target stays configured but is out of use" checked={values.enabled} onChange={(event) => set('enabled', event.currentTarget.checked)} />
      <Fieldset legend="Availability" variant="filled">
        <NumberInput
          clampBehavior="none"
          label="Declared availability"
          description="The provider's published figure, e.g. 99.9. Used by the availability maths until Standby has measured enough of this target; leave empty if none."
          {...number('declaredAvailability')}
          suffix="%"
          decimalScale={4}
          hideControls
        />
      </Fieldset>
      <Fieldset legend="Circuit breaker" variant="filled">
        <SimpleGrid cols={2}>
          <NumberInput clampBehavior="none" label="Consecutive failures" description="Opens at once after this many failures in a row" {...number('breakerConsecutiveFailures')} allowDecimal={false} />
          <NumberInput clampBehavior="none" label="Failure rate" description="Opens when this share of the window fails (0 to 1)" {...number('breakerFailureRate')} decimalScale={3} step={0.05} />
          <NumberInput clampBehavior="none" label="Minimum requests" description="Below this many in the window, the rate is not trusted" {...number('breakerMinimumRequests')} allowDecimal={false} />
          <NumberInput clampBehavior="none" label="Window" description="Over which the failure rate is measured" {...number('breakerWindowMs')} suffix=" ms" thousandSeparator="," allowDecimal={false} />
          <NumberInput clampBehavior="none" label="Open time" description="Before half-open probes begin" {...number('breakerOpenMs')} suffix=" ms" thousandSeparator="," allowDecimal={false} />
          <NumberInput clampBehavior="none" label="Half-open successes" description="Successful probes that close it" {...number('breakerHalfOpenSuccesses')} allowDecimal={false} />
        </SimpleGrid>
        <NumberInput clampBehavior="none" mt="sm" label="Probe interval" description="How often the health monitor probes this target" {...number('probeIntervalMs')} suffix=" ms" thousandSeparator="," allowDecimal={false} />
      </Fieldset>
    </FormDrawer>
  );
}
