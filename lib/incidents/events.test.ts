import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveEntries, type Names, type Watched } from './events';

const names: Names = { service: (id) => ({ s1: 'support-bot', s2: 'code-assistant' })[id ?? ''] ?? '?', target: (id) => ({ t1: 'openai-gpt-4o-us-east', t2: 'anthropic-sonnet' })[id ?? ''] ?? '?' };
const now = Date.parse('2026-12-14T10:00:00Z');
const at = (s: number) => new Date(now - s * 1000);
const watched: Watched[] = [{ incidentId: 'inc', from: now - 600_000, serviceIds: new Set(['s1']), targetIds: new Set(['t1']) }];
const empty = { breakers: [], tiers: [], overrides: [], alerts: [], episodes: [] };

test('breaker transitions of watched targets, at their own time; only the first opening and the closing are curated', () => {
  const entries = deriveEntries(watched, {
    ...empty,
    breakers: [
      { id: 1n, targetId: 't1', from: 'closed', to: 'open', at: at(60), cause: '5 failures in a row (threshold 5)', replica: 'r1' },
      { id: 2n, targetId: 't1', from: 'open', to: 'half_open', at: at(45), cause: 'open time over', replica: 'r1' },
      { id: 3n, targetId: 't2', from: 'closed', to: 'open', at: at(30), cause: 'x', replica: 'r1' },
      { id: 4n, targetId: 't1', from: 'half_open', to: 'open', at: at(29), cause: 'a half-open probe failed', replica: 'r1' },
      { id: 5n, targetId: 't1', from: 'half_open', to: 'closed', at: at(10), cause: '3 successes', replica: 'r1' },
    ],
  }, names, now);
  assert.deepEqual(entries.map((e) => [e.sourceKey, e.curated]), [['breaker:1', true], ['breaker:2', false], ['breaker:4', false], ['breaker:5', true]]);
  assert.equal(entries[0].text, 'Breaker of openai-gpt-4o-us-east opened (5 failures in a row (threshold 5))');
  assert.equal(entries[0].at.getTime(), now - 60_000);
});

test('rows from before the incident\'s window are left out', () => {
  const entries = deriveEntries(watched, { ...empty, breakers: [{ id: 9, targetId: 't1', from: 'closed', to: 'open', at: at(601), cause: '', replica: 'r' }] }, names, now);
  assert.equal(entries.length, 0);
});

test('overrides: a drain of a watched target counts whatever service it came from; an end is its own entry; a future expiry is not an end', () => {
  const entries = deriveEntries(watched, {
    ...empty,
    overrides: [
      { id: 'o1', kind: 'drain', serviceId: null, targetId: 't1', reason: 'provider down', createdBy: 'oscar@x', createdAt: at(50), expiresAt: null, clearedAt: at(10), clearedBy: 'cora@x' },
      { id: 'o2', kind: 'force_failover', serviceId: 's1', targetId: 't1', reason: '', createdBy: 'cora@x', createdAt: at(40), expiresAt: new Date(now + 60_000), clearedAt: null, clearedBy: null },
      { id: 'o3', kind: 'pin', serviceId: 's2', targetId: 't2', reason: '', createdBy: 'x', createdAt: at(40), expiresAt: null, clearedAt: null, clearedBy: null },
    ],
  }, names, now);
  assert.deepEqual(entries.map((e) => e.text), [
    'oscar@x drained openai-gpt-4o-us-east (every service using it): provider down',
    'cora@x ended the drain of openai-gpt-4o-us-east',
    'cora@x forced support-bot to fail over away from openai-gpt-4o-us-east',
  ]);
});

test('tier changes and alerts of watched services; episodes only when linked to this incident', () => {
  const entries = deriveEntries(watched, {
    ...empty,
    tiers: [{ id: 5, serviceId: 's1', from: 'full', to: 'degraded', at: at(20), cause: 'automatic', level: 0.42, actor: 'standby', reason: null }],
    alerts: [{ id: 'a1', serviceId: 's1', rule: 'page-1h', severity: 'page', openedAt: at(30), resolvedAt: null, longBurn: 20.3, shortBurn: 150 }],
    episodes: [
      { id: 'e1', incidentId: 'inc', componentName: 'support-bot routing', disruption: 'provider_outage', startedAt: at(70), detectedAt: at(60), activatedAt: at(59), restoredAt: null, failedRequests: 3 },
      { id: 'e2', incidentId: 'other', componentName: 'x', disruption: 'provider_outage', startedAt: at(70), detectedAt: null, activatedAt: null, restoredAt: null, failedRequests: 0 },
    ],
  }, names, now);
  assert.deepEqual(entries.map((e) => e.sourceKey), ['tier:5', 'alert:a1:open', 'episode:e1:start', 'episode:e1:detect', 'episode:e1:activate']);
  assert.equal(entries[0].text, 'support-bot: tier Full → Degraded (automatic, D = 0.42)');
  assert.match(entries[1].text, /20\.3x over the long window, 150x over the short one/);
});
