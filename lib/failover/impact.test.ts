import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEffect, describeChainOrder, previewSteering, steeringEffect } from './impact';
import { planRoute } from '@/lib/routing/plan';
import { NOW, breakers, override, service, target, targetsOf } from '@/test/snapshot-fixtures';

const T = targetsOf(target('a', { name: 'gpt-a', rpm: 10_000 }), target('b', { name: 'gpt-x', rpm: 6_000 }), target('c', { name: 'llama', rpm: 600 }));
const S = service('s1', ['a', 'b', 'c']);
const load = (requestsPerMinute: number) => ({ requestsPerMinute });

test('force failover: traffic moves from the serving target to the next, with its load share', () => {
  const preview = previewSteering({ kind: 'force_failover' }, S, T, [], breakers(), NOW, load(3_000));
  assert.equal(preview.before.mode, 'automatic');
  assert.equal(preview.before.serving?.name, 'gpt-a');
  assert.equal(preview.after.mode, 'forced_failover');
  assert.equal(preview.after.serving?.name, 'gpt-x');
  assert.deepEqual(preview.takesTraffic.map((t) => [t.name, t.role, t.loadShare, t.overCapacity]), [
    ['gpt-x', 'serving', 0.5, false],
    ['llama', 'fallback', 5, true],
  ]);
  assert.deepEqual(preview.warnings, []);
});

test('a target that would run over its RPM is named with its load as a percentage', () => {
  const preview = previewSteering({ kind: 'force_failover' }, S, T, [], breakers(), NOW, load(8_400));
  assert.ok(preview.takesTraffic[0].overCapacity);
  assert.deepEqual(preview.warnings, ['gpt-x would run at 140% of its 6,000 RPM.']);
});

test('no target left: the preview says nothing would take the traffic', () => {
  const drains = ['b', 'c'].map((t) => override('drain', { targetId: t }));
  const preview = previewSteering({ kind: 'drain', targetId: 'a' }, S, T, drains, breakers(), NOW, load(100));
  assert.equal(preview.after.mode, 'unavailable');
  assert.deepEqual(preview.takesTraffic, []);
  assert.ok(preview.warnings.includes('No target would take the traffic: every request for svc-s1 would fail.'));
});

test('pin: only the pinned target takes traffic, and the preview warns that automatic failover is off', () => {
  const preview = previewSteering({ kind: 'pin', targetId: 'c' }, S, T, [], breakers(), NOW, load(300));
  assert.equal(preview.after.mode, 'pinned');
  assert.deepEqual(preview.takesTraffic.map((t) => [t.name, t.loadShare]), [['llama', 0.5]]);
  assert.deepEqual(preview.warnings, ['While pinned, automatic failover is off: if llama fails, requests for svc-s1 fail.']);
});

test('pin to a target whose breaker is open: it serves only as a last resort', () => {
  const preview = previewSteering({ kind: 'pin', targetId: 'b' }, S, T, [], breakers({ b: 'open' }), NOW, load(0));
  assert.equal(preview.after.lastResort, true);
  assert.ok(preview.warnings.some((w) => w.startsWith('Every target left has an open breaker')));
});

test('drain: names every other service that uses the target and what happens to it', () => {
  const other = service('s2', ['a', 'c']);
  const unrelated = service('s3', ['c']);
  const lonely = service('s4', ['a']);
  const preview = previewSteering({ kind: 'drain', targetId: 'a' }, S, T, [], breakers(), NOW, load(0), [S, other, unrelated, lonely]);
  assert.equal(preview.after.serving?.name, 'gpt-x');
  assert.deepEqual(preview.elsewhere.map((s) => [s.name, s.before.serving?.name ?? null, s.after.serving?.name ?? null]), [
    ['svc-s2', 'gpt-a', 'llama'],
    ['svc-s4', 'gpt-a', null],
  ]);
  assert.deepEqual(preview.warnings, [
    'A drain applies to every service that uses gpt-a: svc-s2, svc-s4 use it too.',
    'svc-s4 would have no target left: its requests would fail.',
  ]);
});

test('drain of a target no other service uses says so', () => {
  const preview = previewSteering({ kind: 'drain', targetId: 'b' }, S, T, [], breakers(), NOW, load(0), [S]);
  assert.deepEqual(preview.warnings, ['A drain applies to every service that uses gpt-x; no other service uses it now.']);
});

