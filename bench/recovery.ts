// The recovery benchmark of issue 12, in two parts, each against its own
// throwaway database on the benchmark's embedded PostgreSQL:
//
// 1. The compliance grid and a quarter's report for 200 services over a year
//    of history (60,000 disruption episodes, the hour rollups of every
//    service's requests, a year of evidence reports) must answer in under
//    500 ms at the median (server time, as a page calls them).
// 2. The episode detector must keep up with 2,000 requests/s of failing
//    traffic without slowing the gateway: the gateway process's CPU per
//    request with the detector running in it (as the leader replica runs it)
//    within 5% of the same process without it, in alternating passes of one
//    run.
//
// Part of `npm run bench` (bench/run.ts starts this file as a process of its
// own) and runnable alone:
//
//   npm run bench -- recovery
//   BENCH_QUICK=1 npm run bench -- recovery     a tenth of the data and short passes (checks the harness; not the figures)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { BENCH_TOKEN, machine, machineRows, ROOT, runGroup, sleep, startChild, tsNodeArgs, type Child, type Machine } from './harness';
import { timeReads, writeResultsSection, type Timing } from './history';
import { benchLog, benchSecrets, int, ms, openScratchDatabase, pct } from './scratch-database';
import type { OpenLoopRecord } from './loader';
import { median } from './stats';
import type { RecoveryGatewayConfig } from './recovery-gateway';

const QUICK = process.env.BENCH_QUICK === '1';
const SCALE = QUICK ? 0.1 : 1;
const SERVICES = 200;
const TARGETS = 100;
const EXTERNAL = 20;
const EPISODES = Math.round(60_000 * SCALE);
const DAYS = 365;
const TARGET_MS = 500;
const RATE = 2_000;
const PASSES = QUICK ? 2 : 6;
const PASS_S = QUICK ? 4 : 12;
const PRE_PASS_S = 2;
const CPU_TARGET = 0.05;
/** The detector measured alone: this many spans of this length, the detector's own interval. */
const SPANS = QUICK ? 3 : 12;
const SPAN_MS = 5_000;
const DATABASE = 'standby_bench_recovery';
const TMP = path.join(ROOT, 'bench/.tmp');
export const RECOVERY_BEGIN = '<!-- recovery:begin -->';
export const RECOVERY_END = '<!-- recovery:end -->';

const t0 = Date.now();
const log = benchLog('recovery');

type Pass = { detector: boolean; requests: number; failed: number; rps: number; gatewayUs: number; postgresUs: number };
type DetectorRun = { tookMs: number; events: number; episodes: number; lagMs: number };
/** One detector pass over 5 s of recorded traffic, alone: the gateway process's CPU and PostgreSQL's for it. */
type Span = { requests: number; events: number; cpuMs: number; postgresMs: number; wallMs: number };

export type RecoveryResult = {
  machine: Machine;
  loadEnd: string;
  scale: number;
  rows: { episodes: number; evidence: number; serviceRollups: number; components: number; objectives: number };
  setup: { label: string; ms: number }[];
  reads: Timing[];
  passes: Pass[];
  detectorRuns: DetectorRun[];
  spans: Span[];
  elapsedS: number;
};

// ---- part 1: the grid and the report ------------------------------------------------------

