// The gateway of the drills benchmark's CPU part (bench/drills.ts), in its own
// process: the real handler over an in-memory routing snapshot, serving
// in-memory requests (complete(), as the retry queue and drills call it) to
// the bench upstream, with no fault defined or with a fault leased on another
// target, and reporting its own CPU time per request.
import { DEFAULT_CHAIN_ENTRY } from '@/lib/failover/schemas';
import { BreakerRegistry } from '@/lib/gateway/breaker-registry';
import { createGatewayHandler } from '@/lib/gateway/handler';
import { faultsByTarget } from '@/lib/gateway/inject-fault';
import { DEFAULT_BREAKER_CONFIG, UNDEGRADED } from '@/lib/routing/defaults';
import type { RoutingSnapshot, SnapshotTarget } from '@/lib/routing/model';
import { endpointPolicyOf } from '@/lib/server/endpoint-policy';
import { setEndpointPolicy } from '@/lib/server/guarded-connect';
import { serveIpc } from './harness';

setEndpointPolicy(endpointPolicyOf(['127.0.0.0/8']));
const upstream = process.env.BENCH_UPSTREAM ?? 'http://127.0.0.1:9';
const d = DEFAULT_CHAIN_ENTRY;
const target = (id: string, name: string): SnapshotTarget => ({
  id, name, providerName: 'bench', providerKind: 'openai', apiStyle: 'openai_chat', failureDomain: null, regionCode: 'local', endpointUrl: `${upstream}/${name}/v1`,
  model: 'bench-model', apiKey: 'sk-bench', enabled: true, contextWindow: 128_000, rpm: 1_000_000, tpm: 1_000_000_000, qualityClass: 'standard', breaker: DEFAULT_BREAKER_CONFIG, probeIntervalMs: 15_000,
});
const used = target('00000000-0000-4000-8000-00000000d001', 'drills-used');
const other = target('00000000-0000-4000-8000-00000000d002', 'drills-other');
const base: RoutingSnapshot = {
  loadedAt: Date.now(),
  services: new Map([['bench-service', {
    id: '00000000-0000-4000-8000-00000000d100', name: 'bench-service', enabled: true, routingVersion: 1, degradation: UNDEGRADED,
    chain: [{
      targetId: used.id, position: 0, failoverOn: [...d.failoverOn], latencyLimitMs: null, budget: { maxRetries: 0, baseBackoffMs: d.baseBackoffMs, maxBackoffMs: d.maxBackoffMs },
      timeouts: { connectMs: d.connectTimeoutMs, headerMs: d.headerTimeoutMs, firstTokenMs: d.firstTokenTimeoutMs, streamIdleMs: d.streamIdleTimeoutMs, totalMs: d.totalTimeoutMs },
    }],
  }]]),
  targets: new Map([[used.id, used], [other.id, other]]),
  overrides: [], breakers: new Map(), tokens: new Map(),
};
const withFault: RoutingSnapshot = {
  ...base,
  faults: faultsByTarget([{ fault: { id: 'bench-fault', runId: 'bench-run', kind: 'error_status', share: 1, drillOnly: false, startsAt: 0, expiresAt: Number.MAX_SAFE_INTEGER, params: { status: 503 } }, targetIds: [other.id] }]),
};
let snapshot = base;
const breakers = new BreakerRegistry('bench-drills', () => DEFAULT_BREAKER_CONFIG, async () => {});
const recorder = { record() {}, recordRequest() {}, tokenUsed() {} };
const gateway = createGatewayHandler({ snapshot: () => snapshot, breakers, recorder });
const BODY = { messages: [{ role: 'user', content: 'hello' }] };

serveIpc(
  {
    /** Serves `requests` requests, 16 at a time, with or without the fault on the other target; CPU µs per request. */
    serve: async ({ requests, fault }: { requests: number; fault: boolean }) => {
      snapshot = fault ? withFault : base;
      let next = 0;
      let failed = 0;
      const began = process.cpuUsage();
      await Promise.all(Array.from({ length: 16 }, async () => {
        while (next < requests) {
          next += 1;
          const r = await gateway.complete('bench-service', BODY, null);
          if (r.status !== 200) failed += 1;
        }
      }));
      const used = process.cpuUsage(began);
      if (failed) throw new Error(`${failed} requests failed`);
      return (used.user + used.system) / requests;
    },
  },
  { pid: process.pid },
);
