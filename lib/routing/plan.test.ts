import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SnapshotService } from './model';
import { activeOverrides, describeMode, planRoute, servingTarget, summarizePlan, type RoutePlan } from './plan';
import { NOW, breakers, entry, override, service, target, targetsOf } from '@/test/snapshot-fixtures';

const ids = (plan: RoutePlan) => plan.candidates.map((c) => c.target.id);
const skips = (plan: RoutePlan) => plan.skipped.map((s) => `${s.targetId}:${s.reason}`);

const T = targetsOf(target('a'), target('b'), target('c'));
const S = service('s1', ['a', 'b', 'c']);

test('automatic routing follows the chain by position, whatever order the entries come in', () => {
  const shuffled: SnapshotService = { ...S, chain: [entry('c', 3), entry('a', 1), entry('b', 2)] };
  const plan = planRoute(shuffled, T, [], breakers(), NOW);
  assert.equal(plan.mode, 'automatic');
  assert.deepEqual(ids(plan), ['a', 'b', 'c']);
  assert.deepEqual(plan.skipped, []);
  assert.equal(plan.override, null);
  assert.equal(servingTarget(plan)?.target.id, 'a');
});

test('disabled and missing targets are skipped as disabled', () => {
  const targets = targetsOf(target('a', { enabled: false }), target('c'));
  const plan = planRoute(S, targets, [], breakers(), NOW);
  assert.deepEqual(ids(plan), ['c']);
  assert.deepEqual(skips(plan), ['a:disabled', 'b:disabled']);
  assert.equal(plan.skipped[1].targetName, 'b', 'a missing target is named by its id');
});

test('an active drain skips its target for every service; an expired one is ignored', () => {
  const drain = override('drain', { targetId: 'a' });
  const other = service('s2', ['a', 'c']);
  assert.deepEqual(ids(planRoute(S, T, [drain], breakers(), NOW)), ['b', 'c']);
  assert.deepEqual(ids(planRoute(other, T, [drain], breakers(), NOW)), ['c']);
  assert.deepEqual(skips(planRoute(other, T, [drain], breakers(), NOW)), ['a:drained']);

  const expired = override('drain', { targetId: 'a', expiresAt: NOW - 1 });
  assert.deepEqual(ids(planRoute(S, T, [expired], breakers(), NOW)), ['a', 'b', 'c']);
  const endsLater = override('drain', { targetId: 'a', expiresAt: NOW + 1 });
  assert.deepEqual(ids(planRoute(S, T, [endsLater], breakers(), NOW)), ['b', 'c']);
});

test('a pin sends traffic only to the pinned target', () => {
  const pin = override('pin', { serviceId: 's1', targetId: 'b' });
  const plan = planRoute(S, T, [pin], breakers(), NOW);
  assert.equal(plan.mode, 'pinned');
  assert.deepEqual(ids(plan), ['b']);
  assert.deepEqual(skips(plan), ['a:not_pinned', 'c:not_pinned']);
  assert.equal(plan.override?.id, pin.id);
});

test('a pin on another service does not apply', () => {
  const pin = override('pin', { serviceId: 'other', targetId: 'b' });
  assert.equal(planRoute(S, T, [pin], breakers(), NOW).mode, 'automatic');
});

test('a pin to a drained or disabled target leaves the service unavailable: the pin is strict', () => {
  const pin = override('pin', { serviceId: 's1', targetId: 'b' });
  const drained = planRoute(S, T, [pin, override('drain', { targetId: 'b' })], breakers(), NOW);
  assert.equal(drained.mode, 'unavailable');
  assert.deepEqual(drained.candidates, []);
  assert.deepEqual(skips(drained), ['a:not_pinned', 'b:drained', 'c:not_pinned']);
  assert.equal(drained.override?.id, pin.id, 'the plan still says which pin made it unavailable');

  const disabled = planRoute(S, targetsOf(target('a'), target('b', { enabled: false }), target('c')), [pin], breakers(), NOW);
  assert.equal(disabled.mode, 'unavailable');
  assert.deepEqual(skips(disabled), ['a:not_pinned', 'b:disabled', 'c:not_pinned']);
});

test('a pin to a target with an open breaker still sends traffic there, as a last resort', () => {
  const pin = override('pin', { serviceId: 's1', targetId: 'b' });
  const plan = planRoute(S, T, [pin], breakers({ b: 'open' }), NOW);
  assert.equal(plan.mode, 'pinned');
  assert.deepEqual(ids(plan), ['b']);
  assert.equal(plan.lastResort, true);
});

test('the newest pin wins', () => {
  const older = override('pin', { serviceId: 's1', targetId: 'b', createdAt: NOW - 10_000 });
  const newer = override('pin', { serviceId: 's1', targetId: 'c', createdAt: NOW - 5_000 });
  assert.deepEqual(ids(planRoute(S, T, [newer, older], breakers(), NOW)), ['c']);
  assert.deepEqual(ids(planRoute(S, T, [older, newer], breakers(), NOW)), ['c']);
  const expiredNewer = { ...newer, expiresAt: NOW - 1 };
  assert.deepEqual(ids(planRoute(S, T, [older, expiredNewer], breakers(), NOW)), ['b'], 'an expired pin gives way to the older one');
});

