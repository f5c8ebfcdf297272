import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERROR_CLASSES, type ErrorClass } from '@/lib/routing/error-classes';
import { MIN_BACKOFF_MS, decideAfterFailure, jitteredBackoff, needsLargerContext, type AttemptFailure, type RetryContext } from './retry-policy';

const NOW = 1_000_000;
const budget = { maxRetries: 2, baseBackoffMs: 200, maxBackoffMs: 2_000 };
const half = () => 0.5;

function ctx(overrides: Partial<RetryContext> = {}): RetryContext {
  return { attemptOnTarget: 1, budget, hasNextTarget: true, now: NOW, random: half, deadlineAt: NOW + 60_000, ...overrides };
}

function failure(errorClass: ErrorClass, overrides: Partial<AttemptFailure> = {}): AttemptFailure {
  return { errorClass, retryAfterMs: null, responseStarted: false, ...overrides };
}

function assertFails(decision: ReturnType<typeof decideAfterFailure>, pattern: RegExp) {
  assert.equal(decision.kind, 'fail');
  if (decision.kind === 'fail') assert.match(decision.reason, pattern);
}

// --- backoff ----------------------------------------------------------------------

test('full-jitter backoff doubles its ceiling per attempt: random() * min(max, base * 2^(n-1))', () => {
  assert.equal(jitteredBackoff(1, budget, half), 100); // 0.5 * 200
  assert.equal(jitteredBackoff(2, budget, half), 200); // 0.5 * 400
  assert.equal(jitteredBackoff(3, budget, half), 400); // 0.5 * 800
  assert.equal(jitteredBackoff(4, budget, half), 800); // 0.5 * 1600
  assert.equal(jitteredBackoff(5, budget, half), 1_000); // 0.5 * min(2000, 3200)
  assert.equal(jitteredBackoff(3, budget, () => 0.25), 200); // 0.25 * 800
});

test('backoff is capped by maxBackoffMs and never below the floor', () => {
  assert.equal(MIN_BACKOFF_MS, 50);
  assert.equal(jitteredBackoff(1, budget, () => 0), 50);
  assert.equal(jitteredBackoff(10, budget, () => 0.999), 1_998);
  assert.equal(jitteredBackoff(10, budget, () => 1), 2_000);
  assert.equal(jitteredBackoff(3, budget, () => 1.7), 800); // a bad random source is clamped to 1
  assert.equal(jitteredBackoff(3, budget, () => -1), 50);
  assert.equal(jitteredBackoff(5, { maxRetries: 3, baseBackoffMs: 10, maxBackoffMs: 20 }, () => 0.9), 50);
  assert.equal(jitteredBackoff(2_000, budget, half), 1_000); // 2^1999 overflows to Infinity; the cap holds
  assert.equal(jitteredBackoff(0, budget, half), 100); // read as the first attempt
});

test('backoff stays within [floor, ceiling] for every draw', () => {
  for (let attempt = 1; attempt <= 12; attempt++) {
    const ceiling = Math.min(2_000, 200 * 2 ** (attempt - 1));
    for (let i = 0; i < 100; i++) {
      const delay = jitteredBackoff(attempt, budget, () => i / 100);
      assert.ok(delay >= 50 && delay <= ceiling, `attempt ${attempt}, draw ${i / 100}: ${delay}`);
    }
  }
});

test('only a context-length error asks for a larger-context target', () => {
  for (const errorClass of ERROR_CLASSES) assert.equal(needsLargerContext(errorClass), errorClass === 'context_length', errorClass);
});

// --- errors the same model can never fix -------------------------------------------

test('context length: never the same model; the next target, else fail', () => {
  assert.deepEqual(decideAfterFailure(failure('context_length'), ctx()), { kind: 'next_target' });
  assertFails(decideAfterFailure(failure('context_length'), ctx({ hasNextTarget: false })), /context window.*no larger-context target/);
});

test('content policy: never the same model; the next target, else fail with the reason', () => {
  assert.deepEqual(decideAfterFailure(failure('content_policy'), ctx()), { kind: 'next_target' });
  assertFails(decideAfterFailure(failure('content_policy'), ctx({ hasNextTarget: false })), /content policy/);
});

