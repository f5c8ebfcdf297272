import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeConfigDiff, describeSummary, hasChanges, summarizeDiff, touchesChain, touchesDegradation } from './diff';
import { configDocument, type ConfigDoc } from './schema';

const target = (name: string, extra: Record<string, unknown> = {}) => ({
  name, provider: 'openai', region: 'us-east', model: 'gpt-4o', endpointUrl: 'https://api.openai.com/v1', rpm: 500, tpm: 300_000,
  contextWindow: 128_000, price: { inPerMTok: 2.5, outPerMTok: 10 }, qualityClass: 'frontier', ...extra,
});

function doc(overrides: Record<string, unknown> = {}): ConfigDoc {
  return configDocument.parse({
    apiVersion: 'standby/v1',
    kind: 'RoutingConfig',
    providers: [{ name: 'openai', kind: 'openai', apiStyle: 'openai_chat' }],
    regions: [{ code: 'us-east', name: 'US East' }],
    targets: [target('alpha'), target('beta')],
    services: [{ name: 'support-bot', chain: [{ target: 'alpha', failoverOn: ['server_error', 'rate_limited'] }, { target: 'beta', failoverOn: [] }] }],
    ...overrides,
  });
}

test('the same configuration gives no changes at all', () => {
  assert.deepEqual(computeConfigDiff(doc(), doc()), []);
  assert.deepEqual(computeConfigDiff(doc(), doc(), { prune: true }), []);
});

test('an update lists exactly the fields that differ, nested settings as dotted fields', () => {
  const desired = doc({ targets: [target('alpha', { rpm: 900, breaker: { failureRate: 0.25 } }), target('beta')] });
  assert.deepEqual(computeConfigDiff(doc(), desired), [
    { kind: 'update', entity: 'target', name: 'alpha', changes: [{ field: 'rpm', from: 500, to: 900 }, { field: 'breaker.failureRate', from: 0.5, to: 0.25 }] },
  ]);
});

test('the order error classes are written in is not a change', () => {
  const reordered = doc({ services: [{ name: 'support-bot', chain: [{ target: 'alpha', failoverOn: ['rate_limited', 'server_error'] }, { target: 'beta', failoverOn: [] }] }] });
  assert.deepEqual(computeConfigDiff(doc(), reordered), []);
});

test('moving a target in a chain is one change of the chain; an entry setting is named by its target', () => {
  const desired = doc({
    services: [{ name: 'support-bot', chain: [{ target: 'beta', failoverOn: [] }, { target: 'alpha', failoverOn: ['server_error', 'rate_limited'], retries: { max: 5 } }] }],
  });
  const [change] = computeConfigDiff(doc(), desired);
  assert.equal(change.kind, 'update');
  assert.deepEqual(change.changes, [
    { field: 'chain', from: ['alpha', 'beta'], to: ['beta', 'alpha'] },
    { field: 'chain[alpha].retries.max', from: 2, to: 5 },
  ]);
});

test('a create lists every field it sets (not the name); a chain entry added to a service lists its settings', () => {
  const desired = doc({ regions: [{ code: 'us-east', name: 'US East' }, { code: 'eu-west', name: 'EU West', location: 'Dublin' }] });
  assert.deepEqual(computeConfigDiff(doc(), desired), [
    { kind: 'create', entity: 'region', name: 'eu-west', changes: [{ field: 'name', from: null, to: 'EU West' }, { field: 'location', from: null, to: 'Dublin' }, { field: 'enabled', from: null, to: true }] },
  ]);
  const longer = doc({ services: [{ name: 'support-bot', chain: [{ target: 'alpha', failoverOn: ['server_error', 'rate_limited'] }, { target: 'beta', failoverOn: [] }, { target: 'gamma', failoverOn: [] }] }], targets: [target('alpha'), target('beta'), target('gamma')] });
  const service = computeConfigDiff(doc(), longer).find((c) => c.entity === 'service')!;
  assert.deepEqual(service.changes[0], { field: 'chain', from: ['alpha', 'beta'], to: ['alpha', 'beta', 'gamma'] });
  assert.ok(service.changes.some((c) => c.field === 'chain[gamma].timeouts.totalMs' && c.from === null && c.to === 120_000));
});

test('what the file leaves out is unmanaged by default and deleted only with prune', () => {
  const partial = doc({ targets: [target('alpha'), target('beta')], services: [] });
  assert.deepEqual(computeConfigDiff(doc(), partial), [{ kind: 'unmanaged', entity: 'service', name: 'support-bot', changes: [] }]);
  assert.deepEqual(computeConfigDiff(doc(), partial, { prune: true }), [{ kind: 'delete', entity: 'service', name: 'support-bot', changes: [] }]);
});

test('changes come in dependency order, then by name', () => {
  const desired = doc({
    providers: [{ name: 'openai', kind: 'openai', apiStyle: 'openai_chat', notes: 'primary' }],
    targets: [target('zeta'), target('alpha', { enabled: false }), target('beta')],
  });
  assert.deepEqual(computeConfigDiff(doc(), desired).map((c) => `${c.kind} ${c.entity} ${c.name}`), ['update provider openai', 'update target alpha', 'create target zeta']);
});

test('summaries count each kind; unmanaged entries are not changes', () => {
  const desired = doc({ targets: [target('alpha', { rpm: 1 }), target('gamma')], services: [] });
  const diff = computeConfigDiff(doc(), desired);
  assert.deepEqual(summarizeDiff(diff), { create: 1, update: 1, delete: 0, unmanaged: 2 });
  assert.equal(describeSummary(summarizeDiff(diff)), '1 to create, 1 to update; 2 left alone (not in the file)');
  assert.equal(hasChanges(diff), true);
  assert.equal(hasChanges([{ kind: 'unmanaged', entity: 'target', name: 'x', changes: [] }]), false);
  assert.equal(describeSummary(summarizeDiff([])), 'no changes');
});

test('SLO, declared availability and degradation changes read as dotted fields; rules as one line each', () => {
  const rule = { match: 'contains', pattern: 'hours', answer: 'Nine to five.' };
  const desired = doc({
    targets: [target('alpha', { declaredAvailability: 99.9 }), target('beta')],
    services: [{
      name: 'support-bot',
      slo: { target: 99.5 },
      degradation: { degradedTarget: 'beta', thresholds: { hysteresis: 0.2 }, rules: [rule] },
      chain: [{ target: 'alpha', failoverOn: ['server_error', 'rate_limited'] }, { target: 'beta', failoverOn: [] }],
    }],
  });
  assert.deepEqual(computeConfigDiff(doc(), desired), [
    { kind: 'update', entity: 'target', name: 'alpha', changes: [{ field: 'declaredAvailability', from: null, to: 99.9 }] },
    {
      kind: 'update', entity: 'service', name: 'support-bot', changes: [
        { field: 'slo.target', from: 99.9, to: 99.5 },
        { field: 'degradation.thresholds.hysteresis', from: 0.1, to: 0.2 },
        { field: 'degradation.degradedTarget', from: null, to: 'beta' },
        { field: 'degradation.rules', from: [], to: ['{"match":"contains","pattern":"hours","answer":"Nine to five."}'] },
      ],
    },
  ]);
  assert.ok(touchesDegradation(computeConfigDiff(doc(), desired)[1]));
  assert.ok(!touchesChain(computeConfigDiff(doc(), desired)[1]));
});
