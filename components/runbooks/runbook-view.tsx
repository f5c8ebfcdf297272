'use client';
// A runbook version as a commander will follow it: steps in order, lanes beside
// each other, each kind with what it does.
import { Badge, Card, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { TIER_LABELS } from '@/lib/routing/tier';
import type { RunbookStepView } from '@/lib/runbooks/data';
import { laneRows } from '@/lib/runbooks/lanes';
import { CHECK_METRIC_LABELS, LANE_LABELS, STEP_ACTION_LABELS, STEP_KIND_LABELS } from '@/lib/runbooks/model';
import { MarkdownView } from './markdown-view';

type Names = { services: Record<string, string>; targets: Record<string, string>; webhooks: Record<string, string>; runbooks: Record<string, string> };

function describe(step: RunbookStepView, names: Names): string | null {
  const p = step.params;
  if (!p) return step.paramsError ? `Unreadable parameters: ${step.paramsError}` : null;
  const service = (id?: string) => (id ? (names.services[id] ?? 'a deleted service') : "the incident's service");
  const target = (id?: string, blank = "the incident's target") => (id ? (names.targets[id] ?? 'a deleted target') : blank);
  switch (p.kind) {
    case 'instruction':
      return null;
    case 'action': {
      const a = p.params;
      if (a.action === 'retire_model') return `${STEP_ACTION_LABELS[a.action]}: ${a.model ? `model ${a.model}` : target(a.targetId)}, substitute ${target(a.substituteTargetId, 'chosen when it runs')}`;
      if (a.action === 'apply_config_version') return `${STEP_ACTION_LABELS[a.action]}: ${a.versionId ?? 'chosen when it runs'}`;
      if (a.action === 'tier_override') return `${STEP_ACTION_LABELS[a.action]}: ${service(a.serviceId)} in ${TIER_LABELS[a.tier]}`;
      if (a.action === 'pin' || a.action === 'drain') return `${STEP_ACTION_LABELS[a.action]}: ${target(a.targetId, a.action === 'pin' ? 'chosen when it runs' : "the incident's target")} (${service(a.serviceId)})`;
      return `${STEP_ACTION_LABELS[a.action]}: ${service(a.serviceId)}`;
    }
    case 'check': {
      const c = p.params;
      if (c.metric === 'error_rate') return `${service(c.serviceId)} error rate under ${c.belowPercent}% over ${c.forMinutes} min (at least ${c.minRequests} requests)`;
      if (c.metric === 'breaker_closed') return `Breaker of ${target(c.targetId)} closed${c.forMinutes ? ` for ${c.forMinutes} min` : ''}`;
      return `${CHECK_METRIC_LABELS.tier}: ${service(c.serviceId)} in ${TIER_LABELS[c.tier]}${c.forMinutes ? ` for ${c.forMinutes} min` : ''}`;
    }
    case 'notify':
      return `To ${p.params.webhookId ? (names.webhooks[p.params.webhookId] ?? 'a deleted webhook') : 'a webhook chosen when it runs'}: “${p.params.message}”`;
    case 'decision':
      return `${p.params.question} ${p.params.options.map((o) => `[${o.label}${o.setSeverity ? ` → ${o.setSeverity}` : ''}${o.attachRunbookId ? ` → attach ${names.runbooks[o.attachRunbookId] ?? 'a deleted runbook'}` : ''}${o.skipStepKeys.length ? ` → skip ${o.skipStepKeys.join(', ')}` : ''}]`).join(' ')}`;
  }
}

function Step({ step, n, names }: { step: RunbookStepView; n: number; names: Names }) {
  const what = describe(step, names);
  return (
    <Card withBorder radius="md" padding="sm" data-testid="runbook-step">
      <Group gap={6} wrap="wrap" mb={4}>
        <Text fw={600} size="sm">{n}. {step.title}</Text>
        <Badge size="xs" variant="light" color="gray">{STEP_KIND_LABELS[step.kind]}</Badge>
        {step.expectedMinutes !== null && <Text size="xs" c="dimmed">~{step.expectedMinutes} min</Text>}
      </Group>
      {what && <Text size="sm" fw={500} mb={4}>{what}</Text>}
      <MarkdownView source={step.body} />
    </Card>
  );
}

export function RunbookStepsView({ steps, names }: { steps: RunbookStepView[]; names: Names }) {
  const numbers = new Map(steps.map((s, i) => [s.key, i + 1]));
  return (
    <Stack gap="xs">
      {laneRows(steps).map((row, i) =>
        row.main ? (
          <Step key={row.main.key} step={row.main} n={numbers.get(row.main.key)!} names={names} />
        ) : (
          <SimpleGrid key={i} cols={{ base: 1, md: Math.min(3, row.lanes.size) }} spacing="xs">
            {[...row.lanes.entries()].map(([lane, list]) => (
              <Stack key={lane} gap={6} p={6} style={{ borderLeft: '3px solid var(--mantine-color-blue-2)' }}>
                <Text size="xs" c="dimmed" fw={600}>{LANE_LABELS[lane]}: runs beside the others</Text>
                {list.map((s) => <Step key={s.key} step={s} n={numbers.get(s.key)!} names={names} />)}
              </Stack>
            ))}
          </SimpleGrid>
        ),
      )}
    </Stack>
  );
}
