import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADAPTIVE_MAX_AGE_MS, ADAPTIVE_MIN_SAMPLES, ADAPTIVE_WINDOW_SAMPLES, describeLimit, LatencyHistory, limitInForce, quantile } from './adaptive-limits';

const on = { multiplier: 4, floorMs: 1_000 };

describe('limitInForce', () => {
  test('the fixed limit when the step does not ask for a measured one', () => {
    assert.deepEqual(limitInForce(15_000, { multiplier: null, floorMs: 1_000 }, { p99Ms: 300, samples: 500 }), { ms: 15_000, basis: 'fixed', p99Ms: 300, samples: 500 });
  });
  test('the fixed limit while the target has too little history', () => {
    assert.equal(limitInForce(15_000, on, null).basis, 'history_short');
    const short = limitInForce(15_000, on, { p99Ms: 300, samples: ADAPTIVE_MIN_SAMPLES - 1 });
    assert.deepEqual([short.ms, short.basis], [15_000, 'history_short']);
  });
  test('a multiple of the p99 once there is enough', () => {
    assert.deepEqual(limitInForce(15_000, on, { p99Ms: 600, samples: ADAPTIVE_MIN_SAMPLES }), { ms: 2_400, basis: 'measured', p99Ms: 600, samples: ADAPTIVE_MIN_SAMPLES });
  });
  test('never below the floor nor above the fixed limit', () => {
    assert.equal(limitInForce(15_000, on, { p99Ms: 50, samples: 100 }).ms, 1_000);
    assert.equal(limitInForce(15_000, on, { p99Ms: 9_000, samples: 100 }).ms, 15_000);
    // A floor above the fixed limit: the fixed limit still bounds the wait.
    assert.equal(limitInForce(2_000, { multiplier: 4, floorMs: 5_000 }, { p99Ms: 10, samples: 100 }).ms, 2_000);
  });
});

describe('describeLimit', () => {
  test('says the limit and why', () => {
    assert.equal(describeLimit(limitInForce(15_000, on, { p99Ms: 600, samples: 200 }), on, 'First token'), 'First token 2.4 s: 4 × p99 600 ms over 200 attempts');
    assert.equal(describeLimit(limitInForce(15_000, on, { p99Ms: 50, samples: 200 }), on, 'First token'), 'First token 1.0 s: 4 × p99 50 ms over 200 attempts, the floor');
    assert.match(describeLimit(limitInForce(15_000, on, { p99Ms: 50, samples: 3 }), on, 'First token'), /^First token 15 s, fixed until 20 successful attempts in 10 min \(3 so far\)$/);
    assert.equal(describeLimit(limitInForce(15_000, { multiplier: null, floorMs: 1_000 }, null), { multiplier: null, floorMs: 1_000 }, 'Header'), 'Header 15 s, fixed');
  });
});

describe('quantile', () => {
  test('nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(quantile(values, 0.99), 99);
    assert.equal(quantile(values, 1), 100);
    assert.equal(quantile([7], 0.99), 7);
    assert.ok(Number.isNaN(quantile([], 0.99)));
  });
});

describe('LatencyHistory', () => {
  test('p99 of the recent samples of one target and kind', () => {
    const history = new LatencyHistory(0);
    for (let i = 1; i <= 100; i += 1) history.record('a', 'first_token', i * 10, 1_000);
    history.record('a', 'complete', 5_000, 1_000);
    assert.deepEqual(history.stats('a', 'first_token', 1_000), { p99Ms: 990, samples: 100 });
    assert.deepEqual(history.stats('a', 'complete', 1_000), { p99Ms: 5_000, samples: 1 });
    assert.equal(history.stats('b', 'first_token', 1_000), null);
  });
  test('keeps only the most recent window of samples', () => {
    const history = new LatencyHistory(0);
    for (let i = 0; i < ADAPTIVE_WINDOW_SAMPLES; i += 1) history.record('a', 'first_token', 10_000, 0);
    for (let i = 0; i < ADAPTIVE_WINDOW_SAMPLES; i += 1) history.record('a', 'first_token', 100, 1);
    assert.deepEqual(history.stats('a', 'first_token', 2), { p99Ms: 100, samples: ADAPTIVE_WINDOW_SAMPLES });
  });
  test('forgets samples older than the maximum age, so the fixed limit comes back', () => {
    const history = new LatencyHistory(0);
    for (let i = 0; i < 50; i += 1) history.record('a', 'first_token', 100, 0);
    assert.equal(history.stats('a', 'first_token', ADAPTIVE_MAX_AGE_MS + 1), null);
    assert.equal(limitInForce(15_000, on, history.stats('a', 'first_token', ADAPTIVE_MAX_AGE_MS + 1)).basis, 'history_short');
  });
  test('follows at once when the history becomes long enough', () => {
    const history = new LatencyHistory(60_000);
    assert.equal(history.stats('a', 'first_token', 0), null);
    for (let i = 0; i < ADAPTIVE_MIN_SAMPLES; i += 1) history.record('a', 'first_token', 100, 1);
    assert.deepEqual(history.stats('a', 'first_token', 2), { p99Ms: 100, samples: ADAPTIVE_MIN_SAMPLES });
  });
  test('recomputes at most once per cache period', () => {
    const history = new LatencyHistory(1_000);
    for (let i = 0; i < 30; i += 1) history.record('a', 'first_token', 100, 0);
    assert.equal(history.stats('a', 'first_token', 0)?.p99Ms, 100);
    for (let i = 0; i < 30; i += 1) history.record('a', 'first_token', 900, 10);
    assert.equal(history.stats('a', 'first_token', 500)?.p99Ms, 100);
    assert.equal(history.stats('a', 'first_token', 1_000)?.p99Ms, 900);
  });
});
