// The gateway under test, in its own process: the real handler
// (createGatewayHandler) on node:http, with an in-memory routing snapshot, a
// real BreakerRegistry whose transitions go to memory instead of PostgreSQL, a
// real SampleRecorder whose batches are handed over as a replica hands them to
// its writer thread (encoded as columns and posted) to a thread that drops
// them, and the replica's metrics. So the hot path is the one production runs, without the database. Started by bench/run.ts with
// its configuration in BENCH_GATEWAY_CONFIG.
import { writeFile } from 'node:fs/promises';
import cluster from 'node:cluster';
import http from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { hashToken } from '@/lib/access/tokens';
import { DEFAULT_CHAIN_ENTRY } from '@/lib/failover/schemas';
import { DEFAULT_BREAKER_CONFIG, UNDEGRADED } from '@/lib/routing/defaults';
import { type BreakerConfig, type RoutingSnapshot, type SnapshotChainEntry, type SnapshotService, type SnapshotTarget } from '@/lib/routing/model';
import { BreakerRegistry, type TransitionRecord } from '@/lib/gateway/breaker-registry';
import { createGatewayHandler } from '@/lib/gateway/handler';
import { createMetrics } from '@/lib/gateway/metrics';
import { SampleRecorder } from '@/lib/gateway/recorder';
import { handOver } from '@/lib/gateway/writer-thread';
import { BENCH_TOKEN, now, ROOT, serveIpc, type GatewayConfig } from './harness';
import { endpointPolicyOf } from '@/lib/server/endpoint-policy';
import { setEndpointPolicy } from '@/lib/server/guarded-connect';

function buildSnapshot(config: GatewayConfig, breaker: BreakerConfig): RoutingSnapshot {
  const targets = new Map<string, SnapshotTarget>();
  const services = new Map<string, SnapshotService>();
  config.services.forEach((service, s) => {
    const chain: SnapshotChainEntry[] = service.chain.map(({ target: name, endpointUrl }, position) => {
      const id = `00000000-0000-4000-8000-${String(targets.size + 1).padStart(12, '0')}`;
      targets.set(id, {
        id, name, providerName: 'bench', providerKind: 'openai', apiStyle: 'openai_chat', failureDomain: null, regionCode: 'local',
        endpointUrl, model: 'bench-model', apiKey: 'sk-bench', enabled: true, contextWindow: 128_000, rpm: 1_000_000, tpm: 1_000_000_000,
        qualityClass: 'standard', breaker, probeIntervalMs: 15_000,
      });
      // The chain entry a new service gets from the dashboard (the database defaults).
      const d = DEFAULT_CHAIN_ENTRY;
      return {
        targetId: id, position, failoverOn: [...d.failoverOn], latencyLimitMs: d.latencyLimitMs,
        budget: { maxRetries: d.maxRetries, baseBackoffMs: d.baseBackoffMs, maxBackoffMs: d.maxBackoffMs },
        timeouts: { connectMs: d.connectTimeoutMs, headerMs: d.headerTimeoutMs, firstTokenMs: d.firstTokenTimeoutMs, streamIdleMs: d.streamIdleTimeoutMs, totalMs: d.totalTimeoutMs },
        adaptiveLimits: config.adaptiveLimits ?? { multiplier: d.adaptiveLimitMultiplier, floorMs: d.adaptiveLimitFloorMs },
      };
    });
    const id = `00000000-0000-4000-9000-${String(s + 1).padStart(12, '0')}`;
    services.set(service.name, { id, name: service.name, enabled: true, routingVersion: 1, degradation: UNDEGRADED, chain });
  });
  return {
    loadedAt: Date.now(), services, targets, overrides: [], breakers: new Map(),
    tokens: new Map([[hashToken(BENCH_TOKEN), { id: 'bench-token', name: 'bench', services: [], expiresAt: null }]]),
  };
}

// The upstream listens on loopback: allowed as an admin allows a private network (Admin → Settings).
setEndpointPolicy(endpointPolicyOf(['127.0.0.0/8']));

const config = JSON.parse(process.env.BENCH_GATEWAY_CONFIG ?? '{"services":[]}') as GatewayConfig;
const breakerConfig: BreakerConfig = { ...DEFAULT_BREAKER_CONFIG, ...config.breaker };
const snapshot = buildSnapshot(config, breakerConfig);
const targetNames = new Map([...snapshot.targets.values()].map((t) => [t.id, t.name]));

