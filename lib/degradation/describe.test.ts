import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_TIER_POLICY } from '@/lib/routing/defaults';
import { DEFAULT_TIER_THRESHOLDS } from './defaults';
import { describeCapacity, describeOverrideEffect, describeShedding, describeTierNow, describeTierPolicy, describeTierRange, formatLevel, formatSeconds } from './describe';

const mini = { name: 'openai-gpt-4o-mini-us-east', model: 'gpt-4o-mini' };

describe('describeTierPolicy', () => {
  it('names the smaller model and the max_tokens cap of Degraded', () => {
    assert.equal(
      describeTierNow('degraded', { ...DEFAULT_TIER_POLICY, degradedMaxTokens: 256 }, mini),
      'Degraded: routes to gpt-4o-mini (openai-gpt-4o-mini-us-east) first, then the chain; max_tokens capped at 256.',
    );
    assert.equal(describeTierPolicy('degraded', DEFAULT_TIER_POLICY, null), 'Routes along the chain as usual (no smaller model chosen); max_tokens capped at 512.');
  });

  it('says what Minimal answers and what it refuses', () => {
    const rules = [{ match: 'contains' as const, pattern: 'reset password', answer: 'See the help centre.' }];
    assert.equal(
      describeTierPolicy('minimal', { ...DEFAULT_TIER_POLICY, rules, cacheTtlSeconds: 900, retryAfterSeconds: 30 }, null),
      'Answers repeated requests from a cache kept 15 min, and 1 rule-based answer; anything else is refused with 503 and Retry-After 30 s.',
    );
  });

  it('says whether Emergency queues requests', () => {
    assert.match(describeTierPolicy('emergency', DEFAULT_TIER_POLICY, null), /queued for up to 1 d and replayed/);
    assert.match(describeTierPolicy('emergency', { ...DEFAULT_TIER_POLICY, queueEnabled: false }, null), /No retry queue\.$/);
  });
});

describe('formatting', () => {
  it('formats durations', () => {
    assert.deepEqual([45, 60, 90, 900, 3_600, 5_400, 86_400, 90_000].map(formatSeconds), ['45 s', '1 min', '1 min 30 s', '15 min', '1 h', '1 h 30 min', '1 d', '1 d 1 h']);
  });

  it('rounds D down, so a level just short of a threshold never reads as reaching it', () => {
    assert.deepEqual([0, 0.0375, 0.5, 0.999, 1, 1.3333, 9.99, 115, null].map(formatLevel), ['0%', '3.7%', '50%', '99%', '100%', '133%', '999%', '115×', 'no demand']);
  });

  it('describes the range of D of each tier', () => {
    assert.deepEqual(
      (['full', 'degraded', 'minimal', 'emergency'] as const).map((tier) => describeTierRange(tier, DEFAULT_TIER_THRESHOLDS)),
      ['capacity covers at least 100% of demand', 'capacity covers 50% to 100% of demand', 'capacity covers less than 50% of demand', 'no target can serve'],
    );
  });

  it('says what the requests of a degraded service get: the share that fits is served, the overflow gets the tier', () => {
    const state = { tier: 'minimal' as const, automaticTier: 'minimal' as const, overridden: false, servedShare: 0.8, availableRpm: 800, demandRpm: 1_000 };
    assert.match(describeShedding(state, DEFAULT_TIER_POLICY, null), /^80% of requests \(the 800 RPM the healthy targets can take\) are served normally\. The other 20%, about 200 RPM beyond capacity, get Minimal: answers repeated requests/);
    assert.match(describeShedding({ ...state, servedShare: 1, availableRpm: 4_600, demandRpm: 40 }, DEFAULT_TIER_POLICY, null), /^Demand fits the capacity: every request is served normally/);
    assert.match(describeShedding({ ...state, overridden: true }, DEFAULT_TIER_POLICY, null), /applies to every request while the override holds/);
    assert.match(describeShedding({ ...state, tier: 'emergency', automaticTier: 'emergency', servedShare: 0, availableRpm: 0 }, DEFAULT_TIER_POLICY, null), /^No target can serve: answers every request with the maintenance message/);
    assert.equal(describeCapacity(4_600, 40), '4,600 RPM can serve 40 RPM of demand');
  });

  it('says that an override applies to every request, the servable ones included', () => {
    assert.equal(
      describeOverrideEffect('minimal', 40, 4_600, DEFAULT_TIER_POLICY, null),
      'Every request (about 40 RPM now) gets Minimal, including those the targets that can serve (4,600 RPM) have room for: answers repeated requests from a cache kept 1 h; anything else is refused with 503 and Retry-After 30 s.',
    );
    assert.match(describeOverrideEffect('full', 40, 0, DEFAULT_TIER_POLICY, null), /^Every request is routed along the chain as usual/);
  });
});
