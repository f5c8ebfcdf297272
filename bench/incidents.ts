// The incidents benchmark of issue 13, against its own throwaway database on
// the benchmark's embedded PostgreSQL, in three parts:
//
// 1. An event reaches an open incident page in under 1 s at the median with
//    20 watchers: a breaker transition is written exactly as a gateway replica
//    writes it; the leader's incident loop (its own process) hears the NOTIFY
//    and writes the timeline entry; two replica processes, each with ten
//    Server-Sent-Events listeners (the function behind /api/incidents/live),
//    push it. Time from just before the breaker's write to each listener's
//    receipt.
// 2. An incident with 10,000 timeline entries opens in under 500 ms: the
//    incident page's reads, in-process, as the page calls them.
// 3. An action step takes effect in the gateway as fast as the same action
//    from the service page: pins made through steer() (the service page) and
//    through runActionStep() (a runbook step) in alternation, each timed from
//    the call to the moment a replica's routing snapshot holds it; compared
//    as a ratio.
//
//   npm run bench -- incidents
//   BENCH_QUICK=1 npm run bench -- incidents     fewer events (checks the harness)
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { machine, machineRows, now, ROOT, runGroup, sleep, startChild, tsNodeArgs, type Child, type Machine } from './harness';
import { benchUser, seedBenchService, withBenchDatabase } from './scratch-database';
import { timeReads, writeResultsSection, type Timing } from './history';
import { median } from './stats';

const QUICK = process.env.BENCH_QUICK === '1';
const EVENTS = QUICK ? 8 : 40;
const WARMUP_EVENTS = 3;
const WATCHERS_PER_REPLICA = 10;
const REPLICAS = 2;
const ENTRIES = 10_000;
const STEERS = QUICK ? 6 : 20;
const EVENT_TARGET_MS = 1_000;
const OPEN_TARGET_MS = 500;
const DATABASE = 'standby_bench_incidents';
const TMP = path.join(ROOT, 'bench/.tmp');
export const INCIDENTS_BEGIN = '<!-- incidents:begin -->';
export const INCIDENTS_END = '<!-- incidents:end -->';

const t0 = Date.now();
const log = (message: string) => console.log(`[bench incidents ${((Date.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${message}`);
const ms = (x: number) => `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`;
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
};

export type IncidentsResult = {
  machine: Machine;
  loadEnd: string;
  quick: boolean;
  events: { latenciesMs: number[]; perEventMaxMs: number[]; missed: number; watchers: number };
  reads: Timing[];
  entries: number;
  steering: { page: number[]; step: number[] };
  elapsedS: number;
};

// ---- setup -------------------------------------------------------------------------------------

async function seed() {
  // Runbooks are versioned in the configuration history: its sections are loaded as a replica loads them.
  await import('@/lib/config-history/sections');
  const { inTransaction } = await import('@/lib/server/mutation');
  const { installLibraryIn } = await import('@/lib/runbooks/mutations');
  const { SYSTEM_ACTOR } = await import('@/lib/server/auth');
  await inTransaction((tx) => installLibraryIn(tx, SYSTEM_ACTOR));
  const { targets, service } = await seedBenchService();
  const commander = await benchUser('commander');
  return { targets, service, commander };
}

// ---- part 1: event to page ---------------------------------------------------------------------

type Listener = { received: Map<string, number>; close: () => void };

/** An SSE client that notes when each timeline entry's text first arrived. */
async function listenTo(port: number, incidentId: string): Promise<Listener> {
  const abort = new AbortController();
  const received = new Map<string, number>();
  const response = await fetch(`http://127.0.0.1:${port}/live?incident=${incidentId}`, { signal: abort.signal });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const at = now();
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event === 'ready') ready();
          if (event === 'timeline' && data) for (const entry of JSON.parse(data) as { text: string }[]) if (!received.has(entry.text)) received.set(entry.text, at);
        }
      }
    } catch {
      /* closed */
    }
  })();
  await isReady;
  return { received, close: () => abort.abort() };
}