test('a bad request fails at once and is not sprayed across providers', () => {
  assertFails(decideAfterFailure(failure('bad_request'), ctx({ hasNextTarget: true })), /rejected the request as invalid/);
});

test('auth failure and not found mean this target is misconfigured: the next target, else fail', () => {
  assert.deepEqual(decideAfterFailure(failure('auth_failed'), ctx()), { kind: 'next_target' });
  assert.deepEqual(decideAfterFailure(failure('not_found'), ctx()), { kind: 'next_target' });
  assertFails(decideAfterFailure(failure('auth_failed'), ctx({ hasNextTarget: false })), /credential/);
  assertFails(decideAfterFailure(failure('not_found'), ctx({ hasNextTarget: false })), /not found/);
});

// --- 429 with Retry-After -----------------------------------------------------------

test('429 with Retry-After and another target: fail over and avoid this one until then', () => {
  assert.deepEqual(decideAfterFailure(failure('rate_limited', { retryAfterMs: 5_000 }), ctx()), { kind: 'next_target', avoidTargetUntil: NOW + 5_000 });
  assert.deepEqual(decideAfterFailure(failure('rate_limited', { retryAfterMs: 0 }), ctx()), { kind: 'next_target' });
});

test('429 with Retry-After and nowhere else to go: wait at least that long, plus up to one base interval of jitter', () => {
  const alone = (retryAfterMs: number, random = half) => decideAfterFailure(failure('rate_limited', { retryAfterMs }), ctx({ hasNextTarget: false, random }));
  assert.deepEqual(alone(1_000), { kind: 'retry_same', delayMs: 1_100 }); // 1000 + 0.5 * min(200, 1000)
  assert.deepEqual(alone(1_000, () => 0), { kind: 'retry_same', delayMs: 1_000 });
  assert.deepEqual(alone(1_900, () => 1), { kind: 'retry_same', delayMs: 2_000 }); // jitter limited to the 100 ms left below the cap
  assert.deepEqual(alone(2_000), { kind: 'retry_same', delayMs: 2_000 }); // exactly the budget still fits
  assert.deepEqual(alone(30), { kind: 'retry_same', delayMs: 130 });
  assert.deepEqual(alone(0, () => 0), { kind: 'retry_same', delayMs: 50 }); // never a tight loop
});

test('429 with a Retry-After longer than the budget fails instead of waiting', () => {
  assertFails(decideAfterFailure(failure('rate_limited', { retryAfterMs: 2_001 }), ctx({ hasNextTarget: false })), /asked to wait 2001 ms, more than the 2 s this target may wait/);
  assertFails(decideAfterFailure(failure('rate_limited', { retryAfterMs: 30_000 }), ctx({ hasNextTarget: false })), /wait 30 s/);
});

test('429 with Retry-After: the wait must end before the deadline', () => {
  const withDeadline = (deadlineAt: number) => decideAfterFailure(failure('rate_limited', { retryAfterMs: 1_000 }), ctx({ hasNextTarget: false, deadlineAt }));
  assertFails(withDeadline(NOW + 1_100), /deadline/); // the 1 100 ms delay would end exactly at the deadline
  assert.deepEqual(withDeadline(NOW + 1_101), { kind: 'retry_same', delayMs: 1_100 });
});

test('429 with Retry-After still respects the retry budget', () => {
  const third = decideAfterFailure(failure('rate_limited', { retryAfterMs: 500 }), ctx({ hasNextTarget: false, attemptOnTarget: 3 }));
  assertFails(third, /2 retries used/);
});

