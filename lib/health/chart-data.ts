import 'server-only';
// History charts of one service over 1 h to 30 d, read from the rollups only
// (ServiceRollup: per-minute rows for 1 h and 24 h, per-hour rows for 7 d and
// 30 d), never from raw requests or samples: a 30-day chart must answer in well
// under 300 ms with millions of raw rows in the database. PostgreSQL groups the
// rollup rows into chart buckets (date_bin, one pass, histograms summed element
// by element: measured faster than sending every rollup row and merging them
// here), so at most ~170 rows leave the database; downsample.ts turns them into
// points. Markers on the time axis come from the small event
// tables: tier changes, breaker transitions, routing overrides.
import { describeCapacity } from '@/lib/degradation/describe';
import { TIER_LABELS } from '@/lib/routing/tier';
import type { Tier } from '@/lib/routing/enums';
import { db, Prisma } from '@/lib/server/db';
import { HISTOGRAM_LENGTH } from './histogram';
import { burnDown, chartWindow, defaultChartRange, fillBuckets, firstDataAt, MARKERS_PER_KIND, rankErrorClasses, RANGE_SPECS, type BudgetMode, type ChartBucket, type ChartRange, type GroupedCount, type GroupedRollup } from './downsample';

export type MarkerKind = 'tier' | 'tier_override' | 'breaker' | 'flip';

/** Something that happened on the time axis: a tier change (automatic or by an operator), a breaker transition of a chain target, a manual routing flip. */
export type ChartMarker = { id: string; at: string; kind: MarkerKind; label: string; detail: string };

export type ServiceChartData = {
  generatedAt: string;
  range: ChartRange;
  service: { id: string; name: string; sloTarget: number; sloWindowDays: number };
  bucketSeconds: number;
  /** First bucket's start and last bucket's end (ISO); the last bucket is still running. */
  from: string;
  to: string;
  buckets: ChartBucket[];
  /** Every error class seen in the range, most frequent first. */
  errorClasses: string[];
  totals: { requests: number; failures: number; availability: number | null };
  budget: {
    /** 'remaining' on the 30-day range, read as the SLO window; 'consumed' on shorter ranges, which are not one. */
    mode: BudgetMode;
    sloTarget: number;
    /** Failures the range's traffic allows: (1 - SLO) × its requests; null without traffic. */
    allowedFailures: number | null;
  };
  /** Oldest first. */
  markers: ChartMarker[];
  /** Some markers were left out (more than MARKERS_PER_KIND of one kind): the oldest ones. */
  markersTruncated: boolean;
};

const BREAKER_LABELS = { closed: 'closed', open: 'open', half_open: 'half-open' } as const;
const OVERRIDE_LABELS = { pin: 'Pin', drain: 'Drain', force_failover: 'Forced failover' } as const;

// Element-wise sums of the fixed-length histograms, spelled out so PostgreSQL
// merges them in the same single GROUP BY pass as the counts (no unnest).
const histogramSum = (column: string) =>
  Prisma.raw(`ARRAY[${Array.from({ length: HISTOGRAM_LENGTH }, (_, i) => `sum(coalesce(r."${column}"[${i + 1}], 0))`).join(', ')}]::int[]`);
const LATENCY_SUM = histogramSum('latencyHist');
const TTFT_SUM = histogramSum('ttftHist');


function tierMarker(row: { id: bigint; at: Date; from: Tier; to: Tier; cause: string; level: number | null; availableRpm: number | null; demandRpm: number | null; actor: string; reason: string | null }): ChartMarker {
  const change = `${TIER_LABELS[row.from]} → ${TIER_LABELS[row.to]}`;
  const why = row.reason ? `: ${row.reason}` : '';
  const base = { id: `tier-${row.id}`, at: row.at.toISOString() };
  switch (row.cause) {
    case 'automatic': {
      const capacity = row.availableRpm != null && row.demandRpm != null ? `: ${describeCapacity(row.availableRpm, row.demandRpm)}` : '';
      return { ...base, kind: 'tier', label: `Tier ${change}`, detail: `Automatic${capacity}` };
    }
    case 'override':
      return { ...base, kind: 'tier_override', label: `Tier set to ${TIER_LABELS[row.to]}`, detail: `Override by ${row.actor}${why} (${change})` };
    case 'override_cleared':
      return { ...base, kind: 'tier_override', label: `Tier override cleared`, detail: `By ${row.actor}${why} (${change})` };
    case 'override_expired':
      return { ...base, kind: 'tier_override', label: `Tier override expired`, detail: `${change}` };
    default:
      return { ...base, kind: 'tier', label: `Tier ${change}`, detail: `${row.cause} by ${row.actor}${why}` };
  }
}

