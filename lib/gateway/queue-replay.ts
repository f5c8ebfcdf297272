// The retry queue's replay (a leader task, worker/control-loops.ts): every
// 2 s, for each service with queued requests whose tier is no longer
// Emergency, take the oldest few (how many depends on the tier: a service that
// has just come back is not flooded), run each through the same tiers and
// routing as live traffic (the gateway's complete()), and store the answer for
// GET /api/v1/queued/<id>. Rows past their expiry are expired; failures are
// retried with backoff a bounded number of times.
import { effectiveTier } from '@/lib/routing/tier';
import type { Tier } from '@/lib/routing/enums';
import type { LeaderTask } from '@/lib/server/leader-tasks';
import type { GatewayDeps, GatewayState } from './context';
import { createGatewayHandler, type GatewayHandler } from './handler';
import type { CompletedRequest } from './queued';
import type { ClaimedRequest, ReplayQueue } from './retry-queue';
import type { SnapshotSource } from './snapshot';
import type { RoutingSnapshot, SnapshotService } from '@/lib/routing/model';

export const REPLAY_INTERVAL_MS = 2_000;

/** Queued requests replayed per service and run: fewer while the service is short of capacity. */
export const REPLAY_BATCH: Record<Tier, number> = { full: 8, degraded: 2, minimal: 1, emergency: 0 };

/** Replays that reached an upstream and failed (5xx, 429, timeouts) before the request is given up. */
export const MAX_REPLAY_ATTEMPTS = 6;

/** A row running for longer than this was left by a leader that died: it is queued again. */
export const STALE_RUNNING_MS = 5 * 60_000;

export type ReplayVerdict = 'succeeded' | 'failed' | 'retry' | 'wait';

/**
 * What to do with a replayed request. A refusal by the tier (Minimal without a
 * cached or rule answer, or Emergency again) is no attempt: it waits. A
 * request the gateway rejects as such (400, 401, 403, 404, 413) will not get
 * better. Anything else is retried until the attempts run out.
 */
export function replayVerdict(result: Pick<CompletedRequest, 'status' | 'servedBy'>, attempts: number, maxAttempts = MAX_REPLAY_ATTEMPTS): ReplayVerdict {
  if (result.servedBy === 'refused' || result.servedBy === 'maintenance') return 'wait';
  if (result.status === 200) return 'succeeded';
  if (result.status >= 400 && result.status < 500 && result.status !== 408 && result.status !== 429) return 'failed';
  return attempts >= maxAttempts ? 'failed' : 'retry';
}

export type ReplayDeps = {
  snapshot: () => RoutingSnapshot | null;
  complete: (serviceName: string, body: Record<string, unknown>, tokenId: string | null) => Promise<CompletedRequest>;
  queue: ReplayQueue;
  now?: () => number;
  signal?: AbortSignal;
  log?: (line: string) => void;
};

export type ReplayReport = { expired: number; released: number; succeeded: number; failed: number; retried: number; waiting: number };

function errorMessage(body: unknown): string | null {
  const error = (body as { error?: { message?: unknown } } | null)?.error;
  return typeof error?.message === 'string' ? error.message : null;
}

export async function replayQueuedRequests(deps: ReplayDeps): Promise<ReplayReport> {
  const now = deps.now ?? Date.now;
  const report: ReplayReport = { expired: 0, released: 0, succeeded: 0, failed: 0, retried: 0, waiting: 0 };
  report.expired = await deps.queue.expireDue(now());
  report.released = await deps.queue.releaseStale(now() - STALE_RUNNING_MS);
  const snapshot = deps.snapshot();
  if (!snapshot) return report;
  const byId = new Map<string, SnapshotService>([...snapshot.services.values()].map((s) => [s.id, s]));

  for (const serviceId of await deps.queue.pendingServiceIds(now())) {
    if (deps.signal?.aborted) break;
    const service = byId.get(serviceId);
    // A service removed since: its rows are replayed anyway, and the gateway answers them 404 (a final answer).
    const tier: Tier = service ? effectiveTier(service.degradation, now()) : 'full';
    const batch = REPLAY_BATCH[tier];
    if (batch === 0) continue;
    const rows = await deps.queue.claim(serviceId, batch, now());
    await Promise.all(rows.map((row) => replayOne(deps, row, service?.name ?? `unknown-service-${serviceId}`, report, now)));
  }
  if (report.succeeded + report.failed + report.expired > 0) {
    deps.log?.(`retry queue: ${report.succeeded} replayed, ${report.failed} failed, ${report.expired} expired, ${report.retried} to retry`);
  }
  return report;
}

async function replayOne(deps: ReplayDeps, row: ClaimedRequest, serviceName: string, report: ReplayReport, now: () => number) {
  let result: CompletedRequest;
  try {
    result = await deps.complete(serviceName, row.body, row.tokenId);
  } catch (error) {
    result = { status: 500, body: { error: { message: error instanceof Error ? error.message : String(error), type: 'api_error', param: null, code: 'internal_error' } }, headers: {}, servedBy: null };
  }
  const verdict = replayVerdict(result, row.attempts);
  switch (verdict) {
    case 'succeeded':
    case 'failed':
      report[verdict] += 1;
      return deps.queue.finish(row.id, { status: verdict, resultStatus: result.status, result: result.body, lastError: verdict === 'failed' ? errorMessage(result.body) : null, now: now() });
    case 'retry':
      report.retried += 1;
      return deps.queue.release(row.id, { countAttempt: true, lastError: errorMessage(result.body), resultStatus: result.status });
    case 'wait':
      report.waiting += 1;
      return deps.queue.release(row.id, { countAttempt: false, lastError: null, resultStatus: null });
  }
}

/**
 * The leader task. It builds a gateway handler of its own over the replica's
 * snapshot, breakers, recorder and gateway state (what Retry-After asked of a
 * target holds for replays too), so that replays are routed, broken and
 * recorded exactly like live traffic.
 */
export function queueReplayTask(deps: { snapshots: Pick<SnapshotSource, 'get'>; breakers: GatewayDeps['breakers']; recorder: GatewayDeps['recorder']; queue: ReplayQueue; state?: GatewayState }): LeaderTask {
  let gateway: GatewayHandler | null = null;
  return {
    name: 'retry-queue-replay',
    intervalMs: REPLAY_INTERVAL_MS,
    run: async (context) => {
      gateway ??= createGatewayHandler({ snapshot: () => deps.snapshots.get(), breakers: deps.breakers, recorder: deps.recorder, queue: deps.queue, state: deps.state });
      await replayQueuedRequests({ snapshot: () => deps.snapshots.get(), complete: gateway.complete, queue: deps.queue, signal: context.signal, log: context.log });
    },
  };
}
