import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERROR_CLASSES } from '@/lib/routing/error-classes';
import { DEFAULT_BREAKER_CONFIG } from '@/lib/routing/defaults';
import { countsAsBreakerFailure, failureRate, forceState, initialBreaker, nextProbeAt, recordResult, tryAcquire, windowCounts, type Breaker, type Transition } from './breaker';
import type { BreakerConfig } from '@/lib/routing/model';

const T0 = 1_000_000; // a whole second, so buckets start at T0
const cfg: BreakerConfig = { failureRateThreshold: 0.5, minimumRequests: 4, windowMs: 10_000, openMs: 5_000, halfOpenSuccesses: 2, halfOpenMaxInFlight: 2, consecutiveFailures: 5 };

/** Records outcomes one after another at `at`; returns the last breaker and every transition seen. */
function record(b: Breaker, outcomes: boolean[], at: number, config = cfg): { breaker: Breaker; transitions: Transition[] } {
  const transitions: Transition[] = [];
  for (const ok of outcomes) {
    const result = recordResult(b, ok, at, config);
    b = result.breaker;
    if (result.transition) transitions.push(result.transition);
  }
  return { breaker: b, transitions };
}

const S = true;
const F = false;

function openedAt(at: number): Breaker {
  const { breaker } = record(initialBreaker(T0), [F, F, F, F], at);
  assert.equal(breaker.state, 'open');
  return breaker;
}

function halfOpenAt(at: number): Breaker {
  const result = tryAcquire(openedAt(at - cfg.openMs), at, cfg);
  assert.equal(result.breaker.state, 'half_open');
  return result.breaker;
}

// --- which errors count ------------------------------------------------------------

test('provider-side failures count against the breaker; client-caused ones do not', () => {
  const counted = ERROR_CLASSES.filter(countsAsBreakerFailure);
  assert.deepEqual(counted.sort(), [
    'auth_failed',
    'connect_failed',
    'connection_reset',
    'first_token_timeout',
    'header_timeout',
    'malformed_response',
    'not_found',
    'overloaded',
    'rate_limited',
    'server_error',
    'stream_cut',
    'stream_stall',
  ]);
  for (const errorClass of ['bad_request', 'context_length', 'content_policy', 'total_timeout'] as const) assert.equal(countsAsBreakerFailure(errorClass), false);
});

test('the default configuration follows DESIGN.md', () => {
  assert.equal(DEFAULT_BREAKER_CONFIG.failureRateThreshold, 0.5);
  assert.equal(DEFAULT_BREAKER_CONFIG.consecutiveFailures, 5); // prisma Target.breakerConsecutiveFailures' default
  assert.ok(DEFAULT_BREAKER_CONFIG.minimumRequests >= 1 && DEFAULT_BREAKER_CONFIG.halfOpenMaxInFlight >= 1);
});

// --- CLOSED -> OPEN -------------------------------------------------------------------

test('a new breaker is closed, admits requests and has no failure rate', () => {
  const b = initialBreaker(T0);
  assert.deepEqual(b, { state: 'closed', since: T0, buckets: [], consecutiveFailures: 0, halfOpenSuccesses: 0, halfOpenInFlight: 0, lastProbeAt: null });
  const acquired = tryAcquire(b, T0, cfg);
  assert.equal(acquired.allowed, true);
  assert.equal(acquired.breaker, b);
  assert.equal(acquired.transition, undefined);
  assert.equal(failureRate(b, T0, cfg), 0);
  assert.equal(nextProbeAt(b, cfg), null);
});

test('below the minimum number of requests even 100% failures do not open it', () => {
  const { breaker, transitions } = record(initialBreaker(T0), [F, F, F], T0);
  assert.equal(breaker.state, 'closed');
  assert.deepEqual(transitions, []);
  assert.equal(failureRate(breaker, T0, cfg), 1);
});

test('reaching the minimum with failures at 100% opens it, saying why', () => {
  const { breaker, transitions } = record(initialBreaker(T0), [F, F, F, F], T0 + 300);
  assert.equal(breaker.state, 'open');
  assert.equal(breaker.since, T0 + 300);
  assert.deepEqual(transitions, [{ from: 'closed', to: 'open', at: T0 + 300, cause: 'failure rate 100% over 4 requests in 10 s (threshold 50%)' }]);
});

