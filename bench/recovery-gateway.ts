// The gateway for the recovery benchmark (bench/recovery.ts), in its own
// process as a web replica runs it: the real handler on node:http with an
// in-memory routing snapshot, a real SampleRecorder writing every attempt and
// request to PostgreSQL, and the recovery loop's detector (the leader's
// background work, lib/recovery/detect-task.ts) in the same process, switched
// on and off over IPC so that the gateway's CPU per request is measured with
// and without it, side by side.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { hashToken } from '@/lib/access/tokens';
import { UNDEGRADED, DEFAULT_BREAKER_CONFIG } from '@/lib/routing/defaults';
import { DEFAULT_CHAIN_ENTRY } from '@/lib/failover/schemas';
import { type BreakerConfig, type RoutingSnapshot, type SnapshotReader } from '@/lib/routing/model';
import { BreakerRegistry } from '@/lib/gateway/breaker-registry';
import { createGatewayHandler } from '@/lib/gateway/handler';
import { SampleRecorder } from '@/lib/gateway/recorder';
import { recoveryTask, runDetector, SETTLE_MS } from '@/lib/recovery/detect-task';
import { startLeaderTasks } from '@/lib/server/leader-tasks';
import { db } from '@/lib/server/db';
import { endpointPolicyOf } from '@/lib/server/endpoint-policy';
import { setEndpointPolicy } from '@/lib/server/guarded-connect';
import { BENCH_TOKEN, serveIpc } from './harness';

export type RecoveryGatewayConfig = { serviceId: string; serviceName: string; targetId: string; endpointUrl: string; stateId: string };

// The failing upstream listens on loopback: allowed as an admin allows a private network (Admin → Settings).
setEndpointPolicy(endpointPolicyOf(['127.0.0.0/8']));

const config = JSON.parse(process.env.BENCH_RECOVERY_GATEWAY ?? '{}') as RecoveryGatewayConfig;
// Breakers that never open: every request reaches the failing upstream, so each one is a failed attempt and a failed request to record and detect.
const breaker: BreakerConfig = { ...DEFAULT_BREAKER_CONFIG, consecutiveFailures: 1_000_000_000, failureRateThreshold: 2 };
const d = DEFAULT_CHAIN_ENTRY;
const snapshot: RoutingSnapshot = {
  loadedAt: Date.now(),
  services: new Map([
    [
      config.serviceName,
      {
        id: config.serviceId, name: config.serviceName, enabled: true, routingVersion: 1, degradation: UNDEGRADED,
        chain: [{
          targetId: config.targetId, position: 0, failoverOn: [...d.failoverOn], latencyLimitMs: null,
          budget: { maxRetries: 0, baseBackoffMs: d.baseBackoffMs, maxBackoffMs: d.maxBackoffMs },
          timeouts: { connectMs: d.connectTimeoutMs, headerMs: d.headerTimeoutMs, firstTokenMs: d.firstTokenTimeoutMs, streamIdleMs: d.streamIdleTimeoutMs, totalMs: d.totalTimeoutMs },
        }],
      },
    ],
  ]),
  targets: new Map([
    [config.targetId, {
      id: config.targetId, name: 'failing', providerName: 'bench', providerKind: 'openai', apiStyle: 'openai_chat', failureDomain: null, regionCode: 'local',
      endpointUrl: config.endpointUrl, model: 'bench-model', apiKey: 'sk-bench', enabled: true, contextWindow: 128_000, rpm: 1_000_000, tpm: 1_000_000_000,
      qualityClass: 'standard', breaker, probeIntervalMs: 15_000,
    }],
  ]),
  overrides: [],
  breakers: new Map(),
  // A uuid: the recorder writes the token's last use to ApiToken (no row has it here, so nothing changes).
  tokens: new Map([[hashToken(BENCH_TOKEN), { id: '00000000-0000-4000-8000-00000000b0b0', name: 'bench', services: [], expiresAt: null }]]),
};

const breakers = new BreakerRegistry('bench-recovery', () => breaker, async () => {});
const recorder = new SampleRecorder().start();
const handle = createGatewayHandler({ snapshot: () => snapshot, breakers, recorder });

type Run = { tookMs: number; events: number; episodes: number; lagMs: number };
let detector: { stop: () => Promise<void> } | null = null;
const runs: Run[] = [];

/**
 * The leader's recovery loop as worker/control-loops.ts runs it (startLeaderTasks, every 5 s, the component
 * sync and the overview's summary once a minute), with its state in a row of its own; each run's time and the
 * detector's progress are kept for the report.
 */
function startDetector() {
  const task = recoveryTask(undefined, { stateId: config.stateId, onRun: (run) => runs.push(run) });
  detector = startLeaderTasks<{ snapshots: SnapshotReader }>([task], { snapshots: { get: () => snapshot, onChange: () => () => {} }, log: (line) => console.log(`[bench recovery gateway] ${line}`) });
}

let served = 0;
const server = http.createServer(async (req, res) => {
  const raw = req.url ?? '/';
  const query = raw.indexOf('?');
  if (!(await handle(req, res, query === -1 ? raw : raw.slice(0, query)))) res.writeHead(404).end();
  served += 1;
});
server.keepAliveTimeout = 65_000;

server.listen(0, '127.0.0.1', () => {
  serveIpc(
    {
      served: () => served,
      recorder: () => ({ ...recorder.stats }),
      /** Switches the detector on (from now: the span it missed is skipped, as a steady leader has no backlog) or off. */
      detector: async ({ on }: { on: boolean }) => {
        if (on && !detector) {
          const from = new Date(Date.now() - SETTLE_MS);
          await db().recoveryDetectorState.upsert({ where: { id: config.stateId }, create: { id: config.stateId, processedUpTo: from, state: {} }, update: { processedUpTo: from } });
          startDetector();
        } else if (!on && detector) {
          await detector.stop();
          detector = null;
        }
        return true;
      },
      takeRuns: () => runs.splice(0),
      /**
       * One detector pass over a span of traffic already recorded, with the gateway idle: the process's CPU for
       * it alone (user + system, ms). The orchestrator reads PostgreSQL's CPU around the call.
       */
      detectSpan: async ({ from, to }: { from: number; to: number }) => {
        const stateId = `${config.stateId}-span`;
        await db().recoveryDetectorState.upsert({ where: { id: stateId }, create: { id: stateId, processedUpTo: new Date(from), state: {} }, update: { processedUpTo: new Date(from), state: {} } });
        const cpu = process.cpuUsage();
        const began = performance.now();
        const result = await runDetector({ stateId, now: to + SETTLE_MS });
        const used = process.cpuUsage(cpu);
        return { cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - began, events: result?.events ?? 0 };
      },
    },
    { port: (server.address() as AddressInfo).port, pid: process.pid },
    async () => {
      await detector?.stop();
      await recorder.close();
    },
  );
});