type OverrideRow = {
  id: string; kind: keyof typeof OVERRIDE_LABELS; reason: string; createdBy: string; createdAt: Date; expiresAt: Date | null; clearedAt: Date | null; clearedBy: string | null;
  target: { name: string } | null;
};

/** An override's creation, and its clearing or expiry, each where it falls inside [start, now]. */
function flipMarkers(row: OverrideRow, start: number, now: number): ChartMarker[] {
  const what = `${OVERRIDE_LABELS[row.kind]}${row.target ? ` ${row.target.name}` : ''}`;
  const inRange = (at: Date | null): at is Date => at != null && at.getTime() >= start && at.getTime() <= now;
  const markers: ChartMarker[] = [];
  if (inRange(row.createdAt)) {
    const until = row.expiresAt ? `, until ${row.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC` : ', until cleared';
    markers.push({ id: `flip-${row.id}-on`, at: row.createdAt.toISOString(), kind: 'flip', label: what, detail: `By ${row.createdBy}: ${row.reason || 'no reason given'}${until}` });
  }
  const expired = row.expiresAt && (!row.clearedAt || row.clearedAt > row.expiresAt) ? row.expiresAt : null;
  if (row.clearedAt && !expired && inRange(row.clearedAt)) {
    markers.push({ id: `flip-${row.id}-off`, at: row.clearedAt.toISOString(), kind: 'flip', label: `${what} cleared`, detail: `By ${row.clearedBy ?? 'unknown'} (set for: ${row.reason || 'no reason given'})` });
  } else if (inRange(expired)) {
    markers.push({ id: `flip-${row.id}-off`, at: expired.toISOString(), kind: 'flip', label: `${what} expired`, detail: `Set by ${row.createdBy}: ${row.reason || 'no reason given'}` });
  }
  return markers;
}

/**
 * When the service's oldest data still charted (30 days at most) arrived; null
 * without any. An hourly rollup starts at the top of its hour although its
 * first request may have come 59 minutes later, so the minute rollups say when
 * the data began whenever they reach back into that hour: a service first used
 * at 03:58 is under an hour old at 04:01, not four minutes past a day's first bucket.
 */
async function firstRollupAt(serviceId: string, now: Date): Promise<number | null> {
  const longest = RANGE_SPECS['30d'];
  const rows = await db().$queryRaw<{ resolutionSec: number; first: Date }[]>`
    SELECT "resolutionSec", min(bucket) AS first FROM "ServiceRollup"
    WHERE "serviceId" = ${serviceId}::uuid AND bucket >= ${new Date(now.getTime() - longest.bucketSeconds * 1_000 * longest.bucketCount)}::timestamp
    GROUP BY "resolutionSec" ORDER BY "resolutionSec"`;
  return firstDataAt(rows.map((row) => ({ resolutionSec: row.resolutionSec, first: row.first.getTime() })));
}

/**
 * A service's history over `range`: per bucket requests, failures,
 * availability, errors by class, how requests were answered, latency and TTFT
 * percentiles, the error budget after it; and the events of the range as
 * markers. Null for an unknown service.
 */
