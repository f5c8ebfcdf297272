import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OverflowGate, tierForRequest, type TierInForce } from './overflow';
import type { Tier } from '@/lib/routing/enums';

const NOW = 1_800_000_000_000;

/** The tiers `n` requests in a row get. */
function tiersOf(state: TierInForce, n: number, gate = new OverflowGate()): Tier[] {
  return Array.from({ length: n }, () => tierForRequest(state, 's1', gate, NOW));
}
const count = (tiers: Tier[], tier: Tier) => tiers.filter((t) => t === tier).length;

describe('a tier sheds only the overflow', () => {
  it('serves every request as in Full while demand fits, whatever tier the hold keeps on the page', () => {
    // Capacity is back (D ≥ 1) but Minimal is waiting out its hold: nothing is refused meanwhile.
    const tiers = tiersOf({ automaticTier: 'minimal', override: null, servedShare: 1 }, 100);
    assert.equal(count(tiers, 'full'), 100);
  });

  it('serves the share the healthy targets have room for, and gives only the rest the tier', () => {
    // 800 RPM of capacity against 1,000 RPM of demand: D = 0.8, Degraded for the overflow.
    const degraded = tiersOf({ automaticTier: 'degraded', override: null, servedShare: 0.8 }, 1_000);
    assert.deepEqual([count(degraded, 'full'), count(degraded, 'degraded')], [800, 200]);
    // 300 of 1,000: Minimal for the 70% beyond capacity, spread evenly rather than in a block.
    const minimal = tiersOf({ automaticTier: 'minimal', override: null, servedShare: 0.3 }, 10);
    assert.deepEqual(minimal, ['minimal', 'minimal', 'minimal', 'full', 'minimal', 'minimal', 'full', 'minimal', 'minimal', 'full']);
    assert.equal(count(tiersOf({ automaticTier: 'minimal', override: null, servedShare: 0.3 }, 1_000), 'full'), 300);
  });

  it('Emergency (nothing can serve) serves nothing', () => {
    assert.equal(count(tiersOf({ automaticTier: 'emergency', override: null, servedShare: 0 }, 50), 'emergency'), 50);
  });

  it("an operator's override applies to every request, and stops applying when it expires", () => {
    const override = { tier: 'minimal' as const, reason: 'drill', by: 'op', at: NOW - 1_000, expiresAt: NOW + 60_000 };
    assert.equal(count(tiersOf({ automaticTier: 'full', override, servedShare: 1 }, 20), 'minimal'), 20);
    const expired = { ...override, expiresAt: NOW - 1 };
    assert.equal(count(tiersOf({ automaticTier: 'degraded', override: expired, servedShare: 0.5 }, 20), 'full'), 10);
  });

  it('keeps a separate credit per service', () => {
    const gate = new OverflowGate();
    const a = Array.from({ length: 4 }, () => gate.admit('a', 0.5));
    const b = Array.from({ length: 4 }, () => gate.admit('b', 0.25));
    assert.deepEqual([a, b], [[false, true, false, true], [false, false, false, true]]);
  });
});