test('clear: ends the pin and the drains of chain targets, back to automatic', () => {
  const pin = override('pin', { serviceId: 's1', targetId: 'c' });
  const drain = override('drain', { targetId: 'a' });
  const elsewhereDrain = override('drain', { targetId: 'z' });
  const preview = previewSteering({ kind: 'clear' }, S, T, [pin, drain, elsewhereDrain], breakers(), NOW, load(100));
  assert.equal(preview.before.mode, 'pinned');
  assert.equal(preview.after.mode, 'automatic');
  assert.equal(preview.after.serving?.name, 'gpt-a');
  const effect = steeringEffect({ kind: 'clear' }, S, [pin, drain, elsewhereDrain], planRoute(S, T, [pin, drain], breakers(), NOW), NOW);
  assert.deepEqual(effect.ends.map((o) => o.id).sort(), [pin.id, drain.id].sort());
  assert.equal(effect.creates, null);
});

test('clear with nothing to clear says routing is already automatic', () => {
  const preview = previewSteering({ kind: 'clear' }, S, T, [], breakers(), NOW, load(0));
  assert.deepEqual(preview.warnings, ['Routing for svc-s1 is already automatic: there is nothing to clear.']);
});

test('force failover with nothing serving says there is nothing to fail over from', () => {
  const drains = ['a', 'b', 'c'].map((t) => override('drain', { targetId: t }));
  const preview = previewSteering({ kind: 'force_failover' }, S, T, drains, breakers(), NOW, load(0));
  assert.ok(preview.warnings.includes('Nothing serves svc-s1 now: there is nothing to fail over from.'));
});

test('steering effects: a pin replaces pins and forced failovers; a forced failover records the serving target and keeps earlier ones', () => {
  const pin = override('pin', { serviceId: 's1', targetId: 'c' });
  const force = override('force_failover', { serviceId: 's1', targetId: 'a' });
  const otherService = override('pin', { serviceId: 's2', targetId: 'a' });
  const all = [pin, force, otherService];

  const pinEffect = steeringEffect({ kind: 'pin', targetId: 'b' }, S, all, planRoute(S, T, all, breakers(), NOW), NOW);
  assert.deepEqual(pinEffect.ends.map((o) => o.id).sort(), [pin.id, force.id].sort());
  assert.deepEqual(pinEffect.creates, { kind: 'pin', serviceId: 's1', targetId: 'b' });

  const forced = [force];
  const forceEffect = steeringEffect({ kind: 'force_failover' }, S, forced, planRoute(S, T, forced, breakers(), NOW), NOW);
  assert.deepEqual(forceEffect.ends, []);
  assert.deepEqual(forceEffect.creates, { kind: 'force_failover', serviceId: 's1', targetId: 'b' });
  assert.equal(planRoute(S, T, applyEffect(forced, forceEffect, NOW), breakers(), NOW).candidates[0].target.id, 'c');

  const pinned = [pin];
  const forceWhilePinned = steeringEffect({ kind: 'force_failover' }, S, pinned, planRoute(S, T, pinned, breakers(), NOW), NOW);
  assert.deepEqual(forceWhilePinned.ends.map((o) => o.id), [pin.id]);
  assert.equal(forceWhilePinned.creates?.targetId, 'c', 'forced away from the pinned target that was serving');
});

test('a new drain of a drained target replaces the old one (new reason or expiry)', () => {
  const drain = override('drain', { targetId: 'a', expiresAt: NOW + 60_000 });
  const effect = steeringEffect({ kind: 'drain', targetId: 'a' }, S, [drain], planRoute(S, T, [drain], breakers(), NOW), NOW);
  assert.deepEqual(effect.ends.map((o) => o.id), [drain.id]);
  assert.deepEqual(effect.creates, { kind: 'drain', serviceId: null, targetId: 'a' });
});

test('expired overrides are not ended by an action: they are already out of force', () => {
  const expired = override('pin', { serviceId: 's1', targetId: 'c', expiresAt: NOW - 1 });
  const effect = steeringEffect({ kind: 'clear' }, S, [expired], planRoute(S, T, [expired], breakers(), NOW), NOW);
  assert.deepEqual(effect.ends, []);
});

test('describeChainOrder reads the chain as an operator would say it', () => {
  assert.equal(describeChainOrder(['A', 'B', 'C']), 'Traffic goes to A; if A fails: B, then C.');
  assert.equal(describeChainOrder(['A']), 'Traffic goes to A; nothing is left if it fails.');
  assert.equal(describeChainOrder([]), 'No targets: every request for this service fails.');
});
