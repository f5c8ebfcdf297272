import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { effectiveTier, tierRank } from './tier';

describe('effectiveTier', () => {
  const override = { tier: 'emergency' as const, reason: 'provider outage', by: 'operator@standby.demo', at: 1_000 };

  it('follows the automatic tier without an override', () => {
    assert.equal(effectiveTier({ automaticTier: 'degraded', override: null }, 5_000), 'degraded');
  });

  it('uses an override until it expires, then the automatic tier again', () => {
    const state = { automaticTier: 'full' as const, override: { ...override, expiresAt: 10_000 } };
    assert.equal(effectiveTier(state, 9_999), 'emergency');
    assert.equal(effectiveTier(state, 10_000), 'full');
  });

  it('keeps an override without expiry', () => {
    assert.equal(effectiveTier({ automaticTier: 'full', override: { ...override, expiresAt: null } }, 1e15), 'emergency');
  });

  it('ranks tiers from Full to Emergency', () => {
    assert.deepEqual(['emergency', 'full', 'minimal', 'degraded'].map((t) => tierRank(t as never)), [3, 0, 2, 1]);
  });
});
