// The drills benchmark of issue 14 (section 10 of RESULTS.md), against its own
// throwaway database on the benchmark's embedded PostgreSQL:
//
// 1. A fault's start and end are seen by two replicas (each a process with a
//    real SnapshotSource) in under 200 ms at the median: from just before the
//    run starts (startRun) or is halted (haltRun) to the moment each
//    replica's routing snapshot holds, or no longer holds, its lease.
// 2. A halt ends the faults within 1 s of the condition: failed client
//    requests are written (as the recorder writes them) so that the error-rate
//    condition holds from that instant; the drill controller ticks every
//    500 ms as the leader runs it; time from the write to both replicas
//    losing the lease.
// 3. Injection adds no measurable cost to requests it does not touch: the
//    gateway's CPU per request (process.cpuUsage of the process serving them,
//    in passes alternating the two cases) with no fault defined and with a
//    fault leased on another target.
//
//   npm run bench -- drills
//   BENCH_QUICK=1 npm run bench -- drills     fewer rounds (checks the harness)
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { machine, machineRows, now, ROOT, runGroup, runWhenMain, sleep, startChild, tsNodeArgs, type Child, type Machine } from './harness';
import { writeResultsSection } from './history';
import { benchSecrets, benchUser, openScratchDatabase, seedBenchService } from './scratch-database';
import { median } from './stats';

const QUICK = process.env.BENCH_QUICK === '1';
const ROUNDS = QUICK ? 5 : 20;
const HALTS = QUICK ? 3 : 8;
const CPU_PASSES = QUICK ? 4 : 10;
const CPU_REQUESTS = QUICK ? 500 : 3_000;
const DATABASE = 'standby_bench_drills';
const TMP = path.join(ROOT, 'bench/.tmp');
export const DRILLS_BEGIN = '<!-- drills:begin -->';
export const DRILLS_END = '<!-- drills:end -->';

const t0 = Date.now();
const log = (message: string) => console.log(`[bench drills ${((Date.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${message}`);
const ms = (x: number) => `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`;
const maxOf = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), -Infinity);

type Result = {
  machine: Machine; loadEnd: string; quick: boolean;
  start: number[]; end: number[]; halt: number[]; missed: number;
  cpu: { none: number[]; other: number[] };
};

async function seed() {
  const { targets, service } = await seedBenchService();
  const operator = await benchUser('operator');
  return { targets, service, operator };
}
type Seeded = Awaited<ReturnType<typeof seed>>;

const planInput = (s: Seeded, name: string, extra: Record<string, unknown> = {}) => ({
  name, serviceId: s.service.id, disruption: 'provider_outage', scopeKind: 'targets', scopeIds: [s.targets[0].id], trafficMode: 'share', sharePercent: 100,
  faults: [{ kind: 'error_status', status: 503 }], durationSeconds: 600, maxErrorRatePercent: 5, ...extra,
});

async function both(replicas: Child[], runId: string, edge: 'on' | 'off'): Promise<number[] | null> {
  const seen = await Promise.all(replicas.map((r) => r.call<number | null>('waitFor', { runId, edge, timeoutMs: 10_000 })));
  return seen.some((x) => x === null) ? null : (seen as number[]);
}

/** Part 1: start and end as the replicas see them. */
async function propagation(s: Seeded, replicas: Child[]) {
  const { savePlan, startRun, haltRun } = await import('@/lib/drills/mutations');
  const plan = await savePlan(s.operator, planInput(s, 'bench propagation'));
  const start: number[] = [];
  const end: number[] = [];
  let missed = 0;
  for (let i = 0; i < ROUNDS + 2; i += 1) {
    const began = now();
    const { runId } = await startRun(s.operator, { planId: plan.id });
    const on = await both(replicas, runId, 'on');
    const halting = now();
    await haltRun(s.operator, { runId, reason: 'bench' });
    const off = await both(replicas, runId, 'off');
    if (!on || !off) missed += 1;
    else if (i >= 2) {
      start.push(...on.map((at) => at - began));
      end.push(...off.map((at) => at - halting));
    }
    await sleep(50);
  }
  log(`start: median ${ms(median(start))}, max ${ms(maxOf(start))}; end: median ${ms(median(end))}, max ${ms(maxOf(end))}`);
  return { start, end, missed };
}