async function seed(client: pg.Client, setup: RecoveryResult['setup']) {
  const step = async (label: string, run: () => Promise<unknown>) => {
    const began = performance.now();
    await run();
    setup.push({ label, ms: performance.now() - began });
    log(`${label}: ${((performance.now() - began) / 1000).toFixed(1)} s`);
  };
  const { db } = await import('@/lib/server/db');
  const { syncComponents, addComponent } = await import('@/lib/recovery/components');
  const { SYSTEM_ACTOR } = await import('@/lib/server/auth');
  const { inTransaction } = await import('@/lib/server/mutation');
  const { HISTOGRAM_LENGTH } = await import('@/lib/health/histogram');

  await step(`estate: ${SERVICES} services, ${TARGETS} targets, 3 per chain`, async () => {
    const providers = await Promise.all(['openai', 'anthropic', 'google', 'self-hosted'].map((name, i) =>
      db().provider.create({ data: { name, kind: (['openai', 'anthropic', 'google', 'self_hosted'] as const)[i], apiStyle: i === 1 ? 'anthropic_messages' : 'openai_chat' }, select: { id: true } })));
    const regions = await Promise.all(['us-east', 'us-west', 'eu-west'].map((code) => db().region.create({ data: { code, name: code }, select: { id: true } })));
    await db().target.createMany({
      data: Array.from({ length: TARGETS }, (_, i) => ({
        name: `target-${String(i).padStart(3, '0')}`, providerId: providers[i % 4].id, regionId: regions[i % 3].id, model: 'model', endpointUrl: 'https://example.com/v1',
        rpm: 1_000, tpm: 100_000, contextWindow: 128_000, priceInPerMTok: 1, priceOutPerMTok: 2, qualityClass: 'standard' as const,
      })),
    });
    const targets = await db().target.findMany({ orderBy: { name: 'asc' }, select: { id: true } });
    await db().service.createMany({ data: Array.from({ length: SERVICES }, (_, i) => ({ name: `service-${String(i).padStart(3, '0')}` })) });
    const services = await db().service.findMany({ orderBy: { name: 'asc' }, select: { id: true } });
    await db().chainEntry.createMany({ data: services.flatMap((s, i) => [0, 1, 2].map((position) => ({ serviceId: s.id, targetId: targets[(i * 7 + position * 31) % TARGETS].id, position, failoverOn: ['server_error'] }))) });
  });
  await step('recovery components with their default objectives', async () => {
    await syncComponents(new Date(Date.now() - (DAYS + 5) * 86_400_000));
    await inTransaction(async (tx) => {
      for (let i = 0; i < EXTERNAL; i += 1) await addComponent(tx, { name: `external-${i}`, kind: i % 4 === 0 ? 'conversation_history' : 'external' }, SYSTEM_ACTOR, new Date(Date.now() - (DAYS + 5) * 86_400_000));
    });
    await client.query(`UPDATE "RecoveryObjectiveVersion" SET "changedAt" = now() - interval '${DAYS + 5} days'`);
  });
  // Log-normal RTOs: routing around a second, serving around three minutes; a few long ones breach.
  await step(`${int(EPISODES)} disruption episodes over ${DAYS} days (SQL)`, () =>
    client.query(`
      WITH c AS (SELECT id, "serviceId", "targetId", (row_number() OVER (ORDER BY name) - 1)::int AS i FROM "RecoveryComponent" WHERE kind IN ('service_routing', 'model_serving')),
      g AS (
        SELECT g, ((g * 7919) % (SELECT count(*) FROM c))::int AS i, now() - random() * interval '${DAYS} days' AS started,
          exp(ln(CASE WHEN g % 3 = 0 THEN 180000 ELSE 1200 END) + 1.1 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())) AS rto
        FROM generate_series(1, ${EPISODES}) g
      )
      INSERT INTO "DisruptionEpisode" (id, "componentId", "serviceId", "targetId", disruption, source, status, "startedAt", "detectedAt", "activatedAt", "restoredAt",
        "failedRequests", "totalRequests", "tDetectMs", "tAssessMs", "tActivateMs", "tRestoreMs", "rtoMs", details, "updatedAt")
      SELECT gen_random_uuid(), c.id, c."serviceId", c."targetId", (ARRAY['provider_outage', 'regional_outage', 'capacity_loss', 'model_retirement'])[1 + g % 4]::"DisruptionKind", 'traffic',
        (CASE WHEN g % 10000 = 0 THEN 'open' ELSE 'recovered' END)::"EpisodeStatus", started, started + interval '1 ms' * least(rto, 800), started + interval '1 ms' * rto * 0.2,
        CASE WHEN g % 10000 = 0 THEN NULL ELSE started + interval '1 ms' * rto END, (g % 50)::int, 100 + (g % 900)::int,
        least(rto, 800)::int, 0, greatest(0, rto * 0.2 - least(rto, 800))::int, (rto * 0.8)::int, CASE WHEN g % 10000 = 0 THEN NULL ELSE rto::int END,
        '{"opened":"breaker","triggers":["breaker"],"failingTargets":[],"errorClasses":{"server_error":3},"detectedBy":null,"assessedBy":null,"activatedBy":null,"restoredBy":null}'::jsonb, now()
      FROM g JOIN c ON c.i = g.i`),
  );
  await step('a year of evidence: hourly archive lag and daily backups of every stateful component, monthly restore tests (SQL)', () =>
    client.query(`
      INSERT INTO "RecoveryEvidence" (id, "componentId", kind, "observedAt", "receivedAt", ok, "copyAt", continuous, "rpoMs", "restoreMs", disruption, "values", source)
      SELECT gen_random_uuid(), c.id, 'backup'::"EvidenceKind", at, at, true, at - interval '1 ms' * lag, true, lag, NULL::int, NULL::"DisruptionKind", jsonb_build_object('lagMs', lag), 'bench'
      FROM "RecoveryComponent" c CROSS JOIN LATERAL (SELECT now() - h * interval '1 hour' AS at, (20000 + random() * 40000)::int AS lag FROM generate_series(1, ${Math.round(DAYS * 24 * SCALE)}) h) x
      WHERE c.kind IN ('conversation_history', 'external', 'configuration')
      UNION ALL
      SELECT gen_random_uuid(), c.id, 'backup', at, at, true, at, false, 86400000, NULL, NULL, jsonb_build_object('newestCopyAt', at), 'bench'
      FROM "RecoveryComponent" c CROSS JOIN LATERAL (SELECT now() - d * interval '1 day' AS at FROM generate_series(1, ${Math.round(DAYS * SCALE)}) d) x
      WHERE c.kind IN ('conversation_history', 'external', 'configuration')
      UNION ALL
      SELECT gen_random_uuid(), c.id, 'restore_test', at, at, true, NULL, false, NULL, (200000 + random() * 400000)::int, 'data_loss', '{}'::jsonb, 'bench'
      FROM "RecoveryComponent" c CROSS JOIN LATERAL (SELECT now() - m * interval '30 days' AS at FROM generate_series(1, 12) m) x
      WHERE c.kind IN ('conversation_history', 'external', 'configuration')`),
  );
  const histogram = `array_fill(0, ARRAY[${HISTOGRAM_LENGTH}])`;
  await step(`hour rollups of every service's requests for ${DAYS} days (SQL)`, () =>
    client.query(`
      INSERT INTO "ServiceRollup" ("serviceId", "resolutionSec", bucket, requests, failures, "errorsByClass", "servedBy", "latencySumMs", "latencyHist", "ttftCount", "ttftSumMs", "ttftHist")
      SELECT s.id, 3600, date_trunc('hour', now()) - h * interval '1 hour', r, (r * 0.001)::int, '{}', '{}', r * 900, ${histogram}, 0, 0, ${histogram}
      FROM "Service" s CROSS JOIN generate_series(0, ${Math.round(DAYS * 24 * SCALE)}) h CROSS JOIN LATERAL (SELECT (1000 + random() * 4000)::int AS r) x`),
  );
  await step('ANALYZE', () => client.query('ANALYZE "DisruptionEpisode", "RecoveryEvidence", "ServiceRollup", "RecoveryObjectiveVersion", "RecoveryObjective", "RecoveryComponent"'));
}

