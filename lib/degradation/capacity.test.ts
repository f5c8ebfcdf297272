import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NOW, breakers, override, service, target, targetsOf } from '@/test/snapshot-fixtures';
import type { BreakerState } from '@/lib/routing/enums';
import type { SnapshotOverride } from '@/lib/routing/model';
import { availableCapacity, degradationLevel, measuredDemandRpm, overflowRpm, planningRisk, servedShare } from './capacity';

// a 1,000 RPM, b 3,000 RPM, c 6,000 RPM: 10,000 RPM when all can serve.
const T = targetsOf(target('a', { rpm: 1_000 }), target('b', { rpm: 3_000 }), target('c', { rpm: 6_000 }));
const S = service('s1', ['a', 'b', 'c']);

const available = (overrides: SnapshotOverride[] = [], states: Record<string, BreakerState> = {}, targets = T, svc = S) =>
  availableCapacity(svc, { targets, overrides, breakerOf: breakers(states) }, NOW);
const reasons = (result: ReturnType<typeof available>) => result.targets.map((t) => `${t.targetId}:${t.reason}`);

describe('availableCapacity', () => {
  it('sums the RPM of every target that can take traffic', () => {
    const result = available();
    assert.equal(result.availableRpm, 10_000);
    assert.deepEqual(reasons(result), ['a:counted', 'b:counted', 'c:counted']);
  });

  it('counts zero for breaker-open, half-open, drained, disabled and forced-away targets', () => {
    const table: [string, number, SnapshotOverride[], Record<string, BreakerState>, typeof T][] = [
      ['b open', 7_000, [], { b: 'open' }, T],
      ['b half-open', 7_000, [], { b: 'half_open' }, T],
      ['c drained', 4_000, [override('drain', { targetId: 'c' })], {}, T],
      ['c drained, but the drain expired', 10_000, [override('drain', { targetId: 'c', expiresAt: NOW - 1 })], {}, T],
      ['a disabled', 9_000, [], {}, targetsOf(target('a', { rpm: 1_000, enabled: false }), target('b', { rpm: 3_000 }), target('c', { rpm: 6_000 }))],
      ['forced away from a', 9_000, [override('force_failover', { serviceId: 's1', targetId: 'a' })], {}, T],
      ['a open, c drained', 3_000, [override('drain', { targetId: 'c' })], { a: 'open' }, T],
    ];
    for (const [label, rpm, overrides, states, targets] of table) {
      assert.equal(available(overrides, states, targets).availableRpm, rpm, label);
    }
    assert.deepEqual(reasons(available([override('drain', { targetId: 'c' })], { a: 'open', b: 'half_open' })), ['a:breaker_open', 'b:half_open', 'c:drained']);
  });

  it('counts only the pinned target while a pin is in force', () => {
    const result = available([override('pin', { serviceId: 's1', targetId: 'b' })]);
    assert.equal(result.availableRpm, 3_000);
    assert.deepEqual(reasons(result), ['a:not_pinned', 'b:counted', 'c:not_pinned']);
  });

  it('counts zero when only open breakers are left (the gateway tries them as a last resort)', () => {
    const result = available([], { a: 'open', b: 'open', c: 'open' });
    assert.equal(result.availableRpm, 0);
    assert.deepEqual(reasons(result), ['a:last_resort', 'b:last_resort', 'c:last_resort']);
  });

  it('counts zero for a service without a chain, and for a chain target that no longer exists', () => {
    assert.equal(available([], {}, T, service('empty', [])).availableRpm, 0);
    const result = available([], {}, T, service('s2', ['a', 'gone']));
    assert.equal(result.availableRpm, 1_000);
    assert.deepEqual(reasons(result), ['a:counted', 'gone:disabled']);
  });
});

describe('demand, D and the share served', () => {
  it('measures demand as the busier of the last minute and the window average, rounded up', () => {
    assert.equal(measuredDemandRpm(0, 0), 0);
    assert.equal(measuredDemandRpm(150, 1_000), 200, 'the average is busier');
    assert.equal(measuredDemandRpm(900, 1_000), 900, 'a surge in the last minute counts at once');
    assert.equal(measuredDemandRpm(0, 11), 3);
  });

  it('is available / demand, 0 when nothing can serve, and null when nothing is asked: a plan plays no part', () => {
    const table: [number, number, number | null][] = [
      [10_000, 8_000, 1.25], [4_000, 8_000, 0.5], [300, 8_000, 0.0375], [0, 8_000, 0], [0, 0, 0], [1_000, 0, null], [4_600, 40, 115],
    ];
    for (const [availableRpm, demandRpm, level] of table) assert.equal(degradationLevel(availableRpm, demandRpm), level, `${availableRpm}/${demandRpm}`);
  });

  it('serves min(1, D) of the requests, everything when nothing is measured, and sheds only the overflow', () => {
    assert.deepEqual([servedShare(null), servedShare(115), servedShare(1), servedShare(0.8), servedShare(0)], [1, 1, 1, 0.8, 0]);
    assert.deepEqual([overflowRpm(4_600, 40), overflowRpm(800, 1_000), overflowRpm(0, 30)], [0, 200, 30]);
  });
});

describe('planningRisk', () => {
  it('names the target whose loss leaves the least of the plan covered', () => {
    // 10,000 RPM available against a plan of 8,000: without c (6,000) only 4,000 are left, 50% of the plan.
    const risk = planningRisk(available(), 8_000)!;
    assert.deepEqual([risk.availableRpm, risk.coverage], [10_000, 1.25]);
    assert.deepEqual(risk.worstLoss, { targetId: 'c', name: 't-c', remainingRpm: 4_000, coverage: 0.5 });
  });

  it('only targets counted now can fail; no plan, no risk', () => {
    const risk = planningRisk(available([override('drain', { targetId: 'c' })]), 8_000)!;
    assert.deepEqual([risk.coverage, risk.worstLoss?.name, risk.worstLoss?.remainingRpm], [0.5, 't-b', 1_000]);
    assert.equal(planningRisk(available([], { a: 'open', b: 'open', c: 'open' }), 8_000)?.worstLoss, null);
    assert.equal(planningRisk(available(), 0), null);
  });
});