/** Part 2: a halt condition written at T; the controller ticking every second; both replicas without the lease. */
async function halts(s: Seeded, replicas: Child[]) {
  const { db } = await import('@/lib/server/db');
  const { savePlan, startRun } = await import('@/lib/drills/mutations');
  const { DrillController, CONTROLLER_INTERVAL_MS } = await import('@/lib/drills/controller');
  const plan = await savePlan(s.operator, planInput(s, 'bench halt'));
  const controller = new DrillController({ snapshots: { get: () => null } });
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      await controller.tick();
      await sleep(CONTROLLER_INTERVAL_MS);
    }
  })();
  const out: number[] = [];
  let missed = 0;
  for (let i = 0; i < HALTS; i += 1) {
    const { runId } = await startRun(s.operator, { planId: plan.id });
    if (!(await both(replicas, runId, 'on'))) missed += 1;
    // A random phase against the controller's tick, as a real condition has.
    await sleep(Math.random() * CONTROLLER_INTERVAL_MS);
    const at = now();
    await db().requestRecord.createMany({
      data: Array.from({ length: 20 }, (_, k) => ({ serviceId: s.service.id, at: new Date(at), requestId: `bench-${runId}-${k}`, ok: false, status: 503, errorClass: 'server_error', targetId: s.targets[0].id, attempts: 1, latencyMs: 5, stream: false, tier: 'full' as const, servedBy: 'upstream' })),
    });
    const off = await both(replicas, runId, 'off');
    if (!off) missed += 1;
    else out.push(...off.map((x) => x - at));
    // Clear the window before the next run, so it starts below the limit.
    await db().requestRecord.deleteMany({ where: { serviceId: s.service.id } });
  }
  stop = true;
  await loop;
  log(`halt: median ${ms(median(out))}, max ${ms(maxOf(out))}`);
  return { halt: out, missed };
}

/** Part 3: the gateway's CPU per request with no fault defined and with one leased on another target. */
async function cpuCost() {
  const upstream = await startChild<{ port: number }>('upstream', 'bench/upstream.ts');
  const gateway = await startChild<{ pid: number }>('drills gateway', 'bench/drills-gateway.ts', { env: { BENCH_UPSTREAM: `http://127.0.0.1:${upstream.info.port}` } });
  const none: number[] = [];
  const other: number[] = [];
  try {
    await gateway.call('serve', { requests: CPU_REQUESTS, fault: false }); // warm-up
    for (let pass = 0; pass < CPU_PASSES; pass += 1) {
      for (const fault of pass % 2 === 0 ? [false, true] : [true, false]) {
        const usPerRequest = await gateway.call<number>('serve', { requests: CPU_REQUESTS, fault });
        (fault ? other : none).push(usPerRequest);
      }
    }
  } finally {
    await gateway.stop();
    await upstream.stop();
  }
  log(`CPU per request: no fault ${median(none).toFixed(1)} µs, a fault on another target ${median(other).toFixed(1)} µs`);
  return { none, other };
}