export async function getServiceChartData(serviceName: string, requested: ChartRange | 'auto', now = new Date()): Promise<ServiceChartData | null> {
  const service = await db().service.findUnique({
    where: { name: serviceName },
    select: { id: true, name: true, sloTarget: true, sloWindowDays: true, chain: { select: { target: { select: { id: true, name: true } } } } },
  });
  if (!service) return null;

  const range = requested === 'auto' ? defaultChartRange(await firstRollupAt(service.id, now), now.getTime()) : requested;
  const spec = RANGE_SPECS[range];
  const window = chartWindow(spec, now.getTime());
  const start = new Date(window.start);
  const end = new Date(window.end);
  const chainIds = service.chain.map((entry) => entry.target.id);
  const targetNames = new Map(service.chain.map((entry) => [entry.target.id, entry.target.name]));

  type Row = Omit<GroupedRollup, 'bucket'> & { bucket: Date; errorsByClass: Record<string, number>[] | null; servedBy: Record<string, number>[] | null };
  const [rows, tierChanges, transitions, overrides] = await Promise.all([
    // One index range scan on the primary key (serviceId, resolutionSec, bucket); the JSON
    // counts come along as arrays per chart bucket (a lateral jsonb_each here made the
    // planner prefer a parallel sequential scan of the whole table).
    db().$queryRaw<Row[]>`
      SELECT date_bin(make_interval(secs => ${spec.bucketSeconds}), r.bucket, TIMESTAMP '1970-01-01') AS bucket,
        sum(r.requests)::int AS requests, sum(r.failures)::int AS failures,
        ${LATENCY_SUM} AS "latencyHist", ${TTFT_SUM} AS "ttftHist",
        jsonb_agg(r."errorsByClass") FILTER (WHERE r."errorsByClass" <> '{}'::jsonb) AS "errorsByClass",
        jsonb_agg(r."servedBy") FILTER (WHERE r."servedBy" <> '{}'::jsonb) AS "servedBy"
      FROM "ServiceRollup" r
      WHERE r."serviceId" = ${service.id}::uuid AND r."resolutionSec" = ${spec.resolutionSec} AND r.bucket >= ${start}::timestamp AND r.bucket < ${end}::timestamp
      GROUP BY 1`,
    db().tierChange.findMany({
      where: { serviceId: service.id, at: { gte: start, lte: now } },
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      take: MARKERS_PER_KIND + 1,
      select: { id: true, at: true, from: true, to: true, cause: true, level: true, availableRpm: true, demandRpm: true, actor: true, reason: true },
    }),
    chainIds.length
      ? db().breakerTransition.findMany({
          where: { targetId: { in: chainIds }, at: { gte: start, lte: now } },
          orderBy: [{ at: 'desc' }, { id: 'desc' }],
          take: MARKERS_PER_KIND + 1,
          select: { id: true, targetId: true, from: true, to: true, at: true, cause: true },
        })
      : Promise.resolve([]),
    // As on the live panel: a drain applies to its target in every service, so a drain of a chain target counts here too.
    db().routingOverride.findMany({
      where: {
        AND: [
          { OR: [{ serviceId: service.id }, { kind: 'drain', targetId: { in: chainIds } }] },
          { OR: [{ createdAt: { gte: start, lte: now } }, { clearedAt: { gte: start, lte: now } }, { expiresAt: { gte: start, lte: now } }] },
        ],
      },
      orderBy: { createdAt: 'desc' },
      take: MARKERS_PER_KIND + 1,
      select: { id: true, kind: true, reason: true, createdBy: true, createdAt: true, expiresAt: true, clearedAt: true, clearedBy: true, target: { select: { name: true } } },
    }),
  ]);

  const counts: GroupedCount[] = rows.flatMap((row) => {
    const bucket = row.bucket.getTime();
    const entries = (kind: GroupedCount['kind'], maps: Record<string, number>[] | null) =>
      (maps ?? []).flatMap((map) => Object.entries(map).map(([key, count]) => ({ bucket, kind, key, count: Number(count) })));
    return [...entries('error', row.errorsByClass), ...entries('served', row.servedBy)];
  });
  const buckets = fillBuckets(
    window,
    rows.map(({ bucket, requests, failures, latencyHist, ttftHist }) => ({ bucket: bucket.getTime(), requests, failures, latencyHist, ttftHist })),
    counts,
    now.getTime(),
  );
  const mode: BudgetMode = range === '30d' ? 'remaining' : 'consumed';
  burnDown(buckets, service.sloTarget, mode).forEach((value, i) => (buckets[i].budget = value));
  const requests = buckets.reduce((sum, b) => sum + b.requests, 0);
  const failures = buckets.reduce((sum, b) => sum + b.failures, 0);

  const markers = [
    ...tierChanges.slice(0, MARKERS_PER_KIND).map(tierMarker),
    ...transitions.slice(0, MARKERS_PER_KIND).map((row): ChartMarker => ({
      id: `breaker-${row.id}`,
      at: row.at.toISOString(),
      kind: 'breaker',
      label: `${targetNames.get(row.targetId) ?? 'target'} breaker ${BREAKER_LABELS[row.to]}`,
      detail: `${BREAKER_LABELS[row.from]} → ${BREAKER_LABELS[row.to]}: ${row.cause}`,
    })),
    ...overrides.slice(0, MARKERS_PER_KIND).flatMap((row) => flipMarkers(row, window.start, now.getTime())),
  ].sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));

  return {
    generatedAt: now.toISOString(),
    range,
    service: { id: service.id, name: service.name, sloTarget: service.sloTarget, sloWindowDays: service.sloWindowDays },
    bucketSeconds: spec.bucketSeconds,
    from: start.toISOString(),
    to: end.toISOString(),
    buckets,
    errorClasses: rankErrorClasses(buckets),
    totals: { requests, failures, availability: requests > 0 ? (requests - failures) / requests : null },
    budget: { mode, sloTarget: service.sloTarget, allowedFailures: requests > 0 && service.sloTarget < 1 ? (1 - service.sloTarget) * requests : null },
    markers,
    markersTruncated: [tierChanges, transitions, overrides].some((list) => list.length > MARKERS_PER_KIND),
  };
}
