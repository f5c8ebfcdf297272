'use client';

import { LiveDataAlert } from '@/components/ui/live-data-alert';
import { createContext, memo, useContext, useId, useMemo, useState } from 'react';
import { Badge, Button, Card, Group, Paper, SegmentedControl, SimpleGrid, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { IconRefresh } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { ChartMarker, MarkerKind, ServiceChartData } from '@/lib/health/chart-data';
import { CHART_RANGES, MARKERS_PER_KIND, RANGE_SPECS, type ChartBucket, type ChartRange } from '@/lib/health/downsample';
import { EmptyState } from '@/components/ui/empty-state';

import { UpdatedAgo } from '@/components/health/updated-ago';
import { chartQueries } from './chart-queries';
import { clusterMarkers, ERROR_CLASS_COLORS, FLAG_WIDTH_SHARE, formatBucket, formatBucketWidth, formatBudget, formatCount, formatTick, groupMarkers, MARKER_BADGE_COLORS, MARKER_COLORS, MARKER_KIND_LABELS, niceCeil, OTHER_COLOR, timeTicks, type MarkerGroup } from './format';
import { formatMs, formatPercent, formatUtc } from '@/lib/shared/format';

// Axes, grid and tooltips take Mantine's CSS variables, so the charts follow the
// light and dark schemes without re-rendering when the scheme changes.
const AXIS = { stroke: 'var(--mantine-color-default-border)', tick: { fill: 'var(--mantine-color-dimmed)', fontSize: 11 }, tickLine: false } as const;
const AXIS_LABEL = { fill: 'var(--mantine-color-dimmed)', fontSize: 11 } as const;
const GRID = { stroke: 'var(--mantine-color-default-border)', strokeDasharray: '3 3', vertical: false } as const;
// Series in the order they are declared (Recharts sorts by name otherwise); tall enough to clear the marker flags below it.
const LEGEND = { wrapperStyle: { fontSize: 12, color: 'var(--mantine-color-text)' }, iconSize: 10, verticalAlign: 'top', height: 40, itemSorter: null } as const;
// Room above the plot for the marker flags.
const MARGIN = { top: 18, right: 12, bottom: 18, left: 4 };
const HEIGHT = 250;
const COLORS = {
  ok: 'var(--mantine-color-teal-6)',
  availability: 'var(--mantine-color-teal-6)',
  slo: 'var(--mantine-color-dimmed)',
  budget: 'var(--mantine-color-indigo-5)',
  p50: 'var(--mantine-color-blue-5)',
  p95: 'var(--mantine-color-orange-5)',
  p99: 'var(--mantine-color-red-6)',
  ttftP50: 'var(--mantine-color-cyan-6)',
  ttftP95: 'var(--mantine-color-grape-5)',
};
/** Error classes charted one by one; the rest are stacked as "other". */
const MAX_ERROR_CLASSES = ERROR_CLASS_COLORS.length;
const MARKER_SYMBOLS: Record<MarkerKind, string> = { tier: 'T', tier_override: 'O', breaker: 'B', flip: 'F' };
const EVENTS_SHOWN = 8;
const RANGE_LABELS: Record<ChartRange, string> = { '1h': '1 h', '24h': '24 h', '7d': '7 d', '30d': '30 d' };

type Point = {
  /** The bucket's middle, so that bars and line points sit over the span they describe. */
  x: number;
  index: number;
  bucket: ChartBucket;
  availability: number | null;
  budget: number | null;
  ok: number;
  errors: number[];
  other: number;
};

type ChartContext = {
  data: ServiceChartData;
  points: Point[];
  ticks: number[];
  domain: [number, number];
  groups: Map<number, MarkerGroup>;
  shownClasses: string[];
};

function ChartCard({ title, caption, children }: { title: string; caption: React.ReactNode; children: React.ReactNode }) {
  return (
    <Paper withBorder radius="md" p="sm" component="figure" m={0} aria-label={title}>
      <Text size="sm" fw={600} component="figcaption">
        {title}
      </Text>
      <Text size="xs" c="dimmed" mb={4} mih={34}>
        {caption}
      </Text>
      {children}
    </Paper>
  );
}

function timeAxis({ data, ticks, domain }: ChartContext) {
  return (
    <XAxis
      {...AXIS}
      dataKey="x"
      type="number"
      scale="time"
      domain={domain}
      ticks={ticks}
      tickFormatter={(t: number) => formatTick(data.range, t)}
      label={{ value: 'time (UTC)', position: 'insideBottom', offset: -10, ...AXIS_LABEL }}
    />
  );
}

const yLabel = (value: string) => ({ value, angle: -90, position: 'insideLeft', ...AXIS_LABEL, style: { textAnchor: 'middle' } }) as const;

/** A flag on top of a marker line; its <title> is the browser's tooltip with every event of the bucket. */
function markerFlag(group: MarkerGroup) {
  const first = group.markers[0];
  const text = group.markers.map((m) => `${m.at.slice(11, 16)} UTC · ${m.label}: ${m.detail}`).join('\n');
  const symbol = group.markers.length > 1 ? String(group.markers.length) : MARKER_SYMBOLS[first.kind];
  return function MarkerFlag({ viewBox }: { viewBox?: { x?: number; y?: number } }) {
    const x = viewBox?.x ?? 0;
    const y = (viewBox?.y ?? 0) - 8;
    return (
      <g role="img" aria-label={text} style={{ cursor: 'help' }}>
        <title>{text}</title>
        <circle cx={x} cy={y} r={7} fill={MARKER_COLORS[first.kind]} />
        <text x={x} y={y + 3} textAnchor="middle" fontSize={9} fontWeight={700} fill="var(--mantine-color-white)">
          {symbol}
        </text>
      </g>
    );
  };
}

function markerLines(groups: Map<number, MarkerGroup>) {
  return [...groups.entries()].map(([index, group]) => (
    <ReferenceLine
      key={`marker-${index}`}
      x={group.at}
      stroke={MARKER_COLORS[group.markers[0].kind]}
      strokeDasharray="4 3"
      strokeWidth={1.5}
      ifOverflow="discard"
      label={markerFlag(group)}
    />
  ));
}

type TooltipRow = { label: string; value: string; color?: string };

function TooltipBox({ point, rows, context }: { point: Point; rows: TooltipRow[]; context: ChartContext }) {
  const events = context.groups.get(point.index)?.markers ?? [];
  return (
    <div
      style={{
        background: 'var(--mantine-color-body)', border: '1px solid var(--mantine-color-default-border)', borderRadius: 8,
        color: 'var(--mantine-color-text)', fontSize: 12, padding: '6px 10px', maxWidth: 340, boxShadow: 'var(--mantine-shadow-sm)',
      }}
    >
      <div style={{ fontWeight: 600, marginBottom: 4 }}>
        {formatBucket(point.bucket.t, context.data.bucketSeconds)}
        {point.bucket.partial && <span style={{ color: 'var(--mantine-color-dimmed)', fontWeight: 400 }}> (in progress)</span>}
      </div>
      {rows.map((row) => (
        <div key={row.label} style={{ display: 'flex', justifyContent: 'space-between', gap: 12 }}>
          <span style={{ color: row.color ?? 'var(--mantine-color-dimmed)' }}>{row.label}</span>
          <span style={{ fontVariantNumeric: 'tabular-nums' }}>{row.value}</span>
        </div>
      ))}
      {events.length > 0 && (
        <div style={{ marginTop: 6, borderTop: '1px solid var(--mantine-color-default-border)', paddingTop: 4 }}>
          {events.map((m) => (
            <div key={m.id} style={{ color: MARKER_COLORS[m.kind] }}>
              {m.at.slice(11, 16)} {m.label}
              <div style={{ color: 'var(--mantine-color-dimmed)' }}>{m.detail}</div>
            </div>
          ))}
        </div>
      )}
    </div>
  );
}

function bucketTooltip(context: ChartContext, rowsOf: (point: Point) => TooltipRow[]) {
  return function BucketTooltip({ active, payload }: { active?: boolean; payload?: readonly { payload?: unknown }[] }) {
    const point = payload?.[0]?.payload as Point | undefined;
    return active && point ? <TooltipBox point={point} rows={rowsOf(point)} context={context} /> : null;
  };
}

// A value between two empty buckets would draw no line at all: mark it with a dot.
function isolatedDot(values: (number | null)[], color: string) {
  const isolated = new Set(values.flatMap((v, i) => (v != null && values[i - 1] == null && values[i + 1] == null ? [i] : [])));
  if (isolated.size === 0) return false;
  return function renderDot({ cx, cy, index }: { cx?: number; cy?: number; index?: number }) {
    const i = index ?? -1;
    return isolated.has(i) && cx != null && cy != null ? <circle key={i} cx={cx} cy={cy} r={2.5} fill={color} /> : <g key={i} />;
  };
}

const AvailabilityChart = memo(function AvailabilityChart({ context }: { context: ChartContext }) {
  const { data, points } = context;
  const slo = data.service.sloTarget * 100;
  const values = points.map((p) => p.availability);
  // Zoom in on what matters: from a little under the worst bucket (or the SLO) up to 100%.
  const lowest = Math.min(slo, ...values.filter((v): v is number => v != null));
  const span = 100 - lowest;
  const padded = Math.max(0, lowest - Math.max(span * 0.2, 0.05));
  const step = 10 ** Math.floor(Math.log10(100 - padded));
  const min = Math.max(0, Math.floor(padded / step) * step);
  return (
    <ChartCard title="Availability" caption={`Share of requests that succeeded in each ${formatBucketWidth(data.bucketSeconds)}; the dashed line is the SLO target. Gaps: no traffic.`}>
      <LineChart data={points} responsive style={{ width: '100%', height: HEIGHT }} margin={MARGIN}>
        <CartesianGrid {...GRID} />
        {timeAxis(context)}
        <YAxis {...AXIS} width={60} domain={[min, 100]} allowDataOverflow tickFormatter={(v: number) => `${Number(v.toFixed(2))}%`} label={yLabel('% succeeded')} />
        <Tooltip
          cursor={{ stroke: 'var(--mantine-color-default-border)' }}
          content={bucketTooltip(context, (p) => [
            { label: 'Availability', value: formatPercent(p.bucket.availability, 3), color: COLORS.availability },
            { label: 'Requests', value: formatCount(p.bucket.requests) },
            { label: 'Failed', value: formatCount(p.bucket.failures) },
            { label: 'SLO target', value: formatPercent(data.service.sloTarget, 3) },
          ])}
        />
        <Legend {...LEGEND} />
        <ReferenceLine y={slo} stroke={COLORS.slo} strokeDasharray="6 4" ifOverflow="extendDomain" label={{ value: `SLO ${formatPercent(data.service.sloTarget, 3)}`, position: 'insideBottomLeft', ...AXIS_LABEL }} />
        {markerLines(context.groups)}
        <Line dataKey="availability" name="Availability" stroke={COLORS.availability} strokeWidth={2} dot={isolatedDot(values, COLORS.availability)} isAnimationActive={false} />
      </LineChart>
    </ChartCard>
  );
});

const BudgetChart = memo(function BudgetChart({ context }: { context: ChartContext }) {
  const { data, points } = context;
  const { budget, service, totals } = data;
  const remaining = budget.mode === 'remaining';
  const slo = formatPercent(service.sloTarget, 3);
  const allowed = budget.allowedFailures == null ? null : budget.allowedFailures < 10 ? budget.allowedFailures.toFixed(1) : formatCount(budget.allowedFailures);
  const caption = remaining
    ? `Error budget left over these 30 days, 100% at their start: SLO ${slo} of ${formatCount(totals.requests)} requests allows ${allowed ?? 'no'} failures.` +
      (service.sloWindowDays !== 30 ? ` The service's SLO window is ${service.sloWindowDays} days; this chart reads the last 30.` : '')
    : `Share of this range's own error budget used so far: SLO ${slo} of its ${formatCount(totals.requests)} requests allows ${allowed ?? 'no'} failures. Not the ${service.sloWindowDays}-day SLO window.`;
  // Always show the whole budget (100%) and zero; overspending stretches the axis to a round end.
  const domain = ([lowest, highest]: readonly [number, number]): [number, number] => (remaining ? [-niceCeil(Math.max(0, -lowest)), 100] : [0, niceCeil(Math.max(100, highest))]);
  return (
    <ChartCard title={remaining ? 'Error budget remaining' : 'Error budget consumed in this range'} caption={caption}>
      <AreaChart data={points} responsive style={{ width: '100%', height: HEIGHT }} margin={MARGIN}>
        <CartesianGrid {...GRID} />
        {timeAxis(context)}
        <YAxis {...AXIS} width={60} domain={domain} tickFormatter={(v: number) => `${Math.round(v)}%`} label={yLabel(remaining ? '% of budget left' : '% of budget used')} />
        <Tooltip
          cursor={{ stroke: 'var(--mantine-color-default-border)' }}
          content={bucketTooltip(context, (p) => [
            { label: remaining ? 'Budget left after this' : 'Budget used by now', value: formatBudget(p.bucket.budget), color: COLORS.budget },
            { label: 'Failed in this bucket', value: formatCount(p.bucket.failures) },
          ])}
        />
        <Legend {...LEGEND} />
        <ReferenceLine
          y={remaining ? 0 : 100}
          stroke="var(--mantine-color-red-6)"
          strokeDasharray="6 4"
          label={{ value: remaining ? 'budget spent' : 'whole budget of the range', position: 'insideTopLeft', ...AXIS_LABEL }}
        />
        {markerLines(context.groups)}
        <Area
          dataKey="budget"
          name={remaining ? 'Budget remaining' : 'Budget consumed'}
          type="stepAfter"
          stroke={COLORS.budget}
          fill={COLORS.budget}
          fillOpacity={0.15}
          strokeWidth={2}
          isAnimationActive={false}
        />
      </AreaChart>
    </ChartCard>
  );
});

const LatencyChart = memo(function LatencyChart({ context }: { context: ChartContext }) {
  const { data, points } = context;
  const series = [
    { key: 'p50', name: 'p50', color: COLORS.p50, dashed: false },
    { key: 'p95', name: 'p95', color: COLORS.p95, dashed: false },
    { key: 'p99', name: 'p99', color: COLORS.p99, dashed: false },
    { key: 'ttftP50', name: 'TTFT p50', color: COLORS.ttftP50, dashed: true },
    { key: 'ttftP95', name: 'TTFT p95', color: COLORS.ttftP95, dashed: true },
  ] as const;
  const hasTtft = points.some((p) => p.bucket.ttftP50 != null);
  return (
    <ChartCard
      title="Latency and time to first token"
      caption={`Whole-request latency percentiles of each ${formatBucketWidth(data.bucketSeconds)}, as clients saw them; dashed: time to first token of streamed answers${hasTtft ? '' : ' (none in this range)'}.`}
    >
      <LineChart data={points} responsive style={{ width: '100%', height: HEIGHT }} margin={MARGIN}>
        <CartesianGrid {...GRID} />
        {timeAxis(context)}
        <YAxis {...AXIS} width={60} tickFormatter={(v: number) => v.toLocaleString('en-US')} label={yLabel('ms')} />
        <Tooltip
          cursor={{ stroke: 'var(--mantine-color-default-border)' }}
          content={bucketTooltip(context, (p) => series.map((s) => ({ label: s.name, value: formatMs(p.bucket[s.key]), color: s.color })))}
        />
        <Legend {...LEGEND} />
        {markerLines(context.groups)}
        {series.map((s) => (
          <Line
            key={s.key}
            dataKey={(p: Point) => p.bucket[s.key]}
            name={s.name}
            stroke={s.color}
            strokeWidth={s.dashed ? 1.5 : 2}
            strokeDasharray={s.dashed ? '5 3' : undefined}
            dot={isolatedDot(points.map((p) => p.bucket[s.key]), s.color)}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </ChartCard>
  );
});

const VolumeChart = memo(function VolumeChart({ context }: { context: ChartContext }) {
  const { data, points, shownClasses } = context;
  const hasOther = points.some((p) => p.other > 0);
  const width = formatBucketWidth(data.bucketSeconds);
  return (
    <ChartCard title="Requests and errors by class" caption={`Client requests per ${width}: without an error, then by error class. The tooltip says how they were answered.`}>
      <BarChart data={points} responsive style={{ width: '100%', height: HEIGHT }} margin={MARGIN} barCategoryGap={1}>
        <CartesianGrid {...GRID} />
        {timeAxis(context)}
        <YAxis {...AXIS} width={60} allowDecimals={false} tickFormatter={(v: number) => v.toLocaleString('en-US')} label={yLabel(`requests / ${width}`)} />
        <Tooltip
          cursor={{ fill: 'var(--mantine-color-default-hover)' }}
          content={bucketTooltip(context, (p) => [
            { label: 'Requests', value: formatCount(p.bucket.requests) },
            { label: 'No error', value: formatCount(p.ok), color: COLORS.ok },
            ...Object.entries(p.bucket.errorsByClass)
              .sort((a, b) => b[1] - a[1])
              .map(([errorClass, n]) => {
                const i = shownClasses.indexOf(errorClass);
                return { label: errorClass, value: formatCount(n), color: i >= 0 ? ERROR_CLASS_COLORS[i] : OTHER_COLOR };
              }),
            ...Object.entries(p.bucket.servedBy)
              .sort((a, b) => b[1] - a[1])
              .map(([how, n]) => ({ label: `answered: ${how}`, value: formatCount(n) })),
          ])}
        />
        <Legend {...LEGEND} />
        {markerLines(context.groups)}
        <Bar dataKey="ok" name="No error" stackId="requests" fill={COLORS.ok} isAnimationActive={false} />
        {shownClasses.map((errorClass, i) => (
          <Bar key={errorClass} dataKey={(p: Point) => p.errors[i]} name={errorClass} stackId="requests" fill={ERROR_CLASS_COLORS[i]} isAnimationActive={false} />
        ))}
        {hasOther && <Bar dataKey="other" name="other errors" stackId="requests" fill={OTHER_COLOR} isAnimationActive={false} />}
      </BarChart>
    </ChartCard>
  );
});

function MarkerLegend() {
  return (
    <Group gap="md" aria-label="Marker colours">
      {(Object.keys(MARKER_KIND_LABELS) as MarkerKind[]).map((kind) => (
        <Group key={kind} gap={6} wrap="nowrap">
          <svg width={14} height={14} aria-hidden>
            <circle cx={7} cy={7} r={6} fill={MARKER_COLORS[kind]} />
            <text x={7} y={10} textAnchor="middle" fontSize={8} fontWeight={700} fill="var(--mantine-color-white)">
              {MARKER_SYMBOLS[kind]}
            </text>
          </svg>
          <Text size="xs">{MARKER_KIND_LABELS[kind]}</Text>
        </Group>
      ))}
      <Text size="xs" c="dimmed">
        Hover a flag or a bucket for details; a number counts the events in one bucket.
      </Text>
    </Group>
  );
}

function EventsTable({ markers, truncated }: { markers: ChartMarker[]; truncated: boolean }) {
  const [showAll, setShowAll] = useState(false);
  if (markers.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No tier change, breaker transition or routing flip in this range.
      </Text>
    );
  }
  const newestFirst = [...markers].reverse();
  const shown = showAll ? newestFirst : newestFirst.slice(0, EVENTS_SHOWN);
  return (
    <Stack gap={4}>
      <Table.ScrollContainer minWidth={640}>
        <Table verticalSpacing={4} fz="sm" aria-label="Events in this range">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={160}>When</Table.Th>
              <Table.Th w={130}>Kind</Table.Th>
              <Table.Th>What</Table.Th>
              <Table.Th>Detail</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map((m) => (
              <Table.Tr key={m.id}>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatUtc(m.at)}</Table.Td>
                <Table.Td>
                  <Badge size="sm" variant="light" color={MARKER_BADGE_COLORS[m.kind]} tt="none">
                    {MARKER_KIND_LABELS[m.kind]}
                  </Badge>
                </Table.Td>
                <Table.Td>{m.label}</Table.Td>
                <Table.Td c="dimmed">{m.detail}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group gap="sm">
        {markers.length > EVENTS_SHOWN && (
          <Button variant="subtle" size="compact-xs" onClick={() => setShowAll((v) => !v)}>
            {showAll ? 'Show the latest only' : `Show all ${markers.length}`}
          </Button>
        )}
        {truncated && (
          <Text size="xs" c="dimmed">
            Busy range: only the latest {MARKERS_PER_KIND} events of each kind are charted.
          </Text>
        )}
      </Group>
    </Stack>
  );
}

function ChartsSkeleton() {
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md" aria-busy="true" aria-label="Loading charts">
      {[0, 1, 2, 3].map((i) => (
        <Skeleton key={i} height={HEIGHT + 70} radius="md" />
      ))}
    </SimpleGrid>
  );
}

function toContext(data: ServiceChartData): ChartContext {
  const from = Date.parse(data.from);
  const to = Date.parse(data.to);
  const bucketMs = data.bucketSeconds * 1000;
  const shownClasses = data.errorClasses.slice(0, MAX_ERROR_CLASSES);
  const points = data.buckets.map((bucket, index): Point => {
    const classified = Object.values(bucket.errorsByClass).reduce((sum, n) => sum + n, 0);
    const errors = shownClasses.map((errorClass) => bucket.errorsByClass[errorClass] ?? 0);
    return {
      x: Date.parse(bucket.t) + bucketMs / 2,
      index,
      bucket,
      availability: bucket.availability == null ? null : bucket.availability * 100,
      budget: bucket.budget == null ? null : bucket.budget * 100,
      ok: Math.max(0, bucket.requests - classified),
      errors,
      other: classified - errors.reduce((sum, n) => sum + n, 0),
    };
  });
  return { data, points, ticks: timeTicks(data.range, from, to), domain: [from, to], groups: clusterMarkers(groupMarkers(data.markers, from, bucketMs, data.buckets.length), Math.max(1, Math.ceil(data.buckets.length * FLAG_WIDTH_SHARE))), shownClasses };
}

type ChartsState = {
  serviceName: string;
  range: ChartRange;
  setRange: (range: ChartRange) => void;
  query: ReturnType<typeof useServiceChartQuery>;
  context: ChartContext | null;
};

function useServiceChartQuery(serviceName: string, range: ChartRange, initial: ServiceChartData | undefined) {
  const seed = initial && initial.range === range ? initial : undefined;
  return useQuery({ ...chartQueries.service(serviceName, range), initialData: seed, initialDataUpdatedAt: seed ? Date.parse(seed.generatedAt) : undefined });
}

const ChartsContext = createContext<ChartsState | null>(null);

function useCharts(): ChartsState {
  const state = useContext(ChartsContext);
  if (!state) throw new Error('ServiceCharts and ServiceHistory need a ServiceChartsProvider around them');
  return state;
}

/**
 * One time range for every chart of the service page, chosen once (in the
 * charts' header): the charts and the events of the History section read the
 * same query. `initial` is a server-rendered first paint of the default range
 * (the smallest that holds the service's data).
 */
export function ServiceChartsProvider({ serviceName, initial, children }: { serviceName: string; initial?: ServiceChartData; children: React.ReactNode }) {
  const [range, setRange] = useState<ChartRange>(initial?.range ?? '24h');
  const query = useServiceChartQuery(serviceName, range, initial);
  const context = useMemo(() => (query.data ? toContext(query.data) : null), [query.data]);
  return <ChartsContext.Provider value={{ serviceName, range, setRange, query, context }}>{children}</ChartsContext.Provider>;
}

function ChartsFailure({ subject }: { subject: string }) {
  const { query } = useCharts();
  const { data, error } = query;
  if (!error) return null;
  return (
    <LiveDataAlert error={error} subject={subject}>
      <Group justify="space-between" gap="sm">
        <Text size="sm">
          {error.message}
          {data && !error.isFinal && ' Showing the last data received.'}
        </Text>
        <Button size="xs" variant="light" leftSection={<IconRefresh size={14} />} onClick={() => void query.refetch()} loading={query.isFetching}>
          Retry
        </Button>
      </Group>
    </LiveDataAlert>
  );
}

/**
 * Traffic of one service over 1 h to 30 d: availability against the SLO, the
 * error budget, latency and TTFT percentiles, requests and errors by class,
 * with tier changes, breaker transitions and routing flips marked on the time
 * axis, and the range every chart of the page shows. Polls as often as the
 * chosen range's buckets can move.
 */
export function ServiceCharts() {
  const { serviceName, range, setRange, query, context } = useCharts();
  const headingId = useId();
  const spec = RANGE_SPECS[range];

  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby={headingId} data-testid="service-charts">
      <Group justify="space-between" align="center" mb="xs" wrap="wrap">
        <Title order={3} size="h4" id={headingId}>
          Traffic
        </Title>
        <Group gap="md" wrap="wrap">
          {query.data && <UpdatedAgo updatedAt={query.dataUpdatedAt} fetching={query.isFetching} />}
          <SegmentedControl
            size="xs"
            aria-label="Chart range"
            value={range}
            onChange={(value) => setRange(value as ChartRange)}
            data={CHART_RANGES.map((value) => ({ value, label: RANGE_LABELS[value] }))}
          />
        </Group>
      </Group>
      <Stack gap="md">
        {context ? (
          <Text size="sm" c="dimmed">
            {spec.label} in {formatBucketWidth(context.data.bucketSeconds)} buckets:{' '}
            {context.data.totals.requests > 0 ? (
              <>
                {formatCount(context.data.totals.requests)} requests, {formatCount(context.data.totals.failures)} failed, availability{' '}
                <Text span fw={600} c={(context.data.totals.availability ?? 1) < context.data.service.sloTarget ? 'red' : undefined}>
                  {formatPercent(context.data.totals.availability, 3)}
                </Text>{' '}
                against an SLO of {formatPercent(context.data.service.sloTarget, 3)}.
              </>
            ) : (
              'no traffic.'
            )}
          </Text>
        ) : null}
        <ChartsFailure subject="Charts" />
        {!context ? (
          query.error ? null : <ChartsSkeleton />
        ) : context.data.totals.requests === 0 ? (
          <EmptyState title="No traffic in this range">
            Nothing called {serviceName} through the gateway in the {spec.label.toLowerCase()}, so there is no availability, latency or budget to chart. The events of the range are under History.
          </EmptyState>
        ) : (
          <>
            <MarkerLegend />
            <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
              <AvailabilityChart context={context} />
              <BudgetChart context={context} />
              <LatencyChart context={context} />
              <VolumeChart context={context} />
            </SimpleGrid>
          </>
        )}
      </Stack>
    </Card>
  );
}

/** What changed in the charts' range: tier changes, breaker transitions and routing flips, newest first. */
export function ServiceHistory() {
  const { range, context, query } = useCharts();
  const headingId = useId();
  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby={headingId} data-testid="service-history">
      <Title order={3} size="h4" id={headingId} mb="xs">
        Events in the {RANGE_SPECS[range].label.toLowerCase()}
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        The range of the traffic charts; choose another there.
      </Text>
      <ChartsFailure subject="History" />
      {context ? <EventsTable markers={context.data.markers} truncated={context.data.markersTruncated} /> : query.error ? null : <Skeleton height={120} radius="md" />}
    </Card>
  );
}
