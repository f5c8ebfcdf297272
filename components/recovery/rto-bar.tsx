import { Group, Text, Tooltip } from '@mantine/core';
import { formatSpan } from '@/lib/recovery/format';
import type { RecoveryComponentKind } from '@/lib/recovery/model';
import { PART_LABELS, partsInRto, slowestPart, type RtoParts } from '@/lib/recovery/rto-parts';

const COLORS: Record<keyof RtoParts, string> = {
  tDetectMs: 'var(--mantine-color-blue-6)',
  tAssessMs: 'var(--mantine-color-violet-6)',
  tActivateMs: 'var(--mantine-color-orange-6)',
  tRestoreMs: 'var(--mantine-color-teal-6)',
};

/**
 * T_detect + T_assess + T_activate + T_restore as one bar, the slowest part of the component's RTO named. A routing
 * component's RTO ends at activation: its restoration is drawn faded and said to come after the RTO.
 */
export function RtoBar({ parts, kind, width = 220, showLegend = false }: { parts: RtoParts; kind: RecoveryComponentKind; width?: number; showLegend?: boolean }) {
  const keys = Object.keys(PART_LABELS) as (keyof RtoParts)[];
  const total = keys.reduce((sum, k) => sum + (parts[k] ?? 0), 0);
  const slowest = slowestPart(parts, kind);
  const inRto = partsInRto(kind);
  return (
    <div>
      <div style={{ display: 'flex', width, height: 10, borderRadius: 3, overflow: 'hidden', background: 'var(--mantine-color-default-border)' }} role="img" aria-label={keys.map((k) => `${PART_LABELS[k]} ${formatSpan(parts[k])}`).join(', ')}>
        {total > 0 &&
          keys.map((k) =>
            parts[k] ? (
              <Tooltip key={k} label={`${PART_LABELS[k]}: ${formatSpan(parts[k])}${inRto.includes(k) ? '' : ' (after the RTO)'}`}>
                <div style={{ width: `${((parts[k] ?? 0) / total) * 100}%`, minWidth: 2, background: COLORS[k], opacity: inRto.includes(k) ? 1 : 0.35 }} />
              </Tooltip>
            ) : null,
          )}
      </div>
      {showLegend && (
        <Group gap="md" mt={6}>
          {keys.map((k) => (
            <Group key={k} gap={4} wrap="nowrap">
              <div style={{ width: 10, height: 10, borderRadius: 2, background: COLORS[k] }} />
              <Text size="xs" fw={k === slowest ? 700 : 400}>
                {PART_LABELS[k]} {parts[k] === null ? 'not yet' : formatSpan(parts[k])}
                {k === slowest ? ' (slowest)' : ''}
                {inRto.includes(k) ? '' : ' (after the RTO)'}
              </Text>
            </Group>
          ))}
        </Group>
      )}
    </div>
  );
}
