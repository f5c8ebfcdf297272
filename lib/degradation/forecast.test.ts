import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_TIER_POLICY } from '@/lib/routing/defaults';
import { DEFAULT_TIER_THRESHOLDS } from './defaults';
import { forecastTier, type TierForecastInput } from './forecast';

const NOW = 1_800_000_000_000;
const input = (extra: Partial<TierForecastInput> = {}): TierForecastInput => ({
  state: { tier: 'full', pendingTier: null, pendingSince: null, override: null },
  thresholds: { ...DEFAULT_TIER_THRESHOLDS, plannedRpm: 9_000 },
  policy: DEFAULT_TIER_POLICY,
  degradedTarget: null,
  demandRpm: 40,
  availableRpm: 20_600,
  ...extra,
});

describe('forecastTier', () => {
  it('a pin to a 4,000 RPM target with 40 RPM of demand stays Full and refuses nothing, whatever was planned', () => {
    const f = forecastTier(input({ availableRpm: 4_000 }), NOW);
    assert.deepEqual([f.after, f.harmless, f.servedShare, f.overflowRpm], ['full', true, 1, 0]);
    assert.equal(f.summary, 'Stays Full: 4,000 RPM can serve 40 RPM of demand. Nothing is refused or degraded.');
  });

  it('demand beyond what is left: the overflow gets the tier, and the summary says how much', () => {
    const f = forecastTier(input({ demandRpm: 1_000, availableRpm: 300 }), NOW);
    assert.deepEqual([f.after, f.harmless, f.overflowRpm], ['minimal', false, 700]);
    assert.match(f.summary, /^Becomes Minimal: 300 RPM can serve 1,000 RPM of demand\. 30% of requests .* The other 70%, about 700 RPM beyond capacity, get Minimal: .*refused with 503/);
  });

  it('nothing left to serve is Emergency for every request', () => {
    const f = forecastTier(input({ availableRpm: 0 }), NOW);
    assert.equal(f.after, 'emergency');
    assert.match(f.summary, /No target can serve: answers every request with the maintenance message/);
  });

  it('capacity coming back waits out the hold, but serves every request meanwhile', () => {
    const f = forecastTier(input({ state: { tier: 'minimal', pendingTier: null, pendingSince: null, override: null } }), NOW);
    assert.deepEqual([f.after, f.recoversTo, f.harmless], ['minimal', 'full', true]);
    assert.match(f.summary, /^Stays Minimal: .* Back to Full once that has held for 1 min\. Nothing is refused or degraded\.$/);
  });

  it("an operator's override holds every request in its tier", () => {
    const override = { tier: 'minimal' as const, reason: 'drill', by: 'oscar@standby.demo', at: NOW - 1_000, expiresAt: null };
    const f = forecastTier(input({ state: { tier: 'full', pendingTier: null, pendingSince: null, override } }), NOW);
    assert.deepEqual([f.after, f.overridden, f.harmless], ['minimal', true, false]);
    assert.match(f.summary, /^Held in Minimal by oscar@standby\.demo's override\. Minimal: .* This applies to every request while the override holds\.$/);
  });
});