test('exactly at the threshold opens it', () => {
  const { breaker, transitions } = record(initialBreaker(T0), [S, S, F, F], T0);
  assert.equal(breaker.state, 'open');
  assert.equal(transitions[0].cause, 'failure rate 50% over 4 requests in 10 s (threshold 50%)');
});

test('just below the threshold stays closed; the next failure tips it', () => {
  let { breaker } = record(initialBreaker(T0), [S, S, S, F, F], T0); // 2 / 5 = 40%
  assert.equal(breaker.state, 'closed');
  assert.equal(failureRate(breaker, T0, cfg), 0.4);
  ({ breaker } = record(breaker, [F], T0)); // 3 / 6 = 50%
  assert.equal(breaker.state, 'open');
});

test('a success that brings the count to the minimum opens it if the rate is still over the threshold', () => {
  const { breaker, transitions } = record(initialBreaker(T0), [F, F, F, S], T0);
  assert.equal(breaker.state, 'open');
  assert.equal(transitions[0].cause, 'failure rate 75% over 4 requests in 10 s (threshold 50%)');
});

test('the cause rounds the rate and names the window', () => {
  const config = { ...cfg, minimumRequests: 13, consecutiveFailures: 20 }; // eight failures in a row must not open it first
  const { transitions } = record(initialBreaker(T0), [S, S, S, S, S, F, F, F, F, F, F, F, F], T0, config);
  assert.deepEqual(transitions.map((t) => t.cause), ['failure rate 62% over 13 requests in 10 s (threshold 50%)']); // 8 / 13 = 61.5%
  const short = record(initialBreaker(T0), [F, F, F, F], T0, { ...cfg, windowMs: 1_500 });
  assert.match(short.transitions[0].cause, /in 1\.5 s/);
  const tiny = record(initialBreaker(T0), [F, F, F, F], T0, { ...cfg, windowMs: 500 });
  assert.match(tiny.transitions[0].cause, /in 500 ms/);
});

// --- consecutive failures ------------------------------------------------------------

/** 100 requests/s of successes for a whole window: the steady traffic a primary has before it starts failing. */
function healthyWindow(config = cfg): Breaker {
  let b = initialBreaker(T0);
  for (let i = 0; i < config.windowMs / 10; i += 1) b = recordResult(b, true, T0 + i * 10, config).breaker;
  assert.equal(b.state, 'closed');
  return b;
}

test('failures in a row open it even when the window is full of successes, saying why', () => {
  let b = healthyWindow();
  const at = T0 + 10_000;
  ({ breaker: b } = record(b, [F, F, F, F], at));
  assert.equal(b.state, 'closed');
  assert.equal(b.consecutiveFailures, 4);
  assert.ok(failureRate(b, at, cfg) < 0.01, 'the rate alone is far from its threshold');
  const { breaker, transitions } = record(b, [F], at + 5);
  assert.equal(breaker.state, 'open');
  assert.deepEqual(transitions, [{ from: 'closed', to: 'open', at: at + 5, cause: '5 failures in a row (threshold 5)' }]);
});

test('a success resets the run of failures', () => {
  let b = healthyWindow();
  const at = T0 + 10_000;
  ({ breaker: b } = record(b, [F, F, F, F, S, F, F, F, F], at));
  assert.equal(b.state, 'closed');
  assert.equal(b.consecutiveFailures, 4);
  assert.equal(record(b, [F], at).breaker.state, 'open');
});

test('failures in a row need no minimum number of requests, and count across buckets and windows', () => {
  const config = { ...cfg, minimumRequests: 100 };
  let b = initialBreaker(T0);
  ({ breaker: b } = record(b, [F, F], T0, config));
  ({ breaker: b } = record(b, [F, F], T0 + 3_500, config));
  ({ breaker: b } = record(b, [F], T0 + 60_000, config)); // the first four have left the window
  assert.equal(b.state, 'open');
  assert.equal(nextProbeAt(b, config), T0 + 65_000);
});