async function eventLatency(seeded: Awaited<ReturnType<typeof seed>>): Promise<IncidentsResult['events']> {
  const { db } = await import('@/lib/server/db');
  const { writeTransition } = await import('@/lib/gateway/breaker-registry');
  const { openIncident } = await import('@/lib/incidents/mutations');
  const opened = await openIncident(seeded.commander, { title: 'bench: primary flapping', serviceId: seeded.service.id, severity: 'P2' });
  const env = { NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET!, STANDBY_ENCRYPTION_KEY: process.env.STANDBY_ENCRYPTION_KEY!, DATABASE_URL: process.env.DATABASE_URL! };
  const leader = await startChild('incidents leader', 'bench/incidents-leader.ts', { env });
  const replicas: Child<{ port: number }>[] = [];
  for (let i = 0; i < REPLICAS; i += 1) replicas.push(await startChild<{ port: number }>(`incidents replica ${i + 1}`, 'bench/incidents-replica.ts', { env }));
  const listeners: Listener[] = [];
  try {
    for (const r of replicas) for (let i = 0; i < WATCHERS_PER_REPLICA; i += 1) listeners.push(await listenTo(r.info.port, opened.id));
    const watchers = (await Promise.all(replicas.map((r) => r.call<number>('watchers')))).reduce((a, b) => a + b, 0);
    log(`${watchers} listeners on ${REPLICAS} replicas; ${EVENTS} breaker transitions (after ${WARMUP_EVENTS} unmeasured)`);
    const primary = seeded.targets[0];
    const latencies: number[] = [];
    const perEventMax: number[] = [];
    let missed = 0;
    let state: 'closed' | 'open' = 'closed';
    for (let i = -WARMUP_EVENTS; i < EVENTS; i += 1) {
      const to: 'open' | 'closed' = state === 'closed' ? 'open' : 'closed';
      const cause = `bench event ${i + WARMUP_EVENTS}`;
      const started = now();
      await writeTransition({ targetId: primary.id, from: state, to, at: Date.now(), cause, replica: 'bench' });
      state = to;
      const text = `Breaker of ${primary.name} ${to === 'open' ? 'opened' : 'closed'} (${cause})`;
      const deadline = Date.now() + 5_000;
      while (Date.now() < deadline && listeners.some((l) => !l.received.has(text))) await sleep(5);
      const got = listeners.map((l) => l.received.get(text));
      if (i >= 0) {
        if (got.some((at) => at === undefined)) missed += 1;
        const measured = got.filter((at): at is number => at !== undefined).map((at) => at - started);
        latencies.push(...measured);
        if (measured.length) perEventMax.push(Math.max(...measured));
      }
      await sleep(QUICK ? 300 : 700);
    }
    const entries = await db().timelineEvent.count({ where: { incidentId: opened.id, kind: 'breaker' } });
    log(`events: median ${ms(median(latencies))}, p95 ${ms(quantile(latencies, 0.95))}, max ${ms(Math.max(...latencies))}; ${entries} breaker entries written`);
    return { latenciesMs: latencies, perEventMaxMs: perEventMax, missed, watchers };
  } finally {
    for (const l of listeners) l.close();
    await Promise.all(replicas.map((r) => r.stop()));
    await leader.stop();
  }
}

// ---- part 2: a long incident opens -------------------------------------------------------------

async function longIncident(client: pg.Client, seeded: Awaited<ReturnType<typeof seed>>): Promise<Timing[]> {
  const { db } = await import('@/lib/server/db');
  const { openIncident } = await import('@/lib/incidents/mutations');
  const { getIncident, getStepChoices, getTimeline, listAssignableUsers } = await import('@/lib/incidents/data');
  const { listActiveWebhooks, listRunbooks } = await import('@/lib/runbooks/data');
  const { getChainTargetOptions, getServiceRouting } = await import('@/lib/failover/data');
  const runbook = await db().runbook.findUniqueOrThrow({ where: { name: 'Provider outage' }, select: { id: true } });
  const opened = await openIncident(seeded.commander, { title: 'bench: a week-long incident', serviceId: seeded.service.id, severity: 'P1', runbookId: runbook.id });
  const began = performance.now();
  await client.query(
    `INSERT INTO "TimelineEvent" ("incidentId", at, kind, actor, text, data, curated, "sourceKey")
     SELECT $1::uuid, now() - (g || ' seconds')::interval * 60, (ARRAY['breaker','tier','note','step','alert','override'])[1 + g % 6], 'standby',
            'Entry ' || g || ': ' || repeat('what happened, in words and units. ', 3), '{}'::jsonb, g % 5 = 0, 'bench:' || g
     FROM generate_series(1, ${ENTRIES}) g`,
    [opened.id],
  );
  await client.query('ANALYZE "TimelineEvent"');
  log(`${ENTRIES.toLocaleString('en-US')} timeline entries in ${((performance.now() - began) / 1000).toFixed(1)} s`);
  // What the page reads for a commander, in the same calls (the curated view first).
  const page = () =>
    Promise.all([getIncident(opened.id), getTimeline(opened.id, { curated: true }), getStepChoices(), listActiveWebhooks(), listRunbooks(), listAssignableUsers(), getServiceRouting(seeded.service.name), getChainTargetOptions()]);
  const size = (value: unknown) => ({ jsonBytes: JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)).length });
  return timeReads([
    { label: `the incident page's reads (app/(dashboard)/incidents/[id]/page.tsx): the incident, its runbook, the newest curated entries of ${ENTRIES.toLocaleString('en-US')}, and the choices`, run: page, describe: size },
    { label: 'getIncident: the cockpit without the timeline (also GET /api/incidents/<id>)', run: () => getIncident(opened.id), describe: size },
    { label: `getTimeline: the newest 200 of ${ENTRIES.toLocaleString('en-US')} entries`, run: () => getTimeline(opened.id), describe: size },
    { label: 'getTimeline, curated view', run: () => getTimeline(opened.id, { curated: true }), describe: size },
  ]);
}

