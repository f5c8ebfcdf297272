// Circuit breaker per target: DESIGN.md, "Circuit breaker". CLOSED opens when
// the failure rate over a rolling window reaches a threshold over at least a
// minimum number of requests, or after a run of consecutive failures (like
// Envoy's outlier detection: a target that starts failing everything is left
// within a few attempts, not after the rate catches up with a window of past
// successes; docs/decisions/005); OPEN moves to HALF_OPEN after `openMs`;
// HALF_OPEN closes after enough successful probes and reopens on a failure.
// Pure (breaker.test.ts): every function takes `now` and returns a new value,
// so one breaker is plain JSON that replicas can store and compare.
import { formatDuration } from '@/lib/shared/format';
import type { BreakerState } from '@/lib/routing/enums';
import type { ErrorClass } from '@/lib/routing/error-classes';
import type { BreakerConfig } from '@/lib/routing/model';

/** The window is this many buckets of windowMs / BREAKER_BUCKETS each, so it slides in steps of one bucket. */
export const BREAKER_BUCKETS = 10;

export type BreakerBucket = { start: number; successes: number; failures: number };

export type Breaker = {
  state: BreakerState;
  /** When the breaker entered its current state. */
  since: number;
  /** Outcomes while CLOSED, oldest first; cleared when the breaker closes. */
  buckets: BreakerBucket[];
  /** Failures in a row while CLOSED: a success, or any change of state, resets it. */
  consecutiveFailures: number;
  halfOpenSuccesses: number;
  halfOpenInFlight: number;
  /** When the latest HALF_OPEN probe was admitted; null outside HALF_OPEN. */
  lastProbeAt: number | null;
};

export type Transition = { from: BreakerState; to: BreakerState; at: number; cause: string };

/**
 * Whether an attempt that ended in this error class is evidence against the
 * target. Client-caused errors prove the target answered: record them as
 * successes (recordResult(b, true, ...)), so that a half-open probe slot is
 * always released. auth_failed and not_found count: a revoked key or a retired
 * model fails every request until an operator fixes the target. total_timeout
 * does not: it is the request's own budget, spent across attempts.
 */
export function countsAsBreakerFailure(errorClass: ErrorClass): boolean {
  switch (errorClass) {
    case 'rate_limited':
    case 'server_error':
    case 'overloaded':
    case 'connect_failed':
    case 'connection_reset':
    case 'header_timeout':
    case 'first_token_timeout':
    case 'stream_stall':
    case 'stream_cut':
    case 'malformed_response':
    case 'auth_failed':
    case 'not_found':
      return true;
    case 'bad_request':
    case 'context_length':
    case 'content_policy':
    case 'total_timeout':
      return false;
  }
}

export function initialBreaker(now: number): Breaker {
  return { state: 'closed', since: now, buckets: [], consecutiveFailures: 0, halfOpenSuccesses: 0, halfOpenInFlight: 0, lastProbeAt: null };
}

function bucketWidth(cfg: BreakerConfig): number {
  return Math.max(1, cfg.windowMs / BREAKER_BUCKETS);
}

function inWindow(bucket: BreakerBucket, now: number, cfg: BreakerConfig): boolean {
  return bucket.start > now - cfg.windowMs && bucket.start <= now;
}

/** Successes and failures recorded while CLOSED within the rolling window ending at `now`. */
export function windowCounts(b: Breaker, now: number, cfg: BreakerConfig): { successes: number; failures: number; total: number } {
  let successes = 0;
  let failures = 0;
  for (const bucket of b.buckets) {
    if (!inWindow(bucket, now, cfg)) continue;
    successes += bucket.successes;
    failures += bucket.failures;
  }
  return { successes, failures, total: successes + failures };
}

/** failures / total within the window; 0 when the window is empty. */
export function failureRate(b: Breaker, now: number, cfg: BreakerConfig): number {
  const { failures, total } = windowCounts(b, now, cfg);
  return total === 0 ? 0 : failures / total;
}