test('the default configuration opens after five failures in a row', () => {
  const b = healthyWindow(DEFAULT_BREAKER_CONFIG);
  const { breaker, transitions } = record(b, [F, F, F, F, F], T0 + 10_000, DEFAULT_BREAKER_CONFIG);
  assert.equal(breaker.state, 'open');
  assert.equal(transitions.length, 1);
  assert.match(transitions[0].cause, /^5 failures in a row/);
});

test('when both rules are met by one failure, the cause names the failure rate', () => {
  const { transitions } = record(initialBreaker(T0), [F, F, F, F], T0, { ...cfg, consecutiveFailures: 4 });
  assert.deepEqual(transitions.map((t) => t.cause), ['failure rate 100% over 4 requests in 10 s (threshold 50%)']);
});

test('a threshold below one failure in a row is read as one', () => {
  const { breaker, transitions } = record(initialBreaker(T0), [F], T0, { ...cfg, consecutiveFailures: 0 });
  assert.equal(breaker.state, 'open');
  assert.equal(transitions[0].cause, '1 failure in a row (threshold 1)');
});

test('every change of state starts the run of failures again', () => {
  const h = T0 + 5_000;
  // Closed again after half-open: four failures are not yet five.
  let b = tryAcquire(halfOpenAt(h), h, cfg).breaker;
  b = recordResult(b, true, h + 1, cfg).breaker;
  b = recordResult(b, true, h + 2, cfg).breaker;
  assert.deepEqual([b.state, b.consecutiveFailures], ['closed', 0]);
  const config = { ...cfg, minimumRequests: 100 };
  assert.equal(record(b, [F, F, F, F], h + 3, config).breaker.state, 'closed');
  // Forced closed by an operator after a run of failures: the run is forgotten.
  const run = record(initialBreaker(T0), [F, F, F, F], T0, config).breaker;
  const forced = forceState(forceState(run, 'open', T0 + 1).breaker, 'closed', T0 + 2).breaker;
  assert.equal(forced.consecutiveFailures, 0);
  assert.equal(record(forced, [F], T0 + 3, config).breaker.state, 'closed');
});

// --- the rolling window -------------------------------------------------------------

test('outcomes leave the window once their bucket is windowMs old', () => {
  const { breaker } = record(initialBreaker(T0), [F, F, F], T0 + 999); // bucket [T0, T0 + 1000)
  assert.deepEqual(windowCounts(breaker, T0 + 9_999, cfg), { successes: 0, failures: 3, total: 3 });
  assert.deepEqual(windowCounts(breaker, T0 + 10_000, cfg), { successes: 0, failures: 0, total: 0 });
  assert.equal(failureRate(breaker, T0 + 10_000, cfg), 0);
});

test('expired failures do not help open the breaker', () => {
  let { breaker } = record(initialBreaker(T0), [F, F, F], T0);
  ({ breaker } = record(breaker, [F], T0 + 10_000));
  assert.equal(breaker.state, 'closed');
  assert.deepEqual(windowCounts(breaker, T0 + 10_000, cfg), { successes: 0, failures: 1, total: 1 });
  // Within the window the same four failures open it.
  ({ breaker } = record(record(initialBreaker(T0), [F, F, F], T0).breaker, [F], T0 + 9_999));
  assert.equal(breaker.state, 'open');
});

test('outcomes are grouped in windowMs / 10 buckets and old buckets are dropped', () => {
  let { breaker } = record(initialBreaker(T0), [S, F], T0 + 100);
  ({ breaker } = record(breaker, [S], T0 + 1_500));
  assert.deepEqual(breaker.buckets, [
    { start: T0, successes: 1, failures: 1 },
    { start: T0 + 1_000, successes: 1, failures: 0 },
  ]);
  ({ breaker } = record(breaker, [S], T0 + 20_000));
  assert.deepEqual(breaker.buckets, [{ start: T0 + 20_000, successes: 1, failures: 0 }]);
});