const transitions: (TransitionRecord & { target: string; seenAt: number })[] = [];
const breakers = new BreakerRegistry(
  'bench-gateway',
  () => breakerConfig,
  async () => {}, // in memory: the transition is kept by onTransition below
  (t) => transitions.push({ ...t, target: targetNames.get(t.targetId) ?? t.targetId, seenAt: now() }),
);
// The request thread's share of recording, as in a replica (lib/gateway/writer-thread.ts): no database behind it.
const dropper = new Worker("require('node:worker_threads').parentPort.on('message', () => {});", { eval: true });
dropper.unref();
let batches = 0;
const recorder = new SampleRecorder(async (samples, requests, tokenUses, mark) => handOver(dropper, (batches += 1), samples, requests, tokenUses, mark)).start();
// Metrics as a replica keeps them (lib/gateway/runtime.ts): their cost is part of every request's.
const handle = createGatewayHandler({ snapshot: () => snapshot, breakers, recorder, metrics: createMetrics() });

/**
 * Where a slow request's time goes besides its own work: how late the event loop runs timers and I/O
 * callbacks (perf_hooks), and the garbage collector's pauses by kind, since the last reset. Sampled every
 * 20 ms: at 1 ms the monitor's own timer woke this process a thousand times a second and cost it 31 ms of
 * CPU a second while idle, a load the bare proxy it is compared with did not carry (decision 018).
 */
const LOOP_SAMPLE_MS = 20;
const loopDelay = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
loopDelay.enable();
const GC_KINDS: Record<number, string> = { [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge', [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact', [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental marking', [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks' };
/** A sampled interval (ns) as the milliseconds by which it overran LOOP_SAMPLE_MS. */
const late = (ns: number) => Math.max(0, ns / 1e6 - LOOP_SAMPLE_MS);
let gcPauses = new Map<string, number[]>();
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = GC_KINDS[((entry as { detail?: { kind: number } }).detail)?.kind ?? -1] ?? 'other';
    (gcPauses.get(kind) ?? gcPauses.set(kind, []).get(kind)!).push(entry.duration);
  }
}).observe({ entryTypes: ['gc'] });

let served = 0;
const server = http.createServer(async (req, res) => {
  const raw = req.url ?? '/';
  const query = raw.indexOf('?');
  const pathname = query === -1 ? raw : raw.slice(0, query);
  try {
    if (!(await handle(req, res, pathname))) {
      res.writeHead(404);
      res.end();
    }
  } catch (error) {
    console.error('[bench gateway] unhandled', error);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  }
  served += 1;
});
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

let profiler: Session | null = null;

// A worker of bench/gateway-pool.ts listens on the pool's port and answers its primary, not the orchestrator.
server.listen(Number(process.env.BENCH_GATEWAY_PORT ?? 0), '127.0.0.1', () => {
  if (cluster.isWorker) return;
  const { port } = server.address() as AddressInfo;
  serveIpc(
    {
      /** Resident memory after a full collection (the gateway runs with --expose-gc), and how many requests it has answered. */
      memory: () => {
        const gc = (globalThis as { gc?: () => void }).gc;
        gc?.();
        gc?.();
        const m = process.memoryUsage();
        return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, served, recorder: { ...recorder.stats } };
      },
      transitions: () => transitions,
      resetLoopStats: () => {
        loopDelay.reset();
        gcPauses = new Map();
        return true;
      },
      loopStats: () => ({
        // How late the sampling timer ran: what it measured beyond its own interval.
        delay: { p50: late(loopDelay.percentile(50)), p99: late(loopDelay.percentile(99)), max: late(loopDelay.max), mean: late(loopDelay.mean) },
        gc: [...gcPauses].map(([kind, pauses]) => ({ kind, count: pauses.length, totalMs: pauses.reduce((a, b) => a + b, 0), maxMs: Math.max(...pauses) })),
      }),
      served: () => served,
      startProfile: async () => {
        profiler = new Session();
        profiler.connect();
        await profiler.post('Profiler.enable');
        await profiler.post('Profiler.setSamplingInterval', { interval: 100 });
        await profiler.post('Profiler.start');
        return true;
      },
      stopProfile: async ({ label }: { label: string }) => {
        if (!profiler) throw new Error('no profile running');
        const { profile } = await profiler.post('Profiler.stop');
        profiler.disconnect();
        profiler = null;
        const file = path.join(ROOT, 'bench/.tmp', `gateway-${label}.cpuprofile`);
        await writeFile(file, JSON.stringify(profile));
        return file;
      },
    },
    { port, pid: process.pid },
  );
});