test('a 5xx or overload that carries Retry-After is treated like a 429 with it', () => {
  assert.deepEqual(decideAfterFailure(failure('server_error', { retryAfterMs: 500 }), ctx()), { kind: 'next_target', avoidTargetUntil: NOW + 500 });
  assert.deepEqual(decideAfterFailure(failure('overloaded', { retryAfterMs: 3_000 }), ctx()), { kind: 'next_target', avoidTargetUntil: NOW + 3_000 });
  assertFails(decideAfterFailure(failure('overloaded', { retryAfterMs: 3_000 }), ctx({ hasNextTarget: false })), /overloaded/);
  assert.deepEqual(decideAfterFailure(failure('server_error', { retryAfterMs: 500 }), ctx({ hasNextTarget: false })), { kind: 'retry_same', delayMs: 600 });
});

// --- bounded retries with backoff -------------------------------------------------

test('429 without Retry-After: bounded retries with backoff, then the next target, then fail', () => {
  const at = (attemptOnTarget: number, hasNextTarget = true) => decideAfterFailure(failure('rate_limited'), ctx({ attemptOnTarget, hasNextTarget }));
  assert.deepEqual(at(1), { kind: 'retry_same', delayMs: 100 });
  assert.deepEqual(at(2), { kind: 'retry_same', delayMs: 200 });
  assert.deepEqual(at(3), { kind: 'next_target' });
  assertFails(at(3, false), /rate limited by the provider after 3 attempts and no other target is left/);
});

test('a single 5xx is retried once on the same target; a persistent one moves on after the budget', () => {
  const at = (attemptOnTarget: number, errorClass: ErrorClass = 'server_error') => decideAfterFailure(failure(errorClass), ctx({ attemptOnTarget }));
  assert.deepEqual(at(1), { kind: 'retry_same', delayMs: 100 });
  assert.deepEqual(at(2), { kind: 'retry_same', delayMs: 200 });
  assert.deepEqual(at(3), { kind: 'next_target' });
  assert.deepEqual(at(1, 'overloaded'), { kind: 'retry_same', delayMs: 100 });
  assert.deepEqual(at(3, 'overloaded'), { kind: 'next_target' });
});

test('with maxRetries 0 a 5xx goes straight to the next target', () => {
  const none = { ...budget, maxRetries: 0 };
  assert.deepEqual(decideAfterFailure(failure('server_error'), ctx({ budget: none })), { kind: 'next_target' });
  assertFails(decideAfterFailure(failure('server_error'), ctx({ budget: none, hasNextTarget: false })), /after 1 attempt and/);
});

test('a backoff that would pass the deadline moves on instead of waiting', () => {
  const tight = ctx({ deadlineAt: NOW + 100 }); // the first backoff is 100 ms
  assert.deepEqual(decideAfterFailure(failure('server_error'), tight), { kind: 'next_target' });
  assertFails(decideAfterFailure(failure('server_error'), { ...tight, hasNextTarget: false }), /no time left/);
  assert.deepEqual(decideAfterFailure(failure('server_error'), ctx({ deadlineAt: NOW + 101 })), { kind: 'retry_same', delayMs: 100 });
});

test('the number of same-target retries equals maxRetries, whatever the draws', () => {
  for (const errorClass of ['rate_limited', 'server_error', 'overloaded'] as const) {
    let retries = 0;
    let attemptOnTarget = 1;
    for (;;) {
      const decision = decideAfterFailure(failure(errorClass), ctx({ attemptOnTarget, random: () => (attemptOnTarget * 0.37) % 1 }));
      if (decision.kind !== 'retry_same') {
        assert.equal(decision.kind, 'next_target');
        break;
      }
      retries++;
      attemptOnTarget++;
      assert.ok(retries <= 10, 'runaway retry loop');
    }
    assert.equal(retries, 2, errorClass);
  }
});

// --- transport failures ----------------------------------------------------------

test('a connection reset before headers is retried once on the same target, then moves on', () => {
  assert.deepEqual(decideAfterFailure(failure('connection_reset'), ctx()), { kind: 'retry_same', delayMs: 100 });
  assert.deepEqual(decideAfterFailure(failure('connection_reset'), ctx({ attemptOnTarget: 2 })), { kind: 'next_target' });
  assertFails(decideAfterFailure(failure('connection_reset'), ctx({ attemptOnTarget: 2, hasNextTarget: false })), /connection reset/i);
  assert.deepEqual(decideAfterFailure(failure('connection_reset'), ctx({ budget: { ...budget, maxRetries: 0 } })), { kind: 'next_target' });
});

