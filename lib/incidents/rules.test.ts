import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectSignals, DEFAULT_RULE_CONFIG, partitionDrillSignals, planSignals, type Signal, type WatchInputs } from './rules';

const now = 1_000_000_000;
const inputs = (over: Partial<WatchInputs> = {}): WatchInputs => ({
  now,
  services: [
    { id: 'svc-a', name: 'support-bot', enabled: true, chainTargetIds: ['gpt', 'claude'], servable: true },
    { id: 'svc-b', name: 'code-assistant', enabled: true, chainTargetIds: ['claude', 'gpt'], servable: true },
  ],
  targets: new Map([
    ['gpt', { id: 'gpt', name: 'openai-gpt-4o', selfHosted: false }],
    ['claude', { id: 'claude', name: 'anthropic-sonnet', selfHosted: false }],
    ['llama', { id: 'llama', name: 'vllm-llama', selfHosted: true }],
  ]),
  breakers: new Map(),
  alerts: [],
  unservableSince: {},
  ...over,
});

test("a primary's breaker opens an incident only once it has been out of closed longer than the rule's time", () => {
  const young = collectSignals(inputs({ breakers: new Map([['gpt', { state: 'open', leftClosedAt: now - 59_000 }]]) }));
  assert.equal(young.signals.length, 0);
  const old = collectSignals(inputs({ breakers: new Map([['gpt', { state: 'open', leftClosedAt: now - 60_000 }]]) }));
  assert.equal(old.signals.length, 1);
  assert.equal(old.signals[0].rule, 'primary_breaker');
  assert.equal(old.signals[0].serviceId, 'svc-a', 'gpt is the primary of support-bot only');
  assert.equal(old.signals[0].key, `primary_breaker:svc-a:gpt:${now - 60_000}`);
  assert.equal(old.signals[0].failureMode, 'provider_outage');
});

test('a breaker flapping between open and half-open counts from when it left closed; a closed one or an open fallback is no signal', () => {
  assert.equal(collectSignals(inputs({ breakers: new Map([['gpt', { state: 'half_open', leftClosedAt: now - 600_000 }]]) })).signals.length, 1, 'half-open trials failing for ten minutes: still down');
  assert.equal(collectSignals(inputs({ breakers: new Map([['gpt', { state: 'closed', leftClosedAt: now - 600_000 }]]) })).signals.length, 0);
  // claude is support-bot's fallback (and code-assistant's primary): only code-assistant signals.
  const signals = collectSignals(inputs({ breakers: new Map([['claude', { state: 'open', leftClosedAt: now - 120_000 }]]) })).signals;
  assert.deepEqual(signals.map((s) => s.serviceId), ['svc-b']);
});

test('a self-hosted primary suggests a GPU or node failure', () => {
  const s = collectSignals(inputs({
    services: [{ id: 'svc-c', name: 'doc', enabled: true, chainTargetIds: ['llama'], servable: true }],
    breakers: new Map([['llama', { state: 'open', leftClosedAt: now - 90_000 }]]),
  }));
  assert.equal(s.signals[0].failureMode, 'gpu_node_failure');
});

test('only page-level alerts open incidents, not ticket-level ones', () => {
  const alerts = [
    { id: 'al-1', serviceId: 'svc-a', severity: 'page' as const, rule: 'page-1h', openedAt: now - 1_000, longBurn: 20, shortBurn: 31 },
    { id: 'al-2', serviceId: 'svc-b', severity: 'ticket' as const, rule: 'ticket-3d', openedAt: now - 1_000, longBurn: 1.2, shortBurn: 1.5 },
  ];
  const s = collectSignals(inputs({ alerts }));
  assert.deepEqual(s.signals.map((x) => x.key), ['alert:al-1']);
});