/** When an OPEN breaker will admit its first probe; null unless OPEN. */
export function nextProbeAt(b: Breaker, cfg: BreakerConfig): number | null {
  return b.state === 'open' ? b.since + cfg.openMs : null;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function enter(b: Breaker, to: BreakerState, now: number, cause: string): { breaker: Breaker; transition: Transition } {
  const breaker: Breaker = {
    state: to,
    since: now,
    // A breaker that closes starts from a clean window, so the failures that
    // opened it cannot open it again at once.
    buckets: to === 'closed' ? [] : b.buckets,
    consecutiveFailures: 0,
    halfOpenSuccesses: 0,
    halfOpenInFlight: 0,
    lastProbeAt: null,
  };
  return { breaker, transition: { from: b.state, to, at: now, cause } };
}

/**
 * Asks to send one request through the breaker. CLOSED admits; OPEN refuses
 * until `openMs` has passed, then moves to HALF_OPEN; HALF_OPEN admits up to
 * `halfOpenMaxInFlight` probes at once. When every slot is still taken
 * `openMs` after the latest probe was admitted, the probes are presumed lost
 * and their slots given back, so a caller that never reports a result cannot
 * pin the breaker half-open (and keep traffic off a recovered target).
 */
export function tryAcquire(b: Breaker, now: number, cfg: BreakerConfig): { allowed: boolean; breaker: Breaker; transition?: Transition } {
  if (b.state === 'closed') return { allowed: true, breaker: b };

  const maxInFlight = Math.max(1, cfg.halfOpenMaxInFlight);
  let breaker = b;
  let transition: Transition | undefined;
  if (b.state === 'open') {
    if (now - b.since < cfg.openMs) return { allowed: false, breaker: b };
    const probes = plural(maxInFlight, 'probe');
    ({ breaker, transition } = enter(b, 'half_open', now, `open for ${formatDuration(now - b.since)}; admitting up to ${probes} at a time`));
  } else if (b.halfOpenInFlight >= maxInFlight && b.lastProbeAt !== null && now - b.lastProbeAt >= cfg.openMs) {
    // Probes presumed lost. Their answers, if they come, still count.
    breaker = { ...b, halfOpenInFlight: 0 };
  }

  if (breaker.halfOpenInFlight >= maxInFlight) return { allowed: false, breaker, ...(transition ? { transition } : {}) };
  breaker = { ...breaker, halfOpenInFlight: breaker.halfOpenInFlight + 1, lastProbeAt: now };
  return { allowed: true, breaker, ...(transition ? { transition } : {}) };
}

function addToWindow(b: Breaker, ok: boolean, now: number, cfg: BreakerConfig): BreakerBucket[] {
  const width = bucketWidth(cfg);
  const start = Math.floor(now / width) * width;
  const buckets = b.buckets;
  const last = buckets.length - 1;
  // Called on every attempt: the usual case (this bucket is the newest and nothing has expired)
  // copies the at most BREAKER_BUCKETS buckets instead of filtering, searching and sorting them.
  if (last >= 0 && buckets[last].start === start && buckets[0].start > now - cfg.windowMs) {
    const copy = buckets.slice();
    copy[last] = add(buckets[last], ok);
    return copy;
  }
  const kept = buckets.filter((bucket) => bucket.start > now - cfg.windowMs);
  // Kept oldest first; a clock that stepped back may land in an older bucket.
  let index = kept.length;
  while (index > 0 && kept[index - 1].start > start) index -= 1;
  if (index > 0 && kept[index - 1].start === start) {
    kept[index - 1] = add(kept[index - 1], ok);
    return kept;
  }
  kept.splice(index, 0, add({ start, successes: 0, failures: 0 }, ok));
  return kept;
}

function add(bucket: BreakerBucket, ok: boolean): BreakerBucket {
  return { start: bucket.start, successes: bucket.successes + (ok ? 1 : 0), failures: bucket.failures + (ok ? 0 : 1) };
}

/**
 * Reports the outcome of a request the breaker admitted. Pass `acquiredAt`
 * (the `now` given to tryAcquire) so that a slow answer to a request admitted
 * before the breaker went half-open is not mistaken for a probe result.
 */
export function recordResult(
  b: Breaker,
  ok: boolean,
  now: number,
  cfg: BreakerConfig,
  acquiredAt?: number,
): { breaker: Breaker; transition?: Transition } {
  if (b.state === 'open') return { breaker: b };

  if (b.state === 'half_open') {
    if (acquiredAt !== undefined && acquiredAt < b.since) return { breaker: b };
    const inFlight = Math.max(0, b.halfOpenInFlight - 1);
    if (!ok) return enter(b, 'open', now, 'a half-open probe failed');
    const successes = b.halfOpenSuccesses + 1;
    if (successes >= cfg.halfOpenSuccesses) {
      return enter(b, 'closed', now, `${plural(successes, 'probe')} succeeded while half-open`);
    }
    return { breaker: { ...b, halfOpenSuccesses: successes, halfOpenInFlight: inFlight } };
  }

  // Spelled out rather than spread: this runs on every attempt, and a spread costs several times more.
  const breaker: Breaker = {
    state: b.state, since: b.since, buckets: addToWindow(b, ok, now, cfg), consecutiveFailures: ok ? 0 : b.consecutiveFailures + 1,
    halfOpenSuccesses: b.halfOpenSuccesses, halfOpenInFlight: b.halfOpenInFlight, lastProbeAt: b.lastProbeAt,
  };
  const { failures, total } = windowCounts(breaker, now, cfg);
  const rate = total === 0 ? 0 : failures / total;
  if (total >= Math.max(1, cfg.minimumRequests) && rate >= cfg.failureRateThreshold) {
    const cause =
      `failure rate ${Math.round(rate * 100)}% over ${plural(total, 'request')} in ${formatDuration(cfg.windowMs)} ` +
      `(threshold ${Math.round(cfg.failureRateThreshold * 100)}%)`;
    return enter(breaker, 'open', now, cause);
  }
  const inARow = Math.max(1, cfg.consecutiveFailures);
  if (breaker.consecutiveFailures >= inARow) {
    return enter(breaker, 'open', now, `${plural(breaker.consecutiveFailures, 'failure')} in a row (threshold ${inARow})`);
  }
  return { breaker };
}

/**
 * Sets the state from outside: an operator forcing a target open or closed, or
 * a replica adopting the state the cluster agreed on. Same state: no change.
 */
export function forceState(
  b: Breaker,
  state: BreakerState,
  now: number,
  cause: string = 'set by an operator or another replica',
): { breaker: Breaker; transition?: Transition } {
  if (b.state === state) return { breaker: b };
  return enter(b, state, now, cause);
}