test('a stream cut before anything reached the client is retried once, like a reset', () => {
  assert.deepEqual(decideAfterFailure(failure('stream_cut'), ctx()), { kind: 'retry_same', delayMs: 100 });
  assert.deepEqual(decideAfterFailure(failure('stream_cut'), ctx({ attemptOnTarget: 2 })), { kind: 'next_target' });
});

test('timeouts and refused connections never wait on the same target again', () => {
  for (const errorClass of ['header_timeout', 'first_token_timeout', 'connect_failed', 'stream_stall'] as const) {
    assert.deepEqual(decideAfterFailure(failure(errorClass), ctx()), { kind: 'next_target' }, errorClass);
    assertFails(decideAfterFailure(failure(errorClass), ctx({ hasNextTarget: false })), /no other target is left/);
  }
});

test('a malformed response moves to the next target, else fails', () => {
  assert.deepEqual(decideAfterFailure(failure('malformed_response'), ctx()), { kind: 'next_target' });
  assertFails(decideAfterFailure(failure('malformed_response'), ctx({ hasNextTarget: false })), /malformed/);
});

// --- mid-stream failures -------------------------------------------------------------

test('after the answer started, continue on the next target only where it can carry on the answer', () => {
  for (const errorClass of ['stream_cut', 'stream_stall'] as const) {
    const started = failure(errorClass, { responseStarted: true });
    assert.deepEqual(decideAfterFailure(started, ctx({ canContinueMidStream: true })), { kind: 'next_target' });
    assertFails(decideAfterFailure(started, ctx({ canContinueMidStream: false })), /incomplete \(the remaining targets cannot continue a partial answer\)/);
    assertFails(decideAfterFailure(started, ctx()), /incomplete/);
    assertFails(decideAfterFailure(started, ctx({ canContinueMidStream: true, hasNextTarget: false })), /incomplete \(no other target is left\)/);
  }
});

test('no error class is retried on the same target once the answer has started', () => {
  for (const errorClass of ERROR_CLASSES) {
    const decision = decideAfterFailure(failure(errorClass, { responseStarted: true, retryAfterMs: 100 }), ctx({ canContinueMidStream: false }));
    assert.equal(decision.kind, 'fail', errorClass);
  }
});

// --- the deadline ----------------------------------------------------------------

test('nothing is retried at or past the deadline', () => {
  for (const errorClass of ERROR_CLASSES) {
    for (const now of [NOW + 60_000, NOW + 90_000]) {
      assertFails(decideAfterFailure(failure(errorClass), ctx({ now, canContinueMidStream: true })), /total time budget ran out/);
    }
  }
});

test('a total timeout fails even when time seems left', () => {
  assertFails(decideAfterFailure(failure('total_timeout'), ctx()), /total time budget ran out/);
});

test('every retry on the same target waits at least the floor and at least any Retry-After', () => {
  for (const errorClass of ERROR_CLASSES) {
    for (const retryAfterMs of [null, 0, 10, 700]) {
      for (let attemptOnTarget = 1; attemptOnTarget <= 4; attemptOnTarget++) {
        const decision = decideAfterFailure(failure(errorClass, { retryAfterMs }), ctx({ attemptOnTarget, hasNextTarget: false, random: () => 0 }));
        if (decision.kind !== 'retry_same') continue;
        assert.ok(decision.delayMs >= 50, `${errorClass} ${retryAfterMs}: ${decision.delayMs}`);
        assert.ok(decision.delayMs >= (retryAfterMs ?? 0), `${errorClass} ${retryAfterMs}: ${decision.delayMs}`);
      }
    }
  }
});

test('a Retry-After that comes with a connection reset is still honoured', () => {
  assert.deepEqual(decideAfterFailure(failure('connection_reset', { retryAfterMs: 700 }), ctx()), { kind: 'retry_same', delayMs: 700 });
});