test('a service nothing can serve signals after the grace time, keyed by when it started', () => {
  const unservable = inputs({ services: [{ id: 'svc-a', name: 'support-bot', enabled: true, chainTargetIds: ['gpt'], servable: false }] });
  const first = collectSignals(unservable);
  assert.equal(first.signals.length, 0, 'just seen: within the grace time');
  assert.deepEqual(first.unservableSince, { 'svc-a': now });
  const later = collectSignals({ ...unservable, now: now + DEFAULT_RULE_CONFIG.unservableMs, unservableSince: first.unservableSince });
  assert.equal(later.signals[0].key, `unservable:svc-a:${now}`);
  // Servable again: forgotten, so a later outage is a new signal.
  assert.deepEqual(collectSignals(inputs({ unservableSince: first.unservableSince })).unservableSince, {});
});

test('a disabled service or one without a chain signals nothing', () => {
  const s = collectSignals(inputs({ services: [{ id: 'x', name: 'x', enabled: false, chainTargetIds: ['gpt'], servable: false }, { id: 'y', name: 'y', enabled: true, chainTargetIds: [], servable: false }] }));
  assert.equal(s.signals.length, 0);
});

const signal = (over: Partial<Signal>): Signal => ({ key: 'k', rule: 'primary_breaker', serviceId: 'svc-a', serviceName: 'support-bot', targetId: 'gpt', at: now, text: '', failureMode: null, ...over });

test('signals of the same service join its open incident instead of opening another', () => {
  const decisions = planSignals([signal({ key: 'alert:1', rule: 'page_alert', targetId: null })], [{ id: 'inc-1', serviceId: 'svc-a', targetIds: [] }], new Set());
  assert.deepEqual(decisions, [{ kind: 'join', incidentId: 'inc-1', signal: signal({ key: 'alert:1', rule: 'page_alert', targetId: null }) }]);
});

test('a signal about the same target joins the incident already about it, whatever the service', () => {
  const decisions = planSignals([signal({ key: 'b', serviceId: 'svc-b', targetId: 'gpt' })], [{ id: 'inc-1', serviceId: 'svc-a', targetIds: ['gpt'] }], new Set());
  assert.equal(decisions[0].kind, 'join');
});

test('several signals at once for one service open one incident', () => {
  const decisions = planSignals([signal({ key: 'a' }), signal({ key: 'b', rule: 'page_alert', targetId: null }), signal({ key: 'c', serviceId: 'svc-b', targetId: 'claude' })], [], new Set());
  assert.equal(decisions.length, 2);
  assert.equal(decisions[0].kind, 'open');
  assert.deepEqual(decisions[0].kind === 'open' && decisions[0].joined.map((s) => s.key), ['b']);
  assert.equal(decisions[1].kind === 'open' && decisions[1].signal.serviceId, 'svc-b');
});

test('a handled signal is never handled again (no second incident after the first is resolved)', () => {
  assert.deepEqual(planSignals([signal({ key: 'a' })], [], new Set(['a'])), []);
});

test('signals a drill caused join its drill incident; others, and those from before it started, open real incidents (issue 14)', () => {
  const signal = (over: Partial<Signal>): Signal => ({ key: 'k', rule: 'primary_breaker', serviceId: 'svc', serviceName: 'support-bot', targetId: 't1', at: 2_000, text: '', failureMode: 'provider_outage', ...over });
  const drills = [{ incidentId: 'drill-inc', serviceId: 'svc', targetIds: ['t1'], startedAt: 1_000 }];
  const { real, drill } = partitionDrillSignals([
    signal({ key: 'by-service' }),
    signal({ key: 'by-target', serviceId: 'other', targetId: 't1' }),
    signal({ key: 'elsewhere', serviceId: 'other', targetId: 't9' }),
    signal({ key: 'before', at: 500 }),
  ], drills);
  assert.deepEqual(drill.map((d) => [d.signal.key, d.incidentId]), [['by-service', 'drill-inc'], ['by-target', 'drill-inc']]);
  assert.deepEqual(real.map((s) => s.key), ['elsewhere', 'before']);
  assert.deepEqual(partitionDrillSignals([signal({})], []).real.length, 1);
});
