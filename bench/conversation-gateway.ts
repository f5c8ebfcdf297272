// The gateway for the conversation store's benchmark (bench/backups.ts), in
// its own process as a web replica runs it: the real handler on node:http with
// an in-memory routing snapshot, a real SampleRecorder, and the real
// conversation store (lib/conversations) writing sealed turns to PostgreSQL in
// batches. The orchestrator sends the same load with and without the
// conversation header, in alternating passes, and reads this process's CPU.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { hashToken } from '@/lib/access/tokens';
import { ConversationStore } from '@/lib/conversations/store';
import { closeConversationPool, loadHistory, writeTurns } from '@/lib/conversations/persistence';
import { DEFAULT_BREAKER_CONFIG, UNDEGRADED } from '@/lib/routing/defaults';
import { DEFAULT_CHAIN_ENTRY } from '@/lib/failover/schemas';
import { BreakerRegistry } from '@/lib/gateway/breaker-registry';
import { createGatewayHandler } from '@/lib/gateway/handler';
import { SampleRecorder } from '@/lib/gateway/recorder';
import type { RoutingSnapshot } from '@/lib/routing/model';
import { endpointPolicyOf } from '@/lib/server/endpoint-policy';
import { setEndpointPolicy } from '@/lib/server/guarded-connect';
import { BENCH_TOKEN, serveIpc } from './harness';

export type ConversationGatewayConfig = { serviceId: string; serviceName: string; targetId: string; endpointUrl: string; tokenId: string };

const config = JSON.parse(process.env.BENCH_CONVERSATION_GATEWAY ?? '{}') as ConversationGatewayConfig;
const d = DEFAULT_CHAIN_ENTRY;
const snapshot: RoutingSnapshot = {
  loadedAt: Date.now(),
  services: new Map([
    [config.serviceName, {
      id: config.serviceId, name: config.serviceName, enabled: true, routingVersion: 1, degradation: UNDEGRADED, conversations: { store: true, retentionDays: 1 },
      chain: [{
        targetId: config.targetId, position: 0, failoverOn: [...d.failoverOn], latencyLimitMs: null,
        budget: { maxRetries: d.maxRetries, baseBackoffMs: d.baseBackoffMs, maxBackoffMs: d.maxBackoffMs },
        timeouts: { connectMs: d.connectTimeoutMs, headerMs: d.headerTimeoutMs, firstTokenMs: d.firstTokenTimeoutMs, streamIdleMs: d.streamIdleTimeoutMs, totalMs: d.totalTimeoutMs },
      }],
    }],
  ]),
  targets: new Map([
    [config.targetId, {
      id: config.targetId, name: 'bench-target', providerName: 'bench', providerKind: 'openai', apiStyle: 'openai_chat', failureDomain: null, regionCode: 'local',
      endpointUrl: config.endpointUrl, model: 'bench-model', apiKey: 'sk-bench', enabled: true, contextWindow: 128_000, rpm: 1_000_000, tpm: 1_000_000_000,
      qualityClass: 'standard', breaker: DEFAULT_BREAKER_CONFIG, probeIntervalMs: 15_000,
    }],
  ]),
  overrides: [],
  breakers: new Map(),
  tokens: new Map([[hashToken(BENCH_TOKEN), { id: config.tokenId, name: 'bench', services: [], expiresAt: null }]]),
};

// The bench upstream listens on loopback, which Admin → Settings must allow (the routing snapshot sets it in a server).
setEndpointPolicy(endpointPolicyOf(['127.0.0.0/8']));
const breakers = new BreakerRegistry('bench-conversations', () => DEFAULT_BREAKER_CONFIG, async () => {});
const recorder = new SampleRecorder().start();
const store = new ConversationStore({ load: loadHistory, write: writeTurns }).start();
const handle = createGatewayHandler({ snapshot: () => snapshot, breakers, recorder, conversations: store });

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
      stats: () => store.stats(),
      flush: async () => {
        await store.flush();
        await recorder.flush();
        return store.stats();
      },
    },
    { port: (server.address() as AddressInfo).port, pid: process.pid },
    async () => {
      await store.close();
      await closeConversationPool();
      await recorder.close();
    },
  );
});