function drillsSection(r: Result): string {
  const ratio = median(r.cpu.other) / median(r.cpu.none);
  const row = (what: string, figure: string, met: boolean) => `| ${what} | ${figure} | **${met ? 'met' : 'missed'}** |`;
  return [
    DRILLS_BEGIN,
    '## 10. Drills: fault leases, halts, and the cost of injection (issue 14)',
    '',
    `Written by \`npm run bench -- drills\` (bench/drills.ts) on ${r.machine.date.slice(0, 10)} at ${r.machine.date.slice(11, 16)} UTC${r.quick ? ' **in QUICK mode: these figures check the harness, they are not measurements**' : ''}. Its own database on the benchmark's embedded PostgreSQL; two replica processes, each a real routing snapshot (LISTEN standby_routing, reload on NOTIFY).`,
    '',
    ...machineRows(r.machine),
    `| load average at the end | ${r.loadEnd} |`,
    '',
    '| target | result | |',
    '|---|---|---|',
    row('a fault\'s start seen by two replicas in under 200 ms at the median', `median ${ms(median(r.start))}, max ${ms(maxOf(r.start))} (${r.start.length} sightings)`, median(r.start) < 200),
    row('a fault\'s end seen by two replicas in under 200 ms at the median', `median ${ms(median(r.end))}, max ${ms(maxOf(r.end))} (${r.end.length} sightings)`, median(r.end) < 200),
    row('a halt ends the faults within 1 s of the condition', `median ${ms(median(r.halt))}, max ${ms(maxOf(r.halt))} (${r.halt.length} sightings)`, maxOf(r.halt) <= 1_000),
    row('gateway CPU per request within 3% of a run with no fault defined (a fault on another target)', `${median(r.cpu.other).toFixed(1)} vs ${median(r.cpu.none).toFixed(1)} µs (${((ratio - 1) * 100).toFixed(1)}%)`, ratio <= 1.03),
    '',
    `Start: from just before \`startRun\` (the plan read, the incident marked as a drill opened, the leases written, one transaction) to each replica's snapshot holding the lease. End: from just before \`haltRun\` to each replica's snapshot without it. The halt is timed from the instant the error-rate condition became true (20 failed requests written at once, as the recorder writes them, at a random phase against the controller's tick, every 500 ms) to both replicas losing the lease: up to one tick, the controller's reads and the halt's transaction, then the NOTIFY. A replica also ends a lease at its deadline by its own clock without any of this. CPU: process.cpuUsage of the gateway process over ${CPU_REQUESTS.toLocaleString('en-US')} in-memory requests a pass (the handler's complete(), as the retry queue and drills call it, to a bench upstream in another process), ${CPU_PASSES} passes alternating the order; the fault is leased on a target no request goes to, so what is measured is the lookup every attempt pays. ${r.missed} sighting${r.missed === 1 ? '' : 's'} missed (not in the figures).`,
    DRILLS_END,
  ].join('\n') + '\n';
}

/** Runs this file as a process of its own (its own process group, so an interrupted run stops its PostgreSQL too); resolves with its exit code. */
export function runDrillsBench(): Promise<number> {
  return runGroup(process.execPath, tsNodeArgs('bench/drills.ts'), {}, 30 * 60_000);
}

async function main() {
  benchSecrets();
  mkdirSync(TMP, { recursive: true });
  const host = machine();
  log(`${host.cpu}, ${host.cores} cores, ${host.memory}; load average ${host.load}${QUICK ? ' (QUICK)' : ''}`);
  const database = await openScratchDatabase(DATABASE);
  {
    const env = { DATABASE_URL: database.url, NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET!, STANDBY_ENCRYPTION_KEY: process.env.STANDBY_ENCRYPTION_KEY! };
    const replicas: Child[] = [];
    try {
      const seeded = await seed();
      for (const name of ['replica a', 'replica b']) replicas.push(await startChild(`drills ${name}`, 'bench/drills-replica.ts', { env }));
      const p = await propagation(seeded, replicas);
      const h = await halts(seeded, replicas);
      const cpu = await cpuCost();
      const result: Result = { machine: host, loadEnd: os.loadavg().map((l) => l.toFixed(2)).join(' / '), quick: QUICK, start: p.start, end: p.end, halt: h.halt, missed: p.missed + h.missed, cpu };
      writeFileSync(path.join(TMP, 'drills.json'), JSON.stringify(result, null, 2));
      writeResultsSection(drillsSection(result), DRILLS_BEGIN, DRILLS_END);
      log('wrote the drills section of bench/RESULTS.md');
    } finally {
      for (const r of replicas) await r.call('close').catch(() => {});
      for (const r of replicas) await r.stop().catch(() => {});
      await database.close();
    }
  }
}

runWhenMain(__filename, 'bench drills', main);
