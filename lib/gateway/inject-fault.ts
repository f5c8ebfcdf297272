// Drill faults (issue 14), applied by the gateway itself in the attempt step
// (attempt.ts) so that a drill travels the same retries, breakers, failover
// and recording as a real outage, on real providers and on the demo's
// simulated upstreams alike. A fault is a lease carried in the routing
// snapshot: it is applied only while `startsAt <= now < expiresAt` by this
// replica's own clock, so it ends at its deadline even if the drill's
// controller, its replica or the database is gone. With no fault defined the
// attempt pays one map lookup on an empty map.
import { pipeline, Transform, type Readable } from 'node:stream';
import type { ErrorClass } from '@/lib/routing/error-classes';
import type { RoutingSnapshot, SnapshotFault } from '@/lib/routing/model';

const NO_FAULTS: ReadonlyMap<string, readonly SnapshotFault[]> = new Map();

/** Indexes leases by the targets they apply to. */
export function faultsByTarget(rows: readonly { fault: SnapshotFault; targetIds: readonly string[] }[]): ReadonlyMap<string, readonly SnapshotFault[]> {
  if (rows.length === 0) return NO_FAULTS;
  const map = new Map<string, SnapshotFault[]>();
  for (const { fault, targetIds } of rows) for (const id of targetIds) map.set(id, [...(map.get(id) ?? []), fault]);
  return map;
}

/**
 * The fault that catches this attempt, if any: the first lease of the target
 * in force at `now` that applies to this request (drill-only leases catch
 * only their run's synthetic requests) and whose share the draw falls in.
 */
/** A lease is in force from its start until its deadline, by the caller's clock. */
export const leaseInForce = (f: Pick<SnapshotFault, 'startsAt' | 'expiresAt'>, now: number) => now >= f.startsAt && now < f.expiresAt;

export function pickFault(
  faults: RoutingSnapshot['faults'], targetId: string, drillRunId: string | null, now: number, random: () => number,
): SnapshotFault | null {
  if (!faults || faults.size === 0) return null;
  const leases = faults.get(targetId);
  if (!leases) return null;
  for (const f of leases) {
    if (!leaseInForce(f, now)) continue;
    if (f.drillOnly && f.runId !== drillRunId) continue;
    if (f.share < 1 && random() >= f.share) continue;
    return f;
  }
  return null;
}

/** What a fault does before any response: answer with a status, fail as a transport would, or hold the attempt a while. */
export type BeforeResponse =
  | { kind: 'status'; status: number; retryAfterMs: number | null; message: string }
  | { kind: 'transport'; errorClass: ErrorClass; message: string; afterMs: number }
  | { kind: 'delay'; delayMs: number }
  | { kind: 'none' };

const DEFAULT_DELAY_MS = 10_000;

/** Pure: what `fault` does before the response headers of an attempt with header limit `headerMs`. */
export function beforeResponse(fault: SnapshotFault, stream: boolean, headerMs: number): BeforeResponse {
  const label = `injected by drill fault ${fault.id}`;
  const p = fault.params;
  switch (fault.kind) {
    case 'error_status':
      return { kind: 'status', status: p.status ?? 503, retryAfterMs: null, message: `HTTP ${p.status ?? 503} ${label}` };
    case 'rate_limited':
      return { kind: 'status', status: 429, retryAfterMs: p.retryAfterSeconds == null ? null : p.retryAfterSeconds * 1000, message: `HTTP 429 ${label}` };
    case 'target_down':
      return { kind: 'transport', errorClass: 'connect_failed', message: `cannot connect (ECONNREFUSED, ${label})`, afterMs: 0 };
    case 'no_response':
      return { kind: 'transport', errorClass: 'header_timeout', message: `no response headers in time (${label})`, afterMs: headerMs };
    case 'added_latency':
    case 'slow_first_token': {
      // A slow first token of a complete answer is a slow answer: both wait before the headers.
      if (fault.kind === 'slow_first_token' && stream) return { kind: 'none' };
      const delayMs = p.delayMs ?? DEFAULT_DELAY_MS;
      return delayMs >= headerMs ? { kind: 'transport', errorClass: 'header_timeout', message: `no response headers in time (${label})`, afterMs: headerMs } : { kind: 'delay', delayMs };
    }
    case 'stream_cut':
    case 'stream_stall':
      return { kind: 'none' };
  }
}

/**
 * A streamed body as `fault` leaves it: the first piece held back (slow first
 * token), the connection cut after so many pieces, or nothing more after so
 * many pieces and never an end (stalled). The relay's own first-token and
 * idle limits then do what they do for a real upstream. Null: untouched (and
 * `body`, which makes the stream, is not called).
 */
export function faultedStream(fault: SnapshotFault, body: () => Readable): Readable | null {
  const { kind } = fault;
  if (kind !== 'slow_first_token' && kind !== 'stream_cut' && kind !== 'stream_stall') return null;
  const after = Math.max(0, fault.params.afterChunks ?? 2);
  const delayMs = fault.params.delayMs ?? DEFAULT_DELAY_MS;
  let pieces = 0;
  let stalled = false;
  let timer: NodeJS.Timeout | null = null;
  const out = new Transform({
    transform(chunk, _encoding, done) {
      if (stalled) return done();
      pieces += 1;
      if (kind === 'slow_first_token' && pieces === 1) {
        timer = setTimeout(() => done(null, chunk), delayMs);
        return;
      }
      if (kind === 'stream_cut' && pieces > after) return done(new Error('stream cut by a drill fault'));
      if (kind === 'stream_stall' && pieces > after) {
        stalled = true;
        return done();
      }
      done(null, chunk);
    },
    flush(done) {
      if (!stalled) done();
      // Stalled: never ends; the relay's idle limit destroys it.
    },
    destroy(error, done) {
      if (timer) clearTimeout(timer);
      done(error);
    },
  });
  // pipeline destroys the upstream body when the relay destroys what it reads.
  pipeline(body(), out, () => {});
  return out as Readable;
}
