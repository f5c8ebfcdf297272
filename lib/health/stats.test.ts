import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketize, percentile, summarizeWindow, type StatSample } from './stats';

const ok = (latencyMs: number, ttftMs: number | null = null): StatSample => ({ ok: true, latencyMs, ttftMs, errorClass: null });
const failed = (errorClass: string | null, latencyMs = 30): StatSample => ({ ok: false, latencyMs, ttftMs: null, errorClass });
/** Interpolated percentiles are floating point: 900 + 0.55 * 100 is 954.999... */
const assertClose = (actual: number | null, expected: number) => assert.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `expected ${expected}, got ${actual}`);

test('percentile interpolates between closest ranks like percentile_cont', () => {
  const values = [100, 200, 300, 400];
  // rank = p * (n - 1): 0.5 * 3 = 1.5, halfway between 200 and 300.
  assert.equal(percentile(values, 0.5), 250);
  // 0.95 * 3 = 2.85: 300 + 0.85 * 100.
  assertClose(percentile(values, 0.95), 385);
  assert.equal(percentile(values, 0), 100);
  assert.equal(percentile(values, 1), 400);
});

test('percentile of one value is that value, of none is null', () => {
  assert.equal(percentile([42], 0.95), 42);
  assert.equal(percentile([], 0.5), null);
});

test('percentile refuses p outside 0..1 (a 95 meant as a percentage is a bug)', () => {
  assert.throws(() => percentile([1, 2], 95), RangeError);
  assert.throws(() => percentile([1, 2], Number.NaN), RangeError);
});

test('summarizeWindow: success rate over every attempt, latency over successful ones only', () => {
  // Latencies 100..1000 ms in steps of 100, given out of order; two failures with their own (ignored) latencies.
  const samples = [500, 100, 1000, 300, 200, 700, 400, 900, 600, 800].map((ms) => ok(ms, ms / 10));
  const summary = summarizeWindow([...samples, failed('rate_limited', 5), failed('header_timeout', 30_000)]);
  assert.equal(summary.requests, 12);
  assert.equal(summary.successRate, 10 / 12);
  // n = 10: p50 rank 4.5 -> 500 + 0.5 * 100; p95 rank 8.55 -> 900 + 0.55 * 100.
  assert.equal(summary.p50, 550);
  assertClose(summary.p95, 955);
  assert.equal(summary.ttftP50, 55);
  assertClose(summary.ttftP95, 95.5);
  assert.deepEqual(summary.errorsByClass, { rate_limited: 1, header_timeout: 1 });
});

test('summarizeWindow: TTFT only from attempts that recorded one; failures without a class count as unknown', () => {
  const summary = summarizeWindow([ok(200, 80), ok(400), ok(600, 120), failed(null), failed(null), failed('server_error')]);
  assert.equal(summary.successRate, 0.5);
  assert.equal(summary.p50, 400);
  assert.equal(summary.ttftP50, 100);
  // rank 0.95 * 1 = 0.95 -> 80 + 0.95 * 40.
  assertClose(summary.ttftP95, 118);
  assert.deepEqual(summary.errorsByClass, { unknown: 2, server_error: 1 });
});

test('summarizeWindow of nothing has no rate and no percentiles', () => {
  assert.deepEqual(summarizeWindow([]), { requests: 0, successRate: null, p50: null, p95: null, ttftP50: null, ttftP95: null, errorsByClass: {} });
});

test('summarizeWindow of only failures has a zero rate and no latency', () => {
  const summary = summarizeWindow([failed('connect_failed'), failed('connect_failed')]);
  assert.equal(summary.successRate, 0);
  assert.equal(summary.p50, null);
  assert.deepEqual(summary.errorsByClass, { connect_failed: 2 });
});

test('bucketize splits the range into equal buckets, keeps empty ones and drops samples outside', () => {
  const from = 1_000_000;
  const at = (offsetMs: number, sample: StatSample) => ({ ...sample, at: from + offsetMs });
  const samples = [
    at(0, ok(100)), // first instant of bucket 0
    at(9_999, ok(300)), // last instant of bucket 0
    at(10_000, failed('server_error')), // bucket 1
    at(25_000, ok(50, 20)), // bucket 2
    at(29_000, ok(150, 40)), // bucket 2
    at(-1, ok(999)), // before the range
    at(40_000, ok(999)), // toMs is exclusive
  ];
  const buckets = bucketize(samples, from, from + 40_000, 4);
  assert.deepEqual(buckets.map((b) => b.start), [from, from + 10_000, from + 20_000, from + 30_000]);
  assert.deepEqual(buckets.map((b) => [b.requests, b.errors]), [[2, 0], [1, 1], [2, 0], [0, 0]]);
  assert.equal(buckets[0].p50, 200);
  assertClose(buckets[0].p95, 290);
  assert.equal(buckets[1].p50, null, 'a bucket of failures has no latency');
  assert.equal(buckets[2].ttftP50, 30);
  assert.deepEqual(buckets[3], { start: from + 30_000, requests: 0, errors: 0, p50: null, p95: null, ttftP50: null, ttftP95: null });
});

test('bucketize accepts Date timestamps and refuses a bad layout', () => {
  const buckets = bucketize([{ ...ok(10), at: new Date(5_000) }], 0, 10_000, 2);
  assert.deepEqual(buckets.map((b) => b.requests), [0, 1]);
  assert.throws(() => bucketize([], 0, 10, 0), RangeError);
  assert.throws(() => bucketize([], 10, 10, 1), RangeError);
});
