import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeCheck, evaluateCheck, type ResolvedCheck } from './checks';

const now = 1_700_000_000_000;
const errorRate: ResolvedCheck = { metric: 'error_rate', serviceId: 's', serviceName: 'support-bot', belowPercent: 1, forMinutes: 2, minRequests: 10 };
const breaker: ResolvedCheck = { metric: 'breaker_closed', targetId: 't', targetName: 'openai-gpt-4o-us-east', forMinutes: 1 };
const tier: ResolvedCheck = { metric: 'tier', serviceId: 's', serviceName: 'support-bot', tier: 'full', forMinutes: 0 };

test('criteria read as the issue writes them', () => {
  assert.equal(describeCheck(errorRate), 'support-bot error rate under 1% for 2 min');
  assert.equal(describeCheck(breaker), 'breaker of openai-gpt-4o-us-east closed for 1 min');
  assert.equal(describeCheck(tier), 'support-bot in tier Full');
  assert.equal(describeCheck({ ...tier, tier: 'degraded', forMinutes: 0.5 }), 'support-bot in tier Degraded or better for 30 s');
});

test('error rate: met under the threshold, not at it, and never on too little traffic', () => {
  assert.equal(evaluateCheck(errorRate, { metric: 'error_rate', requests: 200, failures: 1 }, now).met, true);
  assert.equal(evaluateCheck(errorRate, { metric: 'error_rate', requests: 200, failures: 2 }, now).met, false, '1% is not under 1%');
  const thin = evaluateCheck(errorRate, { metric: 'error_rate', requests: 9, failures: 0 }, now);
  assert.equal(thin.met, false);
  assert.match(thin.detail, /too little traffic/);
  assert.equal(evaluateCheck(errorRate, { metric: 'error_rate', requests: 200, failures: 1 }, now).value, '0.5% of 200 requests failed in the last 2 min');
});

test('breaker: closed long enough is met; open, half-open or closed too recently is not', () => {
  assert.equal(evaluateCheck(breaker, { metric: 'breaker_closed', state: 'closed', since: now - 60_000 }, now).met, true);
  const recent = evaluateCheck(breaker, { metric: 'breaker_closed', state: 'closed', since: now - 20_000 }, now);
  assert.equal(recent.met, false);
  assert.equal(recent.detail, '40 s to go');
  assert.equal(evaluateCheck(breaker, { metric: 'breaker_closed', state: 'half_open', since: now - 600_000 }, now).value, 'half-open');
  assert.equal(evaluateCheck(breaker, { metric: 'breaker_closed', state: 'open', since: now - 600_000 }, now).met, false);
});

test('tier: the tier or better counts; a worse one never does', () => {
  assert.equal(evaluateCheck(tier, { metric: 'tier', tier: 'full', since: now }, now).met, true);
  assert.equal(evaluateCheck(tier, { metric: 'tier', tier: 'degraded', since: now - 3_600_000 }, now).met, false);
  const degradedOrBetter = { ...tier, tier: 'degraded' as const };
  assert.equal(evaluateCheck(degradedOrBetter, { metric: 'tier', tier: 'full', since: now }, now).met, true);
  assert.equal(evaluateCheck(degradedOrBetter, { metric: 'tier', tier: 'minimal', since: now - 3_600_000 }, now).met, false);
});

test('a reading of another kind never passes', () => {
  assert.equal(evaluateCheck(tier, { metric: 'error_rate', requests: 100, failures: 0 }, now).met, false);
});
