'use client';

import { useState } from 'react';
import { ActionIcon, Alert, Button, Divider, Drawer, Group, NumberInput, Paper, Select, SimpleGrid, Stack, Switch, Text, Textarea, TextInput, Title } from '@mantine/core';
import { IconAlertTriangle, IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useActionForm } from '@/components/ui/use-action-form';
import { updateDegradationPolicyAction } from '@/lib/degradation/actions';
import type { DegradationPolicyView, DegradedTargetOption } from '@/lib/degradation/data';
import { formatFraction } from '@/lib/degradation/describe';
import { degradationQueries } from '@/lib/degradation/queries';
import { MAX_RULES, RULE_MATCHES } from '@/lib/degradation/schemas';
import { catastrophicRegexReason } from '@/lib/degradation/regex-safety';
import { degradationPolicyInput } from '@/lib/degradation/schemas';

type Props = { service: { id: string; name: string }; policy: DegradationPolicyView; targets: DegradedTargetOption[] };

type Rule = { key: number; match: (typeof RULE_MATCHES)[number]; pattern: string; answer: string };

/** Said as the pattern is typed (and for a stored rule the gateway now skips), before saving refuses it. */
function unsafePatternError(rule: Pick<Rule, 'match' | 'pattern'>): string | undefined {
  const unsafe = rule.match === 'regex' ? catastrophicRegexReason(rule.pattern.trim()) : null;
  return unsafe ? `This regular expression could stall the gateway: ${unsafe}.` : undefined;
}

// Controlled, so numbers reach the server as numbers; an emptied input is '' until saved.
type Values = {
  plannedRpm: number | string;
  degradedBelow: number | string;
  minimalBelow: number | string;
  hysteresis: number | string;
  holdSeconds: number | string;
  degradedTargetId: string | null;
  degradedMaxTokens: number | string;
  cacheTtlSeconds: number | string;
  retryAfterSeconds: number | string;
  maintenanceMessage: string;
  queueEnabled: boolean;
  queueTtlSeconds: number | string;
};

let ruleKeys = 0;

function valuesOf(p: DegradationPolicyView): Values {
  return {
    plannedRpm: p.plannedRpm, degradedBelow: p.degradedBelow, minimalBelow: p.minimalBelow,
    hysteresis: p.hysteresis, holdSeconds: p.holdSeconds, degradedTargetId: p.degradedTargetId, degradedMaxTokens: p.degradedMaxTokens,
    cacheTtlSeconds: p.cacheTtlSeconds, retryAfterSeconds: p.retryAfterSeconds, maintenanceMessage: p.maintenanceMessage, queueEnabled: p.queueEnabled,
    queueTtlSeconds: p.queueTtlSeconds,
  };
}

/** An emptied number is left out, so the server says the field is missing instead of reading 0. */
const numberOrMissing = (value: number | string) => (value === '' ? undefined : value);

const QUALITY_LABELS = { frontier: 'frontier', standard: 'standard', economy: 'economy' } as const;

