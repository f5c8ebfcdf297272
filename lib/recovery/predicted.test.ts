import { test } from 'node:test';
import assert from 'node:assert/strict';
import { predictFromReports, predictRoutingRto, predictServingRto, type RoutingInputs } from './predicted';

const HOUR = 3_600_000;

// The demo's support-bot at the chain-entry defaults: 5 failures in a row, a 10 s window, a 30 s header timeout.
const supportBot: RoutingInputs = {
  serviceName: 'support-bot',
  enabledTargets: 4,
  primaryName: 'openai-gpt-4o-us-east',
  detection: { consecutiveFailures: 5, windowMs: 10_000, requestsPerSecond: 0.5 },
  failover: { headerTimeoutMs: 30_000, maxRetries: 2, baseBackoffMs: 200, maxBackoffMs: 5_000 },
};

test('routing by design: detection plus failover, the same figure the availability maths adds to every failure', () => {
  const p = predictRoutingRto(supportBot, 30_000);
  assert.equal(p.ms, 40_000, 'by design 40 s');
  assert.match(p.basis, /Detection 10 s .* failover 30 s \(header timeout on openai-gpt-4o-us-east\)/);
  // The cheapest fix lowers the header timeout so that detection + failover fits 30 s.
  assert.equal(p.fixes[0].change, 'Lower the header timeout on openai-gpt-4o-us-east from 30 s to 20 s (answers slower than that will fail over: check its p99 latency first).');
  assert.equal(p.fixes[0].predictedMs, 30_000);
  for (const fix of p.fixes.filter((f) => f.predictedMs !== null)) assert.ok(fix.predictedMs! <= 30_000, `${fix.change} predicts ${fix.predictedMs}`);
});

test('a configuration within its objective needs no fix', () => {
  const p = predictRoutingRto({ ...supportBot, failover: { ...supportBot.failover, headerTimeoutMs: 15_000 } }, 30_000);
  assert.equal(p.ms, 25_000);
  assert.deepEqual(p.fixes, []);
});

test('detection alone too slow: a shorter window or fewer failures in a row', () => {
  const p = predictRoutingRto({ ...supportBot, failover: { ...supportBot.failover, headerTimeoutMs: 2_000 }, detection: { consecutiveFailures: 5, windowMs: 60_000, requestsPerSecond: 0.05 } }, 10_000);
  assert.equal(p.ms, 62_000);
  assert.ok(p.fixes.some((f) => f.change.startsWith('Shorten the breaker window') && f.predictedMs === 10_000));
  assert.ok(p.fixes.some((f) => /after 1 failure in a row instead of 5/.test(f.change)));
});

test('a chain with one target cannot fail over: no prediction, and the fix is a fallback', () => {
  const p = predictRoutingRto({ ...supportBot, enabledTargets: 1 }, 30_000);
  assert.equal(p.ms, null);
  assert.match(p.fixes[0].change, /Add a fallback target/);
});

test("serving: Standby's share is detection plus the breaker's way back", () => {
  const p = predictServingRto({ targetName: 'gpt-4o', detection: { consecutiveFailures: 5, windowMs: 10_000, requestsPerSecond: 10 }, openMs: 15_000, halfOpenSuccesses: 3, probeIntervalMs: 15_000 }, 300_000);
  assert.equal(p.ms, 500 + 15_000 + 300);
  assert.deepEqual(p.fixes, []);
  const slow = predictServingRto({ targetName: 'gpt-4o', detection: { consecutiveFailures: 5, windowMs: 10_000, requestsPerSecond: 0 }, openMs: 600_000, halfOpenSuccesses: 3, probeIntervalMs: 15_000 }, 300_000);
  assert.equal(slow.ms, 10_000 + 600_000 + 45_000);
  assert.match(slow.fixes[0].change, /from 10 min to 4 min/);
});

test('from reports: the copy interval is the RPO by design; a replica gives its lag, except against loss of data', () => {
  const daily = [0, 1, 2, 3].map((d) => ({ observedAt: d * 24 * HOUR + 600_000, copyAt: d * 24 * HOUR, lagMs: null, restoreMs: null, ok: true }));
  const { rpo, rto } = predictFromReports('preferences', [...daily, { observedAt: 5, copyAt: null, lagMs: null, restoreMs: 420_000, ok: true }], { rtoMs: 900_000, rpoMs: 300_000 }, true);
  assert.equal(rpo.ms, 24 * HOUR);
  assert.match(rpo.fixes[0].change, /Copy preferences at least every 5 min, or replicate it continuously/);
  assert.equal(rto.ms, 420_000);
  assert.deepEqual(rto.fixes, []);

  const replica = [1, 2, 3].map((i) => ({ observedAt: i * 60_000, copyAt: i * 60_000 - 2_000, lagMs: 2_000, restoreMs: null, ok: true, replica: true }));
  assert.equal(predictFromReports('history', [...daily, ...replica], { rtoMs: 1, rpoMs: 60_000 }, false).rpo.ms, 2_000);
  assert.equal(predictFromReports('history', [...daily, ...replica], { rtoMs: 1, rpoMs: 60_000 }, true).rpo.ms, 24 * HOUR, 'a replica copies a deletion too');

  const archive = replica.map((r) => ({ ...r, replica: false }));
  assert.equal(predictFromReports('history', [...daily, ...archive], { rtoMs: 1, rpoMs: 60_000 }, true).rpo.ms, 2_000, 'an archive replayable to a point in time counts against loss');
  const none = predictFromReports('index', [], { rtoMs: 1, rpoMs: 1 }, true);
  assert.equal(none.rpo.ms, null);
  assert.match(none.rto.fixes[0].change, /Run a restore test of index/);
});