// ---- part 3: a step acts as fast as the service page -------------------------------------------

async function steering(seeded: Awaited<ReturnType<typeof seed>>): Promise<IncidentsResult['steering']> {
  const { db } = await import('@/lib/server/db');
  const { steer } = await import('@/lib/failover/mutations');
  const { createRunbook } = await import('@/lib/runbooks/mutations');
  const { openIncident, runActionStep } = await import('@/lib/incidents/mutations');
  const runbook = await createRunbook(seeded.commander, {
    name: 'bench pins', failureMode: 'provider_outage',
    steps: Array.from({ length: STEERS + 2 }, (_, i) => ({ key: `pin-${i}`, kind: 'action', title: `Pin ${i}`, params: { action: 'pin' } })),
  });
  const opened = await openIncident(seeded.commander, { title: 'bench: steering', serviceId: seeded.service.id, severity: 'P3', runbookId: runbook.id });
  const replica = await startChild('snapshot replica', 'bench/flip-replica.ts', { env: { DATABASE_URL: process.env.DATABASE_URL!, NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET!, STANDBY_ENCRYPTION_KEY: process.env.STANDBY_ENCRYPTION_KEY! } });
  const result = { page: [] as number[], step: [] as number[] };
  try {
    const version = async () => (await db().service.findUniqueOrThrow({ where: { id: seeded.service.id }, select: { routingVersion: true } })).routingVersion;
    const runs = await db().stepRun.findMany({ where: { incidentId: opened.id }, orderBy: { step: { position: 'asc' } }, select: { id: true, version: true } });
    for (let i = -1; i < STEERS; i += 1) {
      const targetId = seeded.targets[(i + 1) % 2].id;
      // Alternate which path goes first, so a drift in the machine's load favours neither.
      const order: ('page' | 'step')[] = i % 2 === 0 ? ['page', 'step'] : ['step', 'page'];
      for (const path of order) {
        const expectedRoutingVersion = await version();
        const other = seeded.targets[(i + 2) % 2].id;
        const pinTo = path === order[0] ? targetId : other;
        const started = now();
        let overrideId: string | null;
        if (path === 'page') {
          overrideId = (await steer(seeded.commander, { serviceId: seeded.service.id, expectedRoutingVersion, kind: 'pin', targetId: pinTo, reason: 'bench: from the service page' })).overrideId;
        } else {
          const run = runs.shift()!;
          await runActionStep(seeded.commander, { stepRunId: run.id, expectedVersion: run.version, values: { action: 'pin', serviceId: seeded.service.id, targetId: pinTo, expectedRoutingVersion }, reason: 'bench: from a runbook step' });
          overrideId = ((await db().stepRun.findUniqueOrThrow({ where: { id: run.id }, select: { result: true } })).result as { overrideId: string }).overrideId;
        }
        const seen = await replica.call<number | null>('waitForPin', { id: overrideId, timeoutMs: 5_000 });
        if (i >= 0 && seen !== null) result[path].push(seen - started);
        await sleep(100);
      }
    }
    log(`steering: service page median ${ms(median(result.page))}, runbook step median ${ms(median(result.step))}`);
    return result;
  } finally {
    await replica.call('close').catch(() => {});
    await replica.stop();
  }
}

// ---- the report -------------------------------------------------------------------------------

