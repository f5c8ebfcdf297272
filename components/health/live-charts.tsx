'use client';

import { memo, useMemo } from 'react';
import { Paper, SimpleGrid, Text } from '@mantine/core';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { SeriesPoint } from '@/lib/health/data';
import { clockUtc } from './format';

// Axes, grid and tooltips take Mantine's CSS variables, so charts follow the
// light and dark themes without re-rendering when the scheme changes.
const AXIS = { stroke: 'var(--mantine-color-default-border)', tick: { fill: 'var(--mantine-color-dimmed)', fontSize: 11 }, tickLine: false } as const;
const GRID = { stroke: 'var(--mantine-color-default-border)', strokeDasharray: '3 3', vertical: false } as const;
const TOOLTIP = {
  contentStyle: {
    background: 'var(--mantine-color-body)',
    border: '1px solid var(--mantine-color-default-border)',
    borderRadius: 8,
    color: 'var(--mantine-color-text)',
    fontSize: 12,
  },
  labelStyle: { color: 'var(--mantine-color-text)', fontWeight: 600 },
  itemStyle: { padding: 0 },
} as const;
const LEGEND = { wrapperStyle: { fontSize: 12, color: 'var(--mantine-color-text)' }, iconSize: 10 } as const;
const COLORS = {
  succeeded: 'var(--mantine-color-teal-6)',
  failed: 'var(--mantine-color-red-6)',
  p50: 'var(--mantine-color-blue-5)',
  p95: 'var(--mantine-color-orange-5)',
};
const HEIGHT = 220;
const MARGIN = { top: 8, right: 12, bottom: 18, left: 4 };

type Point = { t: number; succeeded: number; failed: number; p50: number | null; p95: number | null; ttftP50: number | null; ttftP95: number | null };

function ChartCard({ title, caption, children }: { title: string; caption: string; children: React.ReactNode }) {
  return (
    <Paper withBorder radius="md" p="sm" component="figure" m={0} aria-label={title}>
      <Text size="sm" fw={600} component="figcaption">
        {title}
      </Text>
      <Text size="xs" c="dimmed" mb={4}>
        {caption}
      </Text>
      {children}
    </Paper>
  );
}

function timeAxis(points: Point[]) {
  return (
    <XAxis
      {...AXIS}
      dataKey="t"
      type="number"
      scale="time"
      domain={[points[0]?.t ?? 0, points.at(-1)?.t ?? 0]}
      tickFormatter={(t: number) => clockUtc(t).slice(0, 5)}
      minTickGap={40}
      label={{ value: 'time (UTC)', position: 'insideBottom', offset: -10, fill: 'var(--mantine-color-dimmed)', fontSize: 11 }}
    />
  );
}

const msAxis = (
  <YAxis
    {...AXIS}
    width={56}
    tickFormatter={(v: number) => v.toLocaleString('en-US')}
    label={{ value: 'ms', angle: -90, position: 'insideLeft', fill: 'var(--mantine-color-dimmed)', fontSize: 11 }}
  />
);

type Percentile = 'p50' | 'p95' | 'ttftP50' | 'ttftP95';

// A bucket between two empty ones would draw no line at all: mark it with a dot.
// Recharts renders a dot element per point when given a renderer, so lines without
// such buckets get none (the charts re-render on every poll).
function isolatedDot(key: Percentile, points: Point[], color: string) {
  const isolated = new Set(points.flatMap((p, i) => (p[key] != null && points[i - 1]?.[key] == null && points[i + 1]?.[key] == null ? [i] : [])));
  if (isolated.size === 0) return false;
  return function renderDot({ cx, cy, index }: { cx?: number; cy?: number; index?: number }) {
    const i = index ?? -1;
    return isolated.has(i) && cx != null && cy != null ? <circle key={`${key}-${i}`} cx={cx} cy={cy} r={2.5} fill={color} /> : <g key={`${key}-${i}`} />;
  };
}