/** The size of what a read returns: bytes of a PDF or text, or of its JSON. */
const sizeOf = (value: unknown) => ({ jsonBytes: Buffer.isBuffer(value) ? value.length : typeof value === 'string' ? value.length : JSON.stringify(value).length });
const reads = (list: { label: string; run: () => Promise<unknown> }[]) => timeReads(list.map((read) => ({ ...read, describe: sizeOf })));

// ---- part 2: the detector beside the gateway -------------------------------------------------

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/**
 * CPU of the benchmark's PostgreSQL (its data folder is .standby/bench-pg) and
 * nothing else on the machine: the server's own time, the time of backends
 * that have exited (its cutime and cstime), and that of those still running.
 */
export function postgresCpuMs(): number {
  const processes: { pid: number; ppid: number; server: boolean }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      processes.push({ pid: Number(entry), ppid, server: readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('.standby/bench-pg') });
    } catch {
      /* gone */
    }
  }
  const servers = processes.filter((p) => p.server).map((p) => p.pid);
  const exited = (pid: number) => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return ((Number(fields[13]) + Number(fields[14])) * 1000) / CLOCK_TICKS; // cutime, cstime
    } catch {
      return 0;
    }
  };
  return servers.reduce((sum, pid) => sum + cpuMsOf(pid) + exited(pid), 0) + processes.filter((p) => servers.includes(p.ppid)).reduce((sum, p) => sum + cpuMsOf(p.pid), 0);
}

