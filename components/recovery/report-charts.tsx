// The report's charts as SVG, from the same shapes the PDF draws (lib/recovery/report-charts.ts).
import { Group, Stack, Text } from '@mantine/core';
import type { ComponentRow } from '@/lib/recovery/data';
import { formatRatio } from '@/lib/recovery/format';
import { DISRUPTIONS, DISRUPTION_SHORT, type DisruptionKind } from '@/lib/recovery/model';
import { DISRUPTION_HEX, ratioBars, RATIO_AXIS_MAX, verdictCounts, weeklyColumns, type Segment } from '@/lib/recovery/report-chart-shapes';

function Legend({ segments }: { segments: Segment[] }) {
  return (
    <Group gap="md" mt={4}>
      {segments.map((s) => (
        <Group key={s.key} gap={4} wrap="nowrap">
          <div style={{ width: 10, height: 10, background: s.color, borderRadius: 2 }} />
          <Text size="xs">
            {s.label} {s.value}
          </Text>
        </Group>
      ))}
    </Group>
  );
}

export function VerdictChart({ components }: { components: ComponentRow[] }) {
  const segments = verdictCounts(components);
  const total = segments.reduce((sum, s) => sum + s.value, 0);
  const widths = segments.map((s) => (s.value / Math.max(1, total)) * 1000);
  const starts = widths.map((_, i) => widths.slice(0, i).reduce((sum, w) => sum + w, 0));
  return (
    <figure style={{ margin: 0 }} aria-label="Verdicts">
      <svg viewBox="0 0 1000 16" width="100%" height={16} preserveAspectRatio="none" role="img" aria-label={segments.map((s) => `${s.label} ${s.value}`).join(', ')}>
        {segments.map((s, i) => (
          <rect key={s.key} x={starts[i]} y={0} width={widths[i]} height={16} fill={s.color} />
        ))}
      </svg>
      <Legend segments={segments} />
    </figure>
  );
}

export function RatioChart({ components }: { components: ComponentRow[] }) {
  const bars = ratioBars(components, 12);
  if (bars.length === 0) return <Text size="sm" c="dimmed">Nothing was measured in this period.</Text>;
  const labelW = 330;
  const plotW = 560;
  const rowH = 18;
  const xOf = (r: number) => labelW + (Math.min(r, RATIO_AXIS_MAX) / RATIO_AXIS_MAX) * plotW;
  const height = bars.length * rowH + 18;
  return (
    <figure style={{ margin: 0, overflowX: 'auto' }} aria-label="Worst measured against the objective">
      <svg viewBox={`0 0 ${labelW + plotW + 60} ${height}`} width="100%" style={{ minWidth: 640 }} role="img" aria-label="Worst measured as a multiple of the objective">
        {bars.map((bar, i) => (
          <g key={bar.label}>
            <text x={labelW - 8} y={i * rowH + 12} textAnchor="end" fontSize={11} fill="currentColor">
              {bar.label.length > 52 ? `${bar.label.slice(0, 51)}…` : bar.label}
            </text>
            <rect x={labelW} y={i * rowH + 3} width={Math.max(1, xOf(bar.shown) - labelW)} height={rowH - 6} fill={bar.color} />
            <text x={xOf(bar.shown) + 4} y={i * rowH + 12} fontSize={11} fill="currentColor">
              {formatRatio(bar.ratio)}
            </text>
          </g>
        ))}
        {[1, 2, 4, 8].map((edge) => (
          <g key={edge}>
            <line x1={xOf(edge)} x2={xOf(edge)} y1={0} y2={bars.length * rowH} stroke="#868e96" strokeDasharray="3 3" strokeWidth={1} />
            <text x={xOf(edge)} y={bars.length * rowH + 13} textAnchor="middle" fontSize={10} fill="#868e96">
              {edge}x
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
}

export function WeeklyChart({ weekly, from, to }: { weekly: { weekStart: string; disruption: DisruptionKind; count: number }[]; from: string; to: string }) {
  const columns = weeklyColumns(weekly, Date.parse(from), Date.parse(to));
  const max = Math.max(1, ...columns.map((c) => c.total));
  const height = 90;
  const colW = 1000 / Math.max(1, columns.length);
  const totals: Segment[] = DISRUPTIONS.map((d) => ({ key: d, label: DISRUPTION_SHORT[d], value: weekly.filter((w) => w.disruption === d).reduce((sum, w) => sum + w.count, 0), color: DISRUPTION_HEX[d] })).filter((s) => s.value > 0);
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed">
        At most {max} a week
      </Text>
      <figure style={{ margin: 0 }} aria-label="Disruption episodes per week">
        <svg viewBox={`0 0 1000 ${height + 14}`} width="100%" role="img" aria-label={`Episodes per week, at most ${max}`}>
          {columns.map((column, i) => {
            let y = height;
            return (
              <g key={column.weekStart}>
                {column.segments.map((s) => {
                  const h = (s.value / max) * height;
                  y -= h;
                  return <rect key={s.key} x={i * colW + 1} y={y} width={Math.max(1, colW - 2)} height={h} fill={s.color} />;
                })}
                {(columns.length <= 16 || i % 2 === 0) && (
                  <text x={i * colW + colW / 2} y={height + 12} textAnchor="middle" fontSize={10} fill="#868e96">
                    {column.weekStart.slice(5, 10)}
                  </text>
                )}
              </g>
            );
          })}
          <line x1={0} x2={1000} y1={height} y2={height} stroke="#dee2e6" />
        </svg>
      </figure>
      <Legend segments={totals} />
    </Stack>
  );
}