const msValue = (value: unknown) => (typeof value === 'number' ? `${Math.round(value).toLocaleString('en-US')} ms` : '—');
const tooltipLabel = (bucketSeconds: number) => (t: unknown) => `${clockUtc(Number(t))}–${clockUtc(Number(t) + bucketSeconds * 1000)} UTC`;

/** Requests and errors, latency and TTFT percentiles of a service, one point per bucket. */
export const LiveCharts = memo(function LiveCharts({ series, bucketSeconds }: { series: SeriesPoint[]; bucketSeconds: number }) {
  const points: Point[] = useMemo(
    () => series.map((p) => ({ t: Date.parse(p.t), succeeded: p.requests - p.errors, failed: p.errors, p50: p.p50, p95: p.p95, ttftP50: p.ttftP50, ttftP95: p.ttftP95 })),
    [series],
  );
  const label = tooltipLabel(bucketSeconds);
  const hasTtft = points.some((p) => p.ttftP50 != null);

  return (
    <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }} spacing="md">
      <ChartCard title="Requests and errors" caption={`Upstream attempts per ${bucketSeconds} s, all targets`}>
        <BarChart data={points} responsive style={{ width: '100%', height: HEIGHT }} margin={MARGIN} barCategoryGap={1}>
          <CartesianGrid {...GRID} />
          {timeAxis(points)}
          <YAxis
            {...AXIS}
            width={56}
            allowDecimals={false}
            label={{ value: `attempts / ${bucketSeconds} s`, angle: -90, position: 'insideLeft', fill: 'var(--mantine-color-dimmed)', fontSize: 11, style: { textAnchor: 'middle' } }}
          />
          <Tooltip {...TOOLTIP} labelFormatter={label} cursor={{ fill: 'var(--mantine-color-default-hover)' }} />
          <Legend {...LEGEND} verticalAlign="top" height={24} />
          <Bar dataKey="succeeded" name="Succeeded" stackId="attempts" fill={COLORS.succeeded} isAnimationActive={false} />
          <Bar dataKey="failed" name="Failed" stackId="attempts" fill={COLORS.failed} isAnimationActive={false} />
        </BarChart>
      </ChartCard>

      <ChartCard title="Latency" caption="Successful attempts, whole response">
        <LineChart data={points} responsive style={{ width: '100%', height: HEIGHT }} margin={MARGIN}>
          <CartesianGrid {...GRID} />
          {timeAxis(points)}
          {msAxis}
          <Tooltip {...TOOLTIP} labelFormatter={label} formatter={msValue} />
          <Legend {...LEGEND} verticalAlign="top" height={24} />
          <Line dataKey="p50" dot={isolatedDot('p50', points, COLORS.p50)} name="p50" stroke={COLORS.p50} strokeWidth={2} isAnimationActive={false} />
          <Line dataKey="p95" dot={isolatedDot('p95', points, COLORS.p95)} name="p95" stroke={COLORS.p95} strokeWidth={2} isAnimationActive={false} />
        </LineChart>
      </ChartCard>

      <ChartCard title="Time to first token" caption={hasTtft ? 'Successful streamed attempts' : 'No streamed answers in this window'}>
        <LineChart data={points} responsive style={{ width: '100%', height: HEIGHT }} margin={MARGIN}>
          <CartesianGrid {...GRID} />
          {timeAxis(points)}
          {msAxis}
          <Tooltip {...TOOLTIP} labelFormatter={label} formatter={msValue} />
          <Legend {...LEGEND} verticalAlign="top" height={24} />
          <Line dataKey="ttftP50" dot={isolatedDot('ttftP50', points, COLORS.p50)} name="TTFT p50" stroke={COLORS.p50} strokeWidth={2} isAnimationActive={false} />
          <Line dataKey="ttftP95" dot={isolatedDot('ttftP95', points, COLORS.p95)} name="TTFT p95" stroke={COLORS.p95} strokeWidth={2} isAnimationActive={false} />
        </LineChart>
      </ChartCard>
    </SimpleGrid>
  );
});