export function incidentsSection(r: IncidentsResult): string {
  const verdict = (met: boolean) => (met ? '**met**' : '**missed**');
  const e = r.events;
  const open = r.reads[0];
  const page = median(r.steering.page);
  const step = median(r.steering.step);
  const ratio = step / page;
  return [
    INCIDENTS_BEGIN,
    '## 8. Incidents: the live timeline, a long incident, and runbook steps on the gateway (issue 13)',
    '',
    `Written by bench/incidents.ts (\`npm run bench -- incidents\`) on ${r.machine.date.slice(0, 10)} at ${r.machine.date.slice(11, 16)} UTC, in ${(r.elapsedS / 60).toFixed(1)} minutes.${r.quick ? ' **QUICK mode: these figures check the harness; they are not the issue\'s figures.**' : ''}`,
    '',
    ...machineRows(r.machine),
    `| load average (1 / 5 / 15 min) | ${r.machine.load} at the start, ${r.loadEnd} at the end |`,
    '',
    '| target | result | |',
    '|---|---|---|',
    `| a breaker opening reaches an open incident page in under ${EVENT_TARGET_MS} ms at the median, ${e.watchers} watchers | median ${ms(median(e.latenciesMs))}, p95 ${ms(quantile(e.latenciesMs, 0.95))}, slowest ${ms(Math.max(...e.latenciesMs))}${e.missed ? `; ${e.missed} event(s) not seen by every listener within 5 s` : ''} | ${verdict(median(e.latenciesMs) < EVENT_TARGET_MS && e.missed === 0)} |`,
    `| an incident with ${r.entries.toLocaleString('en-US')} timeline entries opens in under ${OPEN_TARGET_MS} ms | the page's reads: median ${ms(open.medianMs)} (slowest ${ms(open.maxMs)}) | ${verdict(open.medianMs < OPEN_TARGET_MS)} |`,
    `| an action step takes effect in the gateway as fast as the same action from the service page | step ${ms(step)}, service page ${ms(page)} at the median: ${ratio.toFixed(2)}x | ${verdict(ratio <= 1.25)} |`,
    '',
    `**Event to page.** ${REPLICAS} replica processes each serve ${WATCHERS_PER_REPLICA} Server-Sent-Events listeners with liveResponse (the function behind GET /api/incidents/live: one LISTEN standby_incidents per process, fanned out in memory; docs/decisions/011). The leader's incident loop runs in a process of its own (lib/incidents/watch-task.ts, LISTEN standby_routing). Each event is a breaker transition written exactly as a gateway replica writes it (lib/gateway/breaker-registry.ts writeTransition: TargetBreaker and BreakerTransition in one transaction, whose trigger notifies standby_routing); the time runs from just before that write to each listener's receipt of the timeline entry, so it holds the write, the loop's wake-up (25 ms debounce) and pass, the entry's write and NOTIFY, the replica's read of the entry, and the push. ${EVENTS} events after ${WARMUP_EVENTS} unmeasured ones; the slowest listener per event: median ${ms(median(e.perEventMaxMs))}, max ${ms(Math.max(...e.perEventMaxMs))}.`,
    '',
    'Reads, server time: each function called in-process as the page calls it; 3 unmeasured runs, then the median of 15 (bench/history.ts timeReads). The timeline is read newest first by its (incidentId, at) index, 200 entries a page; older pages load on demand.',
    '',
    '| read | median | fastest | slowest | size |',
    '|---|---|---|---|---|',
    ...r.reads.map((x) => `| ${x.label} | ${ms(x.medianMs)} | ${ms(x.minMs)} | ${ms(x.maxMs)} | ${((x.jsonBytes ?? 0) / 1024).toFixed(0)} KiB |`),
    '',
    `**Step against service page.** ${r.steering.page.length} pins through steer() (what the service page's Pin button runs) and ${r.steering.step.length} through runActionStep() (a runbook's pin step: the same steer(), then the step's own record), in alternation and alternating which goes first; each timed from the call to the moment a replica's routing snapshot (bench/flip-replica.ts: a real SnapshotSource on LISTEN standby_routing) holds the new pin. Service page: median ${ms(page)}, p95 ${ms(quantile(r.steering.page, 0.95))}; step: median ${ms(step)}, p95 ${ms(quantile(r.steering.step, 0.95))}. The step reads its runbook step before acting (a few milliseconds more); the override it commits is the same row through the same transaction.`,
    INCIDENTS_END,
  ].join('\n') + '\n';
}

/** Runs this file as a process of its own (its own process group, so an interrupted run stops its PostgreSQL too); resolves with its exit code. */
export function runIncidentsBench(): Promise<number> {
  return runGroup(process.execPath, tsNodeArgs('bench/incidents.ts'), {}, 30 * 60_000);
}

// ---- main ---------------------------------------------------------------------------------------

async function main() {
  mkdirSync(TMP, { recursive: true });
  const host = machine();
  log(`${host.cpu}, ${host.cores} cores, ${host.memory}; load average ${host.load}${QUICK ? ' (QUICK)' : ''}`);
  await withBenchDatabase(DATABASE, async (client) => {
    const seeded = await seed();
    const reads = await longIncident(client, seeded);
    const events = await eventLatency(seeded);
    const steers = await steering(seeded);
    const result: IncidentsResult = { machine: host, loadEnd: os.loadavg().map((l) => l.toFixed(2)).join(' / '), quick: QUICK, events, reads, entries: ENTRIES, steering: steers, elapsedS: (Date.now() - t0) / 1000 };
    writeFileSync(path.join(TMP, 'incidents.json'), JSON.stringify(result, null, 2));
    writeResultsSection(incidentsSection(result), INCIDENTS_BEGIN, INCIDENTS_END);
    log('wrote the incidents section of bench/RESULTS.md');
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(__filename)) {
  main()
    .then(() => process.exit(0))
    .catch((error) => {
      console.error('[bench incidents] failed:', error);
      process.exit(1);
    });
}