/** The drawer that edits a service's thresholds and what the gateway does in each tier. */
export function PolicyEditor({ service, policy, targets }: Props) {
  const queryClient = useQueryClient();
  const [opened, setOpened] = useState(false);
  const [values, setValues] = useState<Values>(() => valuesOf(policy));
  const [rules, setRules] = useState<Rule[]>([]);
  const [reason, setReason] = useState('');
  // The version the operator started editing from: a save over someone else's change is refused.
  const [version, setVersion] = useState(policy.version);
  const form = useActionForm<{ warnings: string[] }>({ schema: degradationPolicyInput,
    success: (data) => (data.warnings.length ? `Policy of ${service.name} saved. ${data.warnings.join(' ')}` : `Policy of ${service.name} saved.`),
    onSuccess: () => {
      setOpened(false);
      void queryClient.invalidateQueries({ queryKey: degradationQueries.all() });
    },
  });

  const open = () => {
    form.reset();
    setValues(valuesOf(policy));
    setRules(policy.rules.map((r) => ({ ...r, key: ++ruleKeys })));
    setReason('');
    setVersion(policy.version);
    setOpened(true);
  };

  const set = <K extends keyof Values>(field: K) => (value: Values[K]) => setValues((current) => ({ ...current, [field]: value }));
  const updateRule = (key: number, changes: Partial<Rule>) => setRules((current) => current.map((r) => (r.key === key ? { ...r, ...changes } : r)));

  function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const numbers = Object.fromEntries(
      (['plannedRpm', 'degradedBelow', 'minimalBelow', 'hysteresis', 'holdSeconds', 'degradedMaxTokens', 'cacheTtlSeconds', 'retryAfterSeconds', 'queueTtlSeconds'] as const).map((f) => [f, numberOrMissing(values[f])]),
    );
    const input = {
      ...values,
      ...numbers,
      serviceId: service.id,
      version,
      rules: rules.map(({ match, pattern, answer }) => ({ match, pattern, answer })),
      reason,
    };
    form.submit(input, updateDegradationPolicyAction);
  }

  const chosen = targets.find((t) => t.id === values.degradedTargetId) ?? null;
  const targetData = targets.map((t) => ({ value: t.id, label: `${t.name} (${t.model}, ${QUALITY_LABELS[t.qualityClass]})${t.enabled ? '' : ' (disabled)'}` }));
  const fraction = (field: 'degradedBelow' | 'minimalBelow' | 'hysteresis', label: string, description: string) => {
    const value = values[field];
    return (
      <NumberInput
        label={label}
        description={typeof value === 'number' ? `${description} (${formatFraction(value)})` : description}
        value={value}
        onChange={set(field)}
        error={form.errorOf(field)}
        decimalScale={3}
        step={0.05}
        min={0}
        allowNegative={false}
      />
    );
  };
  const whole = (field: 'plannedRpm' | 'holdSeconds' | 'degradedMaxTokens' | 'cacheTtlSeconds' | 'retryAfterSeconds' | 'queueTtlSeconds', label: string, suffix?: string, description?: string) => (
    <NumberInput
      label={label}
      description={description}
      value={values[field]}
      onChange={set(field)}
      error={form.errorOf(field)}
      suffix={suffix}
      thousandSeparator=","
      allowDecimal={false}
      allowNegative={false}
    />
  );

  return (
    <>
      <Button size="xs" variant="default" leftSection={<IconPencil size={16} />} onClick={open}>
        Edit policy
      </Button>
      <Drawer opened={opened} onClose={() => setOpened(false)} title={`Degradation policy of ${service.name}`} position="right" size="xl">
        <form onSubmit={onSubmit} noValidate>
          <Stack>
            {form.formError && (
              <Alert color="red" variant="light" role="alert">
                {form.formError}
              </Alert>
            )}

            <Title order={4} size="h5">Planned capacity</Title>
            {whole(
              'plannedRpm',
              'Planned capacity',
              ' RPM',
              'The load this service is planned for. The page shows how much of it the chain covers, and would cover if a target failed. It never refuses a request.',
            )}

            <Divider />
            <Title order={4} size="h5">Thresholds</Title>
            <Text size="sm" c="dimmed">
              D = the capacity of the targets that can serve now ÷ the requests per minute really arriving; 1 is 100%. Requests the capacity has room for are always
              served normally: a tier applies only to the overflow. Emergency: no target can serve.
            </Text>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              {fraction('degradedBelow', 'Degraded below', 'Leaves Full, at most 1')}
              {fraction('minimalBelow', 'Minimal below', 'Leaves Degraded')}
            </SimpleGrid>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              {fraction('hysteresis', 'Hysteresis', 'A better tier needs D this far above its threshold')}
              {whole('holdSeconds', 'Hold time', ' s', 'and held this long, so the tier does not flap')}
            </SimpleGrid>

            <Divider />
            <Title order={4} size="h5">Degraded</Title>
            <Select
              label="Smaller or cheaper target"
              description="Tried first while Degraded, then the chain. None: the chain as usual."
              placeholder="None"
              data={targetData}
              value={values.degradedTargetId}
              onChange={set('degradedTargetId')}
              error={form.errorOf('degradedTargetId')}
              clearable
              searchable
            />
            {chosen && chosen.qualityClass === 'frontier' && (
              <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />}>
                {chosen.name} is a frontier model. Degraded is meant to trade quality for capacity: an economy or standard target usually fits better.
              </Alert>
            )}
            {whole('degradedMaxTokens', 'max_tokens cap', undefined, 'Requests asking for more are capped to this.')}

            <Divider />
            <Title order={4} size="h5">Minimal</Title>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              {whole('cacheTtlSeconds', 'Cache lifetime', ' s', 'How long an answer can be served again')}
              {whole('retryAfterSeconds', 'Retry-After', ' s', 'Sent with refusals (Minimal and Emergency)')}
            </SimpleGrid>
            <Stack gap="xs">
              <Group justify="space-between">
                <div>
                  <Text size="sm" fw={500}>Rule-based answers</Text>
                  <Text size="xs" c="dimmed">The first rule matching the last user message answers it.</Text>
                </div>
                <Button
                  size="xs"
                  variant="light"
                  leftSection={<IconPlus size={14} />}
                  disabled={rules.length >= MAX_RULES}
                  onClick={() => setRules((current) => [...current, { key: ++ruleKeys, match: 'contains', pattern: '', answer: '' }])}
                >
                  Add rule
                </Button>
              </Group>
              {form.errorOf('rules') && <Text size="xs" c="red">{form.errorOf('rules')}</Text>}
              {rules.length === 0 && <Text size="sm" c="dimmed">No rules: in Minimal, anything not in the cache is refused.</Text>}
              {rules.map((rule, index) => (
                <Paper key={rule.key} withBorder p="sm" radius="md" aria-label={`Rule ${index + 1}`}>
                  <Stack gap="xs">
                    <Group align="flex-start" wrap="nowrap">
                      <Select
                        label="Match"
                        data={[{ value: 'contains', label: 'contains' }, { value: 'regex', label: 'regex' }]}
                        value={rule.match}
                        onChange={(value) => value && updateRule(rule.key, { match: value as Rule['match'] })}
                        allowDeselect={false}
                        w={120}
                        error={form.errorOf(`rules.${index}.match`)}
                      />
                      <TextInput
                        label={rule.match === 'regex' ? 'Regular expression' : 'Text'}
                        value={rule.pattern}
                        onChange={(e) => updateRule(rule.key, { pattern: e.currentTarget.value })}
                        error={form.errorOf(`rules.${index}.pattern`) ?? unsafePatternError(rule)}
                        ff={rule.match === 'regex' ? 'monospace' : undefined}
                        style={{ flex: 1 }}
                      />
                      <ActionIcon variant="subtle" color="red" mt={26} aria-label={`Remove rule ${index + 1}`} onClick={() => setRules((current) => current.filter((r) => r.key !== rule.key))}>
                        <IconTrash size={16} />
                      </ActionIcon>
                    </Group>
                    <Textarea
                      label="Answer"
                      value={rule.answer}
                      onChange={(e) => updateRule(rule.key, { answer: e.currentTarget.value })}
                      error={form.errorOf(`rules.${index}.answer`)}
                      autosize
                      minRows={2}
                    />
                  </Stack>
                </Paper>
              ))}
            </Stack>

            <Divider />
            <Title order={4} size="h5">Emergency</Title>
            <Textarea
              label="Maintenance message"
              description="Sent to every client, in OpenAI's error shape."
              value={values.maintenanceMessage}
              onChange={(e) => set('maintenanceMessage')(e.currentTarget.value)}
              error={form.errorOf('maintenanceMessage')}
              autosize
              minRows={2}
            />
            <Switch
              label="Retry queue"
              description="Clients that send x-standby-queue: true are queued and replayed when the service recovers."
              checked={values.queueEnabled}
              onChange={(e) => set('queueEnabled')(e.currentTarget.checked)}
              error={form.errorOf('queueEnabled')}
            />
            {whole('queueTtlSeconds', 'Queue lifetime', ' s', 'A queued request not replayed by then is dropped.')}

            <Divider />
            <Textarea label="Reason (kept in the audit log)" value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={form.errorOf('reason')} autosize minRows={2} />
            <Button type="submit" loading={form.pending}>
              Save policy
            </Button>
          </Stack>
        </form>
      </Drawer>
    </>
  );
}
