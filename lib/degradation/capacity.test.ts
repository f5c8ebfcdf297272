import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NOW, breakers, override, service, target, targetsOf } from '@/lib/failover/snapshot-fixtures';
import type { BreakerState } from '@/lib/gateway/breaker';
import type { SnapshotOverride } from '@/lib/gateway/snapshot-types';
import { availableCapacity, degradationLevel, measuredDemandRpm, requiredCapacity } from './capacity';

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

describe('required capacity and D', () => {
  it('uses the configured RPM, or the measured demand with the configured RPM as a floor', () => {
    const table: [string, 'configured' | 'measured', number, number, number][] = [
      ['configured ignores demand', 'configured', 500, 2_000, 500],
      ['measured above the floor', 'measured', 500, 2_000, 2_000],
      ['measured below the floor', 'measured', 500, 20, 500],
      ['measured with no floor and no traffic', 'measured', 0, 0, 0],
    ];
    for (const [label, demandSource, requiredRpm, measured, expected] of table) {
      assert.equal(requiredCapacity({ demandSource, requiredRpm }, measured), expected, label);
    }
  });

  it('measures demand as requests per minute over the window, rounded up', () => {
    assert.equal(measuredDemandRpm(0), 0);
    assert.equal(measuredDemandRpm(1_000), 200);
    assert.equal(measuredDemandRpm(11), 3);
  });

  it('is available / required, 0 when nothing can serve, and null when nothing is required', () => {
    const table: [number, number, number | null][] = [
      [10_000, 8_000, 1.25], [4_000, 8_000, 0.5], [300, 8_000, 0.0375], [0, 8_000, 0], [0, 0, 0], [1_000, 0, null],
    ];
    for (const [availableRpm, requiredRpm, level] of table) assert.equal(degradationLevel(availableRpm, requiredRpm), level, `${availableRpm}/${requiredRpm}`);
  });
});
