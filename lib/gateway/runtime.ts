import 'server-only';
// The data plane of one replica: routing snapshot, breakers, recorder and the
// gateway handler, wired together. Started by scripts/standby.ts beside Next.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { DEFAULT_BREAKER_CONFIG } from './breaker';
import { BreakerRegistry } from './breaker-registry';
import { createDisconnectLog } from '@/lib/server/disconnects';
import { createGatewayHandler } from './handler';
import { createMetrics, METRICS_CONTENT_TYPE } from './metrics';
import { SampleRecorder } from './recorder';
import { createRetryQueue } from './retry-queue';
import { SnapshotSource } from './snapshot';
import { startConversationStore } from '@/lib/conversations/runtime';

export type DataPlane = Awaited<ReturnType<typeof startDataPlane>>;

export async function startDataPlane() {
  const replica = `${hostname()}:${process.pid}`;
  const metrics = createMetrics();
  const snapshots = new SnapshotSource();
  const recorder = new SampleRecorder().start();
  const targetName = (id: string) => snapshots.get()?.targets.get(id)?.name ?? id;
  const breakers = new BreakerRegistry(
    replica,
    (targetId) => snapshots.get()?.targets.get(targetId)?.breaker ?? DEFAULT_BREAKER_CONFIG,
    undefined,
    (t) => {
      metrics.setBreakerState(targetName(t.targetId), t.to);
      console.log(`[standby] breaker ${targetName(t.targetId)}: ${t.from} -> ${t.to} (${t.cause})`);
    },
  );
  // Follow the state other replicas share through PostgreSQL (never this replica's own writes).
  snapshots.onChange((snapshot) => breakers.followShared(snapshot.breakers));
  await snapshots.start();
  const logDisconnect = createDisconnectLog((line) => console.log(line));
  /** Counted in /api/metrics and logged as one line; the front door reports those of the dashboard's requests here too. */
  const clientDisconnected = (where: string) => {
    metrics.observeClientDisconnect();
    logDisconnect(where);
  };
  const conversations = startConversationStore();
  const gateway = createGatewayHandler({
    snapshot: () => snapshots.get(), breakers, recorder, metrics, queue: createRetryQueue(), onClientDisconnect: clientDisconnected, conversations: conversations.store,
  });
  // GET /api/metrics: Prometheus exposition of this replica's data plane (served lean, beside the gateway).
  const handle = async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> => {
    if (pathname === '/api/metrics') {
      res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' });
      res.end(metrics.render());
      return true;
    }
    return gateway(req, res, pathname);
  };
  return {
    replica,
    snapshots,
    breakers,
    recorder,
    metrics,
    handle,
    clientDisconnected,
    /** For the dashboard and /api/health: is the control plane reachable from this replica? */
    conversations: conversations.store,
    status: () => ({ snapshot: snapshots.status(), recorder: { ...recorder.stats }, conversations: conversations.store.stats() }),
    close: async () => {
      await snapshots.close();
      await recorder.close();
      await conversations.close();
    },
  };
}