test('an outcome timed in an older bucket (a clock stepped back) joins that bucket, kept in order', () => {
  let { breaker } = record(initialBreaker(T0), [S], T0 + 2_500);
  ({ breaker } = record(breaker, [F], T0 + 500));
  ({ breaker } = record(breaker, [S], T0 + 2_900));
  ({ breaker } = record(breaker, [F], T0 + 1_200));
  ({ breaker } = record(breaker, [S], T0 + 700));
  assert.deepEqual(breaker.buckets, [
    { start: T0, successes: 1, failures: 1 },
    { start: T0 + 1_000, successes: 0, failures: 1 },
    { start: T0 + 2_000, successes: 2, failures: 0 },
  ]);
});

test('recording never changes the breaker it was given', () => {
  const { breaker } = record(initialBreaker(T0), [S, F], T0);
  const before = structuredClone(breaker);
  recordResult(breaker, false, T0 + 1, cfg);
  tryAcquire(breaker, T0 + 1, cfg);
  assert.deepEqual(breaker, before);
});

// --- OPEN -> HALF_OPEN ------------------------------------------------------------------

test('an open breaker refuses until openMs has passed', () => {
  const open = openedAt(T0);
  assert.equal(nextProbeAt(open, cfg), T0 + 5_000);
  const refused = tryAcquire(open, T0 + 4_999, cfg);
  assert.equal(refused.allowed, false);
  assert.equal(refused.breaker, open);
  assert.equal(refused.transition, undefined);
});

test('after openMs the breaker goes half-open and admits a probe', () => {
  const result = tryAcquire(openedAt(T0), T0 + 5_000, cfg);
  assert.equal(result.allowed, true);
  assert.deepEqual(result.transition, { from: 'open', to: 'half_open', at: T0 + 5_000, cause: 'open for 5 s; admitting up to 2 probes at a time' });
  assert.equal(result.breaker.state, 'half_open');
  assert.equal(result.breaker.since, T0 + 5_000);
  assert.equal(result.breaker.halfOpenInFlight, 1);
  assert.equal(result.breaker.lastProbeAt, T0 + 5_000);
});

test('an open breaker ignores results that arrive late', () => {
  const open = openedAt(T0);
  assert.equal(recordResult(open, true, T0 + 1, cfg).breaker, open);
});

// --- HALF_OPEN ---------------------------------------------------------------------------

test('half-open admits at most halfOpenMaxInFlight probes at once', () => {
  const h = T0 + 5_000;
  let b = tryAcquire(openedAt(T0), h, cfg).breaker; // probe 1
  const second = tryAcquire(b, h + 10, cfg);
  assert.equal(second.allowed, true);
  b = second.breaker;
  assert.equal(b.halfOpenInFlight, 2);
  const third = tryAcquire(b, h + 20, cfg);
  assert.equal(third.allowed, false);
  assert.equal(third.transition, undefined);
  // A probe that comes back frees its slot.
  b = recordResult(b, true, h + 30, cfg).breaker;
  assert.deepEqual([b.state, b.halfOpenSuccesses, b.halfOpenInFlight], ['half_open', 1, 1]);
  assert.equal(tryAcquire(b, h + 40, cfg).allowed, true);
});

test('one probe at a time when so configured', () => {
  const single = { ...cfg, halfOpenMaxInFlight: 1 };
  const first = tryAcquire(openedAt(T0), T0 + 5_000, single);
  assert.equal(first.transition?.cause, 'open for 5 s; admitting up to 1 probe at a time');
  assert.equal(tryAcquire(first.breaker, T0 + 5_001, single).allowed, false);
});

test('enough successful probes close the breaker with a fresh window', () => {
  const h = T0 + 5_000;
  let b = halfOpenAt(h);
  b = tryAcquire(b, h, cfg).breaker;
  const first = recordResult(b, true, h + 100, cfg);
  assert.equal(first.transition, undefined);
  const second = recordResult(first.breaker, true, h + 200, cfg);
  assert.deepEqual(second.transition, { from: 'half_open', to: 'closed', at: h + 200, cause: '2 probes succeeded while half-open' });
  assert.deepEqual(second.breaker, { state: 'closed', since: h + 200, buckets: [], consecutiveFailures: 0, halfOpenSuccesses: 0, halfOpenInFlight: 0, lastProbeAt: null });
  // The failures that opened it are forgotten: three new ones are below the minimum again.
  assert.equal(record(second.breaker, [F, F, F], h + 300).breaker.state, 'closed');
});

