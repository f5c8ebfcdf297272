import 'server-only';
// The data plane of one replica: routing snapshot, breakers, recorder, metrics
// and the gateway handler, wired together with the state its requests share.
// Started by the replica's bootstrap (worker/replica.ts), for a web replica and
// for a monitor-only process alike.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { DEFAULT_BREAKER_CONFIG } from '@/lib/routing/defaults';
import type { DataPlaneLink } from '@/lib/server/data-plane-link';
import { createDisconnectLog } from '@/lib/server/disconnects';
import { askPrimary, workerSlot } from '@/lib/server/runtime/workers';
import { BreakerRegistry } from './breaker-registry';
import { createGatewayState, type ConversationHook } from './context';
import { createGatewayHandler } from './handler';
import { createMetrics, METRICS_CONTENT_TYPE } from './metrics';
import { SampleRecorder } from './recorder';
import { createRetryQueue } from './retry-queue';
import { SnapshotSource } from './snapshot';
import { stopWriterThread, writerThread } from './writer-thread';

export type DataPlane = Awaited<ReturnType<typeof startDataPlane>>;

export type DataPlaneOptions = {
  /** The name this replica writes shared breaker state under. */
  replica?: string;
  /** lib/server/env.ts STANDBY_GATEWAY_MAX_BODY_BYTES. */
  maxBodyBytes?: number;
  log?: (line: string) => void;
  /** The conversation store of this replica (lib/conversations/runtime.ts), started by the replica's bootstrap; closed with the data plane. */
  conversations?: { store: ConversationHook; close(): Promise<void> };
};

export async function startDataPlane(options: DataPlaneOptions = {}) {
  const replica = options.replica ?? `${hostname()}:${process.pid}`;
  const log = options.log ?? ((line: string) => console.log(`[standby] ${line}`));
  const metrics = createMetrics();
  // A worker of a pool answers /api/metrics for the whole pool (the primary sums every worker's registry).
  const inPool = workerSlot() !== null;
  if (inPool) metrics.shareWithPool();
  const snapshots = new SnapshotSource();
  const recorder = new SampleRecorder().start();
  metrics.watchRecorder(() => ({ ...recorder.stats, threadRestarts: writerThread.stats.restarts }));
  const targetName = (id: string) => snapshots.get()?.targets.get(id)?.name ?? id;
  const breakers = new BreakerRegistry(
    replica,
    (targetId) => snapshots.get()?.targets.get(targetId)?.breaker ?? DEFAULT_BREAKER_CONFIG,
    undefined,
    (t) => {
      metrics.setBreakerState(targetName(t.targetId), t.to);
      log(`breaker ${targetName(t.targetId)}: ${t.from} -> ${t.to} (${t.cause})`);
    },
  );
  // Follow the state other replicas share through PostgreSQL (never this replica's own writes),
  // from the first snapshot on: subscribed before the first load, which start() delivers.
  snapshots.onChange((snapshot) => breakers.followShared(snapshot.breakers));
  await snapshots.start();
  const logDisconnect = createDisconnectLog((line) => console.log(line));
  /** Counted in /api/metrics and logged as one line; the front door reports those of the dashboard's requests here too. */
  const clientDisconnected = (where: string) => {
    metrics.observeClientDisconnect();
    logDisconnect(where);
  };
  /** What this replica's requests share: Retry-After waits, token hashes, the overflow gate, the response cache. */
  const gatewayState = createGatewayState();
  const gateway = createGatewayHandler({
    snapshot: () => snapshots.get(), breakers, recorder, metrics, state: gatewayState, queue: createRetryQueue(), maxBodyBytes: options.maxBodyBytes, onClientDisconnect: clientDisconnected,
    conversations: options.conversations?.store,
  });
  // GET /api/metrics: Prometheus exposition of this replica's data plane (served lean, beside the gateway).
  const handle = async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> => {
    if (pathname === '/api/metrics') {
      const text = inPool ? await askPrimary<string>('metrics') : await metrics.render();
      res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' });
      res.end(text);
      return true;
    }
    return gateway(req, res, pathname);
  };
  /** For the dashboard and /api/health: is the control plane reachable from this replica? */
  const status = () => ({ snapshot: snapshots.status(), recorder: { ...recorder.stats } });
  const link: DataPlaneLink = { status, observeSignIn: (outcome) => metrics.observeSignIn(outcome) };
  return {
    replica,
    snapshots,
    breakers,
    recorder,
    metrics,
    gatewayState,
    handle,
    /** A request served in memory (the retry queue's replay, a drill's synthetic traffic). */
    complete: gateway.complete,
    /** This replica's conversation store, for the gateways of the control loops (a drill's resume check). */
    conversations: options.conversations?.store,
    clientDisconnected,
    status,
    /** What Next's pages and routes may see of it (lib/server/data-plane-link.ts). */
    link,
    close: async () => {
      await snapshots.close();
      await recorder.close();
      await stopWriterThread();
      await options.conversations?.close();
    },
  };
}