async function detectorPasses(client: pg.Client): Promise<{ passes: Pass[]; runs: DetectorRun[]; spans: Span[] }> {
  const { db } = await import('@/lib/server/db');
  const { syncComponents } = await import('@/lib/recovery/components');
  const upstream = await startChild<{ port: number }>('upstream', 'bench/upstream.ts');
  const loader = await startChild('loader', 'bench/loader.ts');
  let gateway: Child<{ port: number; pid: number }> | null = null;
  try {
    // A service whose only target fails every request, in this database; the gateway routes it from memory.
    const provider = await db().provider.create({ data: { name: 'failing-provider', kind: 'openai', apiStyle: 'openai_chat' }, select: { id: true } });
    const region = await db().region.create({ data: { code: 'failing-region', name: 'failing' }, select: { id: true } });
    const endpointUrl = `http://127.0.0.1:${upstream.info.port}/failing/v1`;
    const target = await db().target.create({ data: { name: 'failing', providerId: provider.id, regionId: region.id, model: 'bench-model', endpointUrl, rpm: 1_000_000, tpm: 1_000_000_000, contextWindow: 128_000, priceInPerMTok: 0, priceOutPerMTok: 0, qualityClass: 'standard' }, select: { id: true } });
    const service = await db().service.create({ data: { name: 'failing-traffic', chain: { create: [{ targetId: target.id, position: 0, failoverOn: ['server_error'] }] } }, select: { id: true, name: true } });
    await syncComponents();
    await upstream.call('setFailing', { name: 'failing', on: true });
    const config: RecoveryGatewayConfig = { serviceId: service.id, serviceName: service.name, targetId: target.id, endpointUrl, stateId: 'bench-detector' };
    gateway = await startChild<{ port: number; pid: number }>('recovery gateway', 'bench/recovery-gateway.ts', { env: { BENCH_RECOVERY_GATEWAY: JSON.stringify(config), DATABASE_URL: process.env.DATABASE_URL! } });
    const subject = {
      label: 'failing', url: `http://127.0.0.1:${gateway.info.port}/api/v1/chat/completions`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_TOKEN}` },
      body: JSON.stringify({ model: service.name, messages: [{ role: 'user', content: 'fail please' }] }),
    };
    // The warm-up runs the detector too, so that no measured pass pays for its first, cold run.
    log(`warm-up: ${RATE} failing requests/s for ${PRE_PASS_S * 4} s, the detector on`);
    await gateway.call('detector', { on: true });
    await loader.call('openLoopStart', { subject, rate: RATE });
    await sleep(PRE_PASS_S * 4_000);
    await loader.call('openLoopStop');
    await gateway.call('detector', { on: false });
    await gateway.call('takeRuns');

    const passes: Pass[] = [];
    /** When each measured pass's load stopped: the spans measured alone below lie inside the load. */
    const loadEnds: number[] = [];
    for (let i = 0; i < PASSES * 2; i += 1) {
      // Off, on, off, on...; every other pair starts with on, so neither order is favoured by a drift in the machine's load.
      const on = Math.floor(i / 2) % 2 === 0 ? i % 2 === 1 : i % 2 === 0;
      await gateway.call('detector', { on });
      await loader.call('openLoopStart', { subject, rate: RATE });
      await sleep(PRE_PASS_S * 1_000);
      await loader.call<OpenLoopRecord[]>('openLoopStop');
      const before = { gateway: cpuMsOf(gateway.info.pid), postgres: postgresCpuMs(), served: await gateway.call<number>('served') };
      await loader.call('openLoopStart', { subject, rate: RATE });
      await sleep(PASS_S * 1_000);
      const records = await loader.call<OpenLoopRecord[]>('openLoopStop');
      loadEnds.push(Date.now());
      const after = { gateway: cpuMsOf(gateway.info.pid), postgres: postgresCpuMs(), served: await gateway.call<number>('served') };
      const requests = after.served - before.served;
      const pass: Pass = {
        detector: on, requests, failed: records.filter((r) => r.status !== 200).length, rps: records.length / PASS_S,
        gatewayUs: ((after.gateway - before.gateway) * 1000) / requests, postgresUs: ((after.postgres - before.postgres) * 1000) / requests,
      };
      passes.push(pass);
      log(`pass ${i + 1} of ${PASSES * 2}, detector ${on ? 'on ' : 'off'}: ${int(pass.rps)} requests/s sent, gateway ${pass.gatewayUs.toFixed(0)} µs CPU per request, PostgreSQL ${pass.postgresUs.toFixed(0)} µs`);
    }
    await gateway.call('detector', { on: false });
    const runs = await gateway.call<DetectorRun[]>('takeRuns');
    const episodes = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "DisruptionEpisode" WHERE "serviceId" = $1 OR "targetId" = $2`, [service.id, target.id]);
    const recorded = await client.query<{ n: string; first: Date; last: Date }>(`SELECT count(*) AS n, min(at) AS first, max(at) AS last FROM "RequestRecord" WHERE "serviceId" = $1`, [service.id]);
    log(`recorded ${recorded.rows[0].n} requests from ${recorded.rows[0].first?.toISOString()} to ${recorded.rows[0].last?.toISOString()}; recorder ${JSON.stringify(await gateway.call('recorder'))}`);
    log(`detector: ${runs.length} runs, median ${ms(median(runs.map((r) => r.tookMs)))} each; ${episodes.rows[0].n} episodes for the failing service and target`);

    // The same work measured alone: the detector over a 5 s span of each pass's traffic (ending a second before
    // the load stopped, so the span is all load), with no load running.
    const spans: Span[] = [];
    for (const end of loadEnds.slice(-SPANS)) {
      const from = end - 1_000 - SPAN_MS;
      const requests = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM "RequestRecord" WHERE "serviceId" = $1 AND at > $2 AND at <= $3`, [service.id, new Date(from), new Date(from + SPAN_MS)])).rows[0].n);
      const postgresBefore = postgresCpuMs();
      const measured = await gateway.call<{ cpuMs: number; wallMs: number; events: number }>('detectSpan', { from, to: from + SPAN_MS });
      spans.push({ requests, events: measured.events, cpuMs: measured.cpuMs, wallMs: measured.wallMs, postgresMs: postgresCpuMs() - postgresBefore });
    }
    log(`detector alone over ${SPANS} spans of ${SPAN_MS / 1000} s: median ${ms(median(spans.map((s) => s.cpuMs)))} of gateway-process CPU and ${ms(median(spans.map((s) => s.postgresMs)))} of PostgreSQL CPU per span of ${int(median(spans.map((s) => s.requests)))} requests`);
    return { passes, runs, spans };
  } finally {
    await gateway?.stop();
    await loader.stop();
    await upstream.stop();
  }
}

// ---- the report -----------------------------------------------------------------------------

export function recoverySection(r: RecoveryResult): string {
  const verdict = (met: boolean) => (met ? '**met**' : '**missed**');
  const on = r.passes.filter((p) => p.detector);
  const off = r.passes.filter((p) => !p.detector);
  const perRequest = (list: Pass[], pick: (p: Pass) => number) => list.reduce((sum, p) => sum + pick(p) * p.requests, 0) / list.reduce((sum, p) => sum + p.requests, 0);
  const gatewayOn = perRequest(on, (p) => p.gatewayUs);
  const gatewayOff = perRequest(off, (p) => p.gatewayUs);
  const cpuRatio = gatewayOn / gatewayOff - 1;
  const grid = r.reads.find((x) => x.label.startsWith('getCompliance(last 90 days)'))!;
  const report = r.reads.find((x) => x.label.startsWith('getRecoveryReport'))!;
  const runs = r.detectorRuns;
  const spanCpuUs = (median(r.spans.map((s) => s.cpuMs)) * 1000) / Math.max(1, median(r.spans.map((s) => s.requests)));
  const spanPostgresUs = (median(r.spans.map((s) => s.postgresMs)) * 1000) / Math.max(1, median(r.spans.map((s) => s.requests)));
  const maxLag = Math.max(...runs.map((x) => x.lagMs));
  const lines = [
    RECOVERY_BEGIN,
    '## 7. Recovery objectives: the grid, the report, and the episode detector (issue 12)',
    '',
    `Written by bench/recovery.ts (\`npm run bench -- recovery\`) on ${r.machine.date.slice(0, 10)} at ${r.machine.date.slice(11, 16)} UTC, in ${(r.elapsedS / 60).toFixed(1)} minutes.`,
    '',
    ...machineRows(r.machine),
    `| load average (1 / 5 / 15 min) | ${r.machine.load} at the start, ${r.loadEnd} at the end |`,
    '',
    ...(r.scale !== 1 ? [`**Reduced scale (${r.scale}, BENCH_QUICK): not the issue's figures.**`, ''] : []),
    '| target | result | |',
    '|---|---|---|',
    `| the compliance grid (200 services, a year of history) under ${TARGET_MS} ms at the median | ${ms(grid.medianMs)} | ${verdict(grid.medianMs < TARGET_MS)} |`,
    `| a quarter's report under ${TARGET_MS} ms at the median | ${ms(report.medianMs)} | ${verdict(report.medianMs < TARGET_MS)} |`,
    `| gateway CPU per request with the detector within 5% of without, at ${int(RATE)} failing requests/s | ${gatewayOn.toFixed(0)} µs with, ${gatewayOff.toFixed(0)} µs without: ${pct(cpuRatio)} | ${verdict(cpuRatio <= CPU_TARGET)} |`,
    `| the same, from the detector's own CPU measured alone (below) | ${spanCpuUs.toFixed(1)} µs per request recorded, ${pct(spanCpuUs / gatewayOff)} of the gateway's ${gatewayOff.toFixed(0)} µs | ${verdict(spanCpuUs / gatewayOff <= CPU_TARGET)} |`,
    `| the detector keeps up (every run within its ${5} s interval, no growing backlog) | runs take ${ms(median(runs.map((x) => x.tookMs)))} at the median, ${ms(Math.max(...runs.map((x) => x.tookMs)))} at most; data at most ${ms(maxLag)} behind | ${verdict(runs.length > 0 && Math.max(...runs.map((x) => x.tookMs)) < 5_000 && maxLag < 15_000)} |`,
    '',
    `The database: ${int(r.rows.components)} recovery components (a routing component per service, a serving component per target, ${EXTERNAL} components outside Standby and the configuration) with ${int(r.rows.objectives)} objectives; ${int(r.rows.episodes)} disruption episodes spread over ${DAYS} days (log-normal RTOs, a few still open); ${int(r.rows.evidence)} evidence reports (hourly archive lag, daily backups, monthly restore tests of every stateful component); ${int(r.rows.serviceRollups)} hour rollups of the services' requests (the report's traffic table reads them).`,
    '',
    '| setup step | time |',
    '|---|---|',
    ...r.setup.map((s) => `| ${s.label} | ${(s.ms / 1000).toFixed(1)} s |`),
    '',
    'Reads, server time: each function called in-process, as the page and the download route call it; 3 unmeasured runs, then the median of 15, the reads taking turns (bench/history.ts timeReads).',
    '',
    '| read | median | fastest | slowest | size |',
    '|---|---|---|---|---|',
    ...r.reads.map((x) => `| ${x.label} | ${ms(x.medianMs)} | ${ms(x.minMs)} | ${ms(x.maxMs)} | ${((x.jsonBytes ?? 0) / 1024).toFixed(0)} KiB |`),
    '',
    `The detector beside the gateway: one gateway process (bench/recovery-gateway.ts: the real handler, an in-memory snapshot, the real recorder writing every attempt and request to PostgreSQL) serves a service whose only upstream answers 503 to everything, with breakers that never open, so that each of the ${int(RATE)} requests a second (an open loop, bench/loader.ts) is a failed attempt and a failed request to record and to detect. The detector runs in the same process every 5 s, as the leader replica runs it, and is switched on and off between passes of ${PASS_S} s (each after ${PRE_PASS_S} s of unmeasured load; the order alternates by pairs). CPU from /proc, per request served in the pass.`,
    '',
    '| pass | detector | requests/s sent | requests failed (as meant) | gateway CPU per request | PostgreSQL CPU per request |',
    '|---|---|---|---|---|---|',
    ...r.passes.map((p, i) => `| ${i + 1} | ${p.detector ? 'on' : 'off'} | ${int(p.rps)} | ${int(p.failed)} | ${p.gatewayUs.toFixed(0)} µs | ${p.postgresUs.toFixed(0)} µs |`),
    `| **all** | on / off | | | **${gatewayOn.toFixed(0)} / ${gatewayOff.toFixed(0)} µs (${pct(cpuRatio)})** | ${perRequest(on, (p) => p.postgresUs).toFixed(0)} / ${perRequest(off, (p) => p.postgresUs).toFixed(0)} µs |`,
    '',
    `Alone: the detector over ${r.spans.length} spans of ${SPAN_MS / 1000} s (its interval) of the traffic just recorded, with no load running, so that its own cost is not lost in the machine's noise: median ${median(r.spans.map((s) => s.cpuMs)).toFixed(1)} ms of the gateway process's CPU and ${median(r.spans.map((s) => s.postgresMs)).toFixed(1)} ms of PostgreSQL's per span of ${int(median(r.spans.map((s) => s.requests)))} requests (${spanCpuUs.toFixed(1)} and ${spanPostgresUs.toFixed(1)} µs per request; ${int(median(r.spans.map((s) => s.events)))} events per span, wall time ${ms(median(r.spans.map((s) => s.wallMs)))}).`,
    '',
    `Detector runs while on: ${runs.length}; rows aggregated per run (100 ms buckets per target, service and outcome, as events): median ${int(median(runs.map((x) => x.events)))}; time per run median ${ms(median(runs.map((x) => x.tookMs)))}, slowest ${ms(Math.max(...runs.map((x) => x.tookMs)))}. The detector's reading is aggregated in PostgreSQL, so its cost shows in the PostgreSQL column more than in the gateway's; the machine is shared and loaded, so compare the columns side by side rather than with other runs.`,
    RECOVERY_END,
  ];
  return lines.join('\n') + '\n';
}

/** Runs this file as a process of its own (its own process group, so an interrupted run stops its PostgreSQL too); resolves with its exit code. */
export function runRecoveryBench(): Promise<number> {
  return runGroup(process.execPath, tsNodeArgs('bench/recovery.ts'), {}, 40 * 60_000);
}

// ---- main -----------------------------------------------------------------------------------

async function main() {
  benchSecrets();
  mkdirSync(TMP, { recursive: true });
  const host = machine();
  log(`${host.cpu}, ${host.cores} cores, ${host.memory}; load average ${host.load}${QUICK ? ' (QUICK: not the issue\'s figures)' : ''}`);
  const database = await openScratchDatabase(DATABASE);
  const { client } = database;
  try {
    const setup: RecoveryResult['setup'] = [];
    await seed(client, setup);

    const { getCompliance, getRecoveryReport, getServiceTraffic } = await import('@/lib/recovery/data');
    const { parsePeriod, quarterKeyOf } = await import('@/lib/recovery/period');
    const { renderReportPdf } = await import('@/lib/recovery/report-pdf');
    const now = Date.now();
    const last = parsePeriod(quarterKeyOf(now - 92 * 86_400_000), now)!;
    const rolling = parsePeriod('90d', now)!;
    const timings = await reads([
      { label: 'getCompliance(last 90 days): the grid and every service\'s posture', run: () => getCompliance(rolling) },
      { label: `getCompliance(${last.key})`, run: () => getCompliance(last) },
      { label: `getRecoveryReport(${last.key}): grid, posture, breaches with their episodes, 60 episodes, weekly chart`, run: () => getRecoveryReport(last) },
      { label: `getServiceTraffic(${last.key}): requests per service from the hour rollups (the page streams it in after the rest; the PDF and CSV wait for it)`, run: () => getServiceTraffic(last) },
    ]);
    const report = await getRecoveryReport(last, { traffic: true });
    const pdf = await reads([{ label: `renderReportPdf(${last.key}) after the report is read (the download's extra work)`, run: () => renderReportPdf(report, { link: 'http://localhost/recovery/report' }) }]);

    const count = async (sql: string) => Number((await client.query<{ n: string }>(sql)).rows[0].n);
    const rows = {
      episodes: await count('SELECT count(*) AS n FROM "DisruptionEpisode"'),
      evidence: await count('SELECT count(*) AS n FROM "RecoveryEvidence"'),
      serviceRollups: await count('SELECT count(*) AS n FROM "ServiceRollup"'),
      components: await count('SELECT count(*) AS n FROM "RecoveryComponent"'),
      objectives: await count('SELECT count(*) AS n FROM "RecoveryObjective"'),
    };

    if (process.env.BENCH_RECOVERY_GRID_ONLY === '1') return; // profiling the reads: nothing written
    log(`the detector beside the gateway at ${RATE} failing requests/s, ${PASSES * 2} passes of ${PASS_S} s`);
    const { passes, runs, spans } = await detectorPasses(client);

    const result: RecoveryResult = { machine: host, loadEnd: os.loadavg().map((l) => l.toFixed(2)).join(' / '), scale: SCALE, rows, setup, reads: [...timings, ...pdf], passes, detectorRuns: runs, spans, elapsedS: (Date.now() - t0) / 1000 };
    writeFileSync(path.join(TMP, 'recovery.json'), JSON.stringify(result, null, 2));
    writeResultsSection(recoverySection(result), RECOVERY_BEGIN, RECOVERY_END);
    log('wrote the recovery section of bench/RESULTS.md');
  } finally {
    await database.close({ keep: process.env.BENCH_RECOVERY_KEEP === '1', log });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(__filename)) {
  main()
    .then(() => process.exit(0))
    .catch((error) => {
      console.error('[bench recovery] failed:', error);
      process.exit(1);
    });
}