test('any failed probe reopens the breaker for another openMs', () => {
  const h = T0 + 5_000;
  let b = tryAcquire(halfOpenAt(h), h, cfg).breaker;
  b = recordResult(b, true, h + 100, cfg).breaker;
  const reopened = recordResult(b, false, h + 200, cfg);
  assert.deepEqual(reopened.transition, { from: 'half_open', to: 'open', at: h + 200, cause: 'a half-open probe failed' });
  assert.equal(reopened.breaker.state, 'open');
  assert.equal(reopened.breaker.halfOpenSuccesses, 0);
  assert.equal(tryAcquire(reopened.breaker, h + 5_199, cfg).allowed, false);
  assert.equal(tryAcquire(reopened.breaker, h + 5_200, cfg).allowed, true);
});

test('a slow answer to a request admitted before the breaker went half-open is not a probe result', () => {
  const admittedAt = T0 - 1;
  const h = T0 + 5_000;
  const b = halfOpenAt(h);
  assert.equal(recordResult(b, true, h + 100, cfg, admittedAt).breaker, b);
  assert.equal(recordResult(b, false, h + 100, cfg, admittedAt).breaker, b);
  // Admitted at the moment it went half-open: a probe.
  assert.equal(recordResult(b, false, h + 100, cfg, h).breaker.state, 'open');
});

test('probes that never report are presumed lost after openMs, so half-open cannot stick', () => {
  const h = T0 + 5_000;
  let b = tryAcquire(halfOpenAt(h), h + 1_000, cfg).breaker; // second probe
  assert.equal(b.halfOpenInFlight, 2);
  assert.equal(tryAcquire(b, h + 5_999, cfg).allowed, false); // 4 999 ms after the latest probe
  const reclaimed = tryAcquire(b, h + 6_000, cfg);
  assert.equal(reclaimed.allowed, true);
  assert.equal(reclaimed.transition, undefined);
  assert.deepEqual([reclaimed.breaker.state, reclaimed.breaker.since, reclaimed.breaker.halfOpenInFlight, reclaimed.breaker.lastProbeAt], ['half_open', h, 1, h + 6_000]);
  // A presumed-lost probe that does answer still counts.
  b = recordResult(reclaimed.breaker, true, h + 7_000, cfg, h).breaker;
  assert.deepEqual([b.halfOpenSuccesses, b.halfOpenInFlight], [1, 0]);
});

// --- forced state -------------------------------------------------------------------------

test('forcing a state records who asked and resets the counters', () => {
  const closed = record(initialBreaker(T0), [S, F], T0).breaker;
  const opened = forceState(closed, 'open', T0 + 10);
  assert.deepEqual(opened.transition, { from: 'closed', to: 'open', at: T0 + 10, cause: 'set by an operator or another replica' });
  assert.equal(nextProbeAt(opened.breaker, cfg), T0 + 5_010);
  assert.equal(tryAcquire(opened.breaker, T0 + 5_010, cfg).breaker.state, 'half_open');

  const reclosed = forceState(opened.breaker, 'closed', T0 + 20, 'pinned by alice: provider confirmed recovery');
  assert.equal(reclosed.transition?.cause, 'pinned by alice: provider confirmed recovery');
  assert.deepEqual(reclosed.breaker.buckets, []);

  const probing = forceState(tryAcquire(halfOpenAt(T0 + 5_000), T0 + 5_000, cfg).breaker, 'open', T0 + 5_001);
  const halfOpen = forceState(probing.breaker, 'half_open', T0 + 5_002);
  assert.deepEqual([halfOpen.breaker.halfOpenInFlight, halfOpen.breaker.halfOpenSuccesses, halfOpen.breaker.since], [0, 0, T0 + 5_002]);
});

test('forcing the state a breaker is already in changes nothing', () => {
  const open = openedAt(T0);
  const same = forceState(open, 'open', T0 + 1_000);
  assert.equal(same.breaker, open);
  assert.equal(same.transition, undefined);
});
