'use client';
// The live RTO clock (Cutover's "live elapsed against objective"): time since
// the disruption began, against the component's RTO objective, with
// detection, assessment, activation and restoration marked as they happen.
import { Badge, Card, Group, Progress, Stack, Text, Tooltip } from '@mantine/core';
import { useNow } from '@/components/health/use-now';
import type { RtoClock as Clock } from '@/lib/incidents/data';
import { formatSpan } from '@/lib/recovery/format';
import { formatUtc } from '@/lib/shared/format';
import { DISRUPTION_LABELS } from '@/lib/recovery/model';

const MILESTONES = [
  { key: 'detectedAt', label: 'Detected', color: 'blue' },
  { key: 'assessedAt', label: 'Assessed', color: 'violet' },
  { key: 'activatedAt', label: 'Activated', color: 'orange' },
  { key: 'restoredAt', label: 'Restored', color: 'teal' },
] as const;

export function RtoClock({ clock, openedAt, endedAt }: { clock: Clock; openedAt: string; endedAt: string | null }) {
  const now = useNow();
  const start = Date.parse(clock.startedAt);
  // Callers were without answers until activation; the clock stops there (or when the incident ended).
  const stop = clock.activatedAt ?? endedAt;
  const elapsed = stop ? Date.parse(stop) - start : now === null ? null : now - start;
  const objective = clock.objectiveMs;
  const ratio = elapsed !== null && objective ? elapsed / objective : null;
  const over = ratio !== null && ratio >= 1;
  const scale = Math.max(objective ?? 0, elapsed ?? 0, 1);
  return (
    <Card withBorder radius="md" padding="md" component="section" aria-labelledby="rto-clock-title" data-testid="rto-clock">
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="xs">
        <Stack gap={0}>
          <Text id="rto-clock-title" size="xs" c="dimmed" tt="uppercase" fw={600}>
            {stop ? 'Callers were without answers for' : 'Elapsed since the disruption began'}
          </Text>
          <Text fz={30} fw={700} ff="monospace" c={over ? 'red' : undefined} data-testid="rto-elapsed">
            {elapsed === null ? '…' : formatSpan(elapsed)}
          </Text>
          <Text size="xs" c="dimmed">
            since {formatUtc(clock.startedAt, 'second')}
            {clock.component ? ` · ${clock.component}` : ''}
            {clock.disruption ? ` · ${DISRUPTION_LABELS[clock.disruption].toLowerCase()}` : ''}
          </Text>
          {/* Callers are answered again, but the incident goes on (the primary is still down): its own clock keeps running. */}
          {stop && !endedAt && now !== null && (
            <Text size="xs" c="dimmed" data-testid="incident-elapsed">
              Incident open for {formatSpan(now - Date.parse(openedAt))}{clock.restoredAt ? '' : '; not restored yet'}
            </Text>
          )}
        </Stack>
        <Stack gap={2} align="flex-end">
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>RTO objective</Text>
          <Text fw={700}>{objective ? formatSpan(objective) : 'none set'}</Text>
          {ratio !== null && (
            <Badge color={over ? 'red' : ratio > 0.8 ? 'yellow' : 'teal'} variant="light">
              {over ? `${ratio.toFixed(1)}x the objective` : `${Math.round(ratio * 100)}% of it used`}
            </Badge>
          )}
        </Stack>
      </Group>
      <div style={{ position: 'relative', marginTop: 12, marginBottom: 4 }}>
        <Progress value={elapsed === null ? 0 : Math.min(100, (elapsed / scale) * 100)} color={over ? 'red' : 'blue'} size="md" aria-label="Elapsed against the objective" />
        {objective && elapsed !== null && elapsed > objective && (
          <Tooltip label={`Objective: ${formatSpan(objective)}`}>
            <div style={{ position: 'absolute', top: -3, left: `${(objective / scale) * 100}%`, width: 2, height: 16, background: 'var(--mantine-color-text)' }} />
          </Tooltip>
        )}
      </div>
      <Group gap="md" mt={6} wrap="wrap">
        {MILESTONES.map((m) => {
          const at = clock[m.key];
          return (
            <Tooltip key={m.key} label={at ? formatUtc(at, 'second') : 'not yet'}>
              <Group gap={4} wrap="nowrap" data-testid={`milestone-${m.key}`}>
                <Badge size="xs" circle color={at ? m.color : 'gray'} variant={at ? 'filled' : 'outline'}>{' '}</Badge>
                <Text size="xs" c={at ? undefined : 'dimmed'}>
                  {m.label} {at ? `+${formatSpan(Math.max(0, Date.parse(at) - start))}` : 'not yet'}
                </Text>
              </Group>
            </Tooltip>
          );
        })}
      </Group>
    </Card>
  );
}
