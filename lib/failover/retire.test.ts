import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planRetirement, type ServiceChainRow } from './retire';

const chain = (serviceId: string, targets: string[]): ServiceChainRow => ({
  serviceId,
  serviceName: serviceId,
  entries: targets.map((targetId, i) => ({ targetId, position: i + 1, maxRetries: i, failoverOn: ['server_error'] })),
});

const chains = [chain('support', ['gpt', 'azure', 'claude']), chain('code', ['claude', 'gpt']), chain('docs', ['gemini', 'mini'])];
const plan = (retired: string[], substituteId: string | null, over: Partial<Parameters<typeof planRetirement>[0]> = {}) =>
  planRetirement({ retired: new Set(retired), substituteId, chains, pins: [], policies: [], ...over });

test('without a substitute the target leaves every chain it is in; chains without it are untouched', () => {
  const p = plan(['gpt'], null);
  assert.deepEqual(p.services.map((s) => [s.serviceId, s.after]), [['support', ['azure', 'claude']], ['code', ['claude']]]);
  assert.deepEqual(p.services[0].entries.map((e) => e.position), [1, 2], 'positions close up');
  assert.deepEqual(p.emptied, []);
});

test("a substitute takes the retired target's place and settings", () => {
  const p = plan(['gpt'], 'llama');
  assert.deepEqual(p.services[0].after, ['llama', 'azure', 'claude']);
  assert.equal(p.services[0].entries[0].maxRetries, 0, "the retired entry's settings stay with its place");
  assert.deepEqual(p.services[1].after, ['claude', 'llama']);
  assert.ok(p.services.every((s) => s.substituted));
});

test('a substitute already in the chain is not added twice: the retired target is only removed', () => {
  const p = plan(['gpt'], 'claude');
  assert.deepEqual(p.services[0].after, ['azure', 'claude']);
  assert.equal(p.services[0].substituted, false);
  assert.deepEqual(p.services[1].after, ['claude']);
});

test('a model served by two targets of one chain: both leave, the substitute comes in once, at the first place', () => {
  const p = plan(['gpt', 'azure'], 'llama');
  assert.deepEqual(p.services[0].after, ['llama', 'claude']);
});

test('a chain left empty is reported so the retirement can be refused', () => {
  const p = plan(['gemini', 'mini'], null);
  assert.deepEqual(p.emptied, [{ serviceId: 'docs', serviceName: 'docs' }]);
  assert.deepEqual(plan(['gemini', 'mini'], 'llama').emptied, []);
});

test('pins to a retired target end, and degraded targets move to the substitute (or to none)', () => {
  const pins = [{ id: 'p1', serviceId: 'support', targetId: 'gpt' }, { id: 'p2', serviceId: 'code', targetId: 'claude' }];
  const policies = [{ serviceId: 'support', degradedTargetId: 'gpt' }, { serviceId: 'docs', degradedTargetId: 'mini' }];
  const p = plan(['gpt'], 'llama', { pins, policies });
  assert.deepEqual(p.pinsEnded.map((x) => x.id), ['p1']);
  assert.deepEqual(p.degradedTargets, [{ serviceId: 'support', from: 'gpt', to: 'llama' }]);
  assert.deepEqual(plan(['gpt'], null, { pins, policies }).degradedTargets, [{ serviceId: 'support', from: 'gpt', to: null }]);
});

test('the substitute cannot be one of the retired targets', () => {
  assert.throws(() => plan(['gpt'], 'gpt'));
});
