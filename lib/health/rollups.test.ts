import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HISTOGRAM_LENGTH } from './histogram';
import { aggregateRequests, aggregateSamples, bucketStart, type RollupRequestInput, type RollupSampleInput } from './rollups';

// 2026-03-01T10:00:00Z: a whole hour, so minutes and hours are easy to read.
const HOUR = Date.UTC(2026, 2, 1, 10);
const at = (minute: number, second = 0) => HOUR + minute * 60_000 + second * 1000;

/** A histogram with counts at the given indexes (LATENCY_BUCKETS_MS: 0 = ..5 ms, 5 = 76..100, 6 = 101..150, 12 = 751..1000, 25 = > 120 s). */
const hist = (counts: Record<number, number>) => Array.from({ length: HISTOGRAM_LENGTH }, (_, i) => counts[i] ?? 0);

const request = (over: Partial<RollupRequestInput>): RollupRequestInput => ({
  serviceId: 'svc-a', at: at(0), ok: true, errorClass: null, servedBy: 'upstream', latencyMs: 100, ttftMs: null, ...over,
});
const sample = (over: Partial<RollupSampleInput>): RollupSampleInput => ({
  targetId: 'tgt-a', source: 'traffic', at: at(0), ok: true, errorClass: null, latencyMs: 100, ttftMs: null, ...over,
});

describe('rollup buckets', () => {
  it('starts a minute or an hour bucket at its UTC boundary', () => {
    assert.equal(bucketStart(at(7, 59), 60), at(7));
    assert.equal(bucketStart(at(59, 59), 3600), HOUR);
    assert.equal(bucketStart(at(60), 3600), HOUR + 3_600_000);
  });
});

describe('request records to service rollup deltas', () => {
  const deltas = aggregateRequests([
    request({ at: at(0, 5), latencyMs: 100, ttftMs: 80 }),
    request({ at: at(0, 40), ok: false, errorClass: 'server_error', latencyMs: 900 }),
    // A client's 400 is an error class, but it counts as good (lib/slo/good-request.ts): not a failure.
    request({ at: at(0, 59), errorClass: 'context_length', latencyMs: 5 }),
    request({ at: at(1, 0), servedBy: 'cache', latencyMs: 3 }),
    request({ at: at(1, 30), ok: false, servedBy: 'refused', errorClass: 'tier_refused', latencyMs: 1, ttftMs: null }),
    request({ serviceId: 'svc-b', at: at(1, 1), latencyMs: 130, ttftMs: 120 }),
  ]);
  const find = (serviceId: string, resolutionSec: number, bucket: number) => deltas.find((d) => d.serviceId === serviceId && d.resolutionSec === resolutionSec && d.bucket === bucket);

  it('gives one delta per service, resolution and bucket, in lock order', () => {
    assert.deepEqual(deltas.map((d) => [d.serviceId, d.resolutionSec, d.bucket]), [
      ['svc-a', 60, at(0)], ['svc-a', 60, at(1)], ['svc-a', 3600, HOUR], ['svc-b', 60, at(1)], ['svc-b', 3600, HOUR],
    ]);
  });

  it('counts requests, failures, error classes and how requests were served in a minute', () => {
    assert.deepEqual(find('svc-a', 60, at(0)), {
      serviceId: 'svc-a', resolutionSec: 60, bucket: at(0), requests: 3, failures: 1,
      errorsByClass: { server_error: 1, context_length: 1 }, servedBy: { upstream: 3 },
      latencySumMs: 1005, latencyHist: hist({ 0: 1, 5: 1, 12: 1 }), ttftCount: 1, ttftSumMs: 80, ttftHist: hist({ 5: 1 }),
    });
    assert.deepEqual(find('svc-a', 60, at(1)), {
      serviceId: 'svc-a', resolutionSec: 60, bucket: at(1), requests: 2, failures: 1,
      errorsByClass: { tier_refused: 1 }, servedBy: { cache: 1, refused: 1 },
      latencySumMs: 4, latencyHist: hist({ 0: 2 }), ttftCount: 0, ttftSumMs: 0, ttftHist: hist({}),
    });
  });

  it('adds the same rows into the hour, so an hour equals the sum of its minutes', () => {
    assert.deepEqual(find('svc-a', 3600, HOUR), {
      serviceId: 'svc-a', resolutionSec: 3600, bucket: HOUR, requests: 5, failures: 2,
      errorsByClass: { server_error: 1, context_length: 1, tier_refused: 1 }, servedBy: { upstream: 3, cache: 1, refused: 1 },
      latencySumMs: 1009, latencyHist: hist({ 0: 3, 5: 1, 12: 1 }), ttftCount: 1, ttftSumMs: 80, ttftHist: hist({ 5: 1 }),
    });
    assert.deepEqual(find('svc-b', 3600, HOUR)?.latencyHist, hist({ 6: 1 }));
    assert.deepEqual(find('svc-b', 3600, HOUR)?.ttftHist, hist({ 6: 1 }));
  });

  it('gives nothing for no rows', () => {
    assert.deepEqual(aggregateRequests([]), []);
  });
});

describe('health samples to target rollup deltas', () => {
  const deltas = aggregateSamples([
    sample({ source: 'probe', ok: true, latencyMs: 50 }),
    sample({ source: 'probe', ok: false, errorClass: 'timeout', latencyMs: 200_000 }),
    sample({ source: 'traffic', ok: false, errorClass: 'rate_limited', latencyMs: 75 }),
    sample({ source: 'traffic', ok: true, latencyMs: 1000, ttftMs: 300, at: at(0, 59) }),
    sample({ source: 'traffic', ok: false, errorClass: 'rate_limited', latencyMs: 10, at: at(59, 59) }),
  ]);

  it('counts samples, failures, probes and failed probes per minute', () => {
    assert.deepEqual(deltas.find((d) => d.resolutionSec === 60 && d.bucket === at(0)), {
      targetId: 'tgt-a', resolutionSec: 60, bucket: at(0), samples: 4, failures: 2, probes: 2, probeFailures: 1,
      errorsByClass: { timeout: 1, rate_limited: 1 },
      latencySumMs: 201_125, latencyHist: hist({ 3: 1, 4: 1, 12: 1, 25: 1 }), ttftCount: 1, ttftSumMs: 300, ttftHist: hist({ 8: 1 }),
    });
  });

  it('sums the whole hour, the last second of its last minute included', () => {
    const hour = deltas.find((d) => d.resolutionSec === 3600);
    assert.equal(hour?.bucket, HOUR);
    assert.equal(hour?.samples, 5);
    assert.equal(hour?.failures, 3);
    assert.deepEqual(hour?.errorsByClass, { timeout: 1, rate_limited: 2 });
    assert.deepEqual(hour?.latencyHist, hist({ 1: 1, 3: 1, 4: 1, 12: 1, 25: 1 }));
    assert.deepEqual(deltas.map((d) => d.bucket), [at(0), at(59), HOUR]);
  });
});