test('a forced failover skips the target that was serving when the operator acted', () => {
  const force = override('force_failover', { serviceId: 's1', targetId: 'a' });
  const plan = planRoute(S, T, [force], breakers(), NOW);
  assert.equal(plan.mode, 'forced_failover');
  assert.deepEqual(ids(plan), ['b', 'c']);
  assert.deepEqual(skips(plan), ['a:forced_away']);
  assert.equal(describeMode(summarizePlan(plan, T)), 'Forced failover away from t-a');
});

test('a forced failover stays away from its target even when another breaker opens', () => {
  const force = override('force_failover', { serviceId: 's1', targetId: 'a' });
  const plan = planRoute(S, T, [force], breakers({ b: 'open' }), NOW);
  assert.deepEqual(ids(plan), ['c']);
  assert.deepEqual(skips(plan), ['a:forced_away', 'b:breaker_open']);
});

test('forced failovers add up: forcing again moves on from the next target too', () => {
  const first = override('force_failover', { serviceId: 's1', targetId: 'a', createdAt: NOW - 20_000 });
  const second = override('force_failover', { serviceId: 's1', targetId: 'b', createdAt: NOW - 10_000 });
  const plan = planRoute(S, T, [first, second], breakers(), NOW);
  assert.deepEqual(ids(plan), ['c']);
  assert.equal(plan.override?.id, second.id, 'the newest is the one the plan names');
});

test('a forced failover without a target skips the first target automatic routing would use', () => {
  const force = override('force_failover', { serviceId: 's1' });
  assert.deepEqual(ids(planRoute(S, T, [force], breakers(), NOW)), ['b', 'c']);
  // With a's breaker open, automatic routing would use b: that is the one forced away.
  const plan = planRoute(S, T, [force], breakers({ a: 'open' }), NOW);
  assert.deepEqual(ids(plan), ['c']);
  assert.deepEqual(skips(plan), ['a:breaker_open', 'b:forced_away']);
});

test('a forced failover that leaves nothing makes the service unavailable', () => {
  const single = service('s1', ['a']);
  const plan = planRoute(single, T, [override('force_failover', { serviceId: 's1', targetId: 'a' })], breakers(), NOW);
  assert.equal(plan.mode, 'unavailable');
  assert.deepEqual(plan.candidates, []);
});

test('a pin and a forced failover: the newer decides', () => {
  const pin = override('pin', { serviceId: 's1', targetId: 'c', createdAt: NOW - 20_000 });
  const force = override('force_failover', { serviceId: 's1', targetId: 'a', createdAt: NOW - 10_000 });
  assert.equal(planRoute(S, T, [pin, force], breakers(), NOW).mode, 'forced_failover');
  assert.equal(planRoute(S, T, [{ ...pin, createdAt: NOW }, force], breakers(), NOW).mode, 'pinned');
});

test('open breakers are skipped; half-open ones keep their place', () => {
  const plan = planRoute(S, T, [], breakers({ a: 'open', b: 'half_open' }), NOW);
  assert.deepEqual(ids(plan), ['b', 'c']);
  assert.deepEqual(skips(plan), ['a:breaker_open']);
  assert.equal(plan.lastResort, false);
});

test('when every usable target has an open breaker they are all tried, in chain order, as a last resort', () => {
  const plan = planRoute(S, T, [override('drain', { targetId: 'b' })], breakers({ a: 'open', c: 'open' }), NOW);
  assert.equal(plan.mode, 'automatic');
  assert.deepEqual(ids(plan), ['a', 'c']);
  assert.deepEqual(skips(plan), ['b:drained']);
  assert.equal(plan.lastResort, true);
});

test('nothing usable: unavailable, and servingTarget is null', () => {
  const plan = planRoute(S, T, ['a', 'b', 'c'].map((t) => override('drain', { targetId: t })), breakers(), NOW);
  assert.equal(plan.mode, 'unavailable');
  assert.equal(servingTarget(plan), null);
  assert.equal(planRoute(service('empty', []), T, [], breakers(), NOW).mode, 'unavailable');
});

test('activeOverrides drops expired overrides and lists the newest first', () => {
  const a = override('pin', { createdAt: NOW - 3 });
  const b = override('drain', { createdAt: NOW - 1, expiresAt: NOW + 1 });
  const c = override('drain', { createdAt: NOW - 2, expiresAt: NOW });
  assert.deepEqual(activeOverrides([a, b, c], NOW).map((o) => o.id), [b.id, a.id]);
});

test('summarizePlan names the serving target, the fallbacks and the override', () => {
  const pin = override('pin', { serviceId: 's1', targetId: 'b', reason: 'a is slow', expiresAt: NOW + 60_000 });
  const summary = summarizePlan(planRoute(S, T, [pin], breakers(), NOW), T);
  assert.deepEqual(summary.serving, { targetId: 'b', name: 't-b' });
  assert.deepEqual(summary.fallbacks, []);
  assert.deepEqual(summary.override, { kind: 'pin', targetId: 'b', targetName: 't-b', createdBy: 'op@test', reason: 'a is slow', expiresAt: NOW + 60_000 });
  assert.equal(describeMode(summary), 'Pinned to t-b');
  const automatic = summarizePlan(planRoute(S, T, [], breakers(), NOW), T);
  assert.deepEqual(automatic.fallbacks.map((f) => f.name), ['t-b', 't-c']);
  assert.equal(describeMode(automatic), 'Automatic');
});
