import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { collectChanges, type ChangeRows } from './changes';

const now = new Date('2026-03-10T12:00:00Z');
const since = new Date('2026-03-10T11:00:00Z');
const at = (hhmm: string) => new Date(`2026-03-10T${hhmm}:00Z`);
const none: ChangeRows = { tiers: [], breakers: [], overrides: [], alerts: [], audit: [] };

describe('what changed in the last hour', () => {
  test('every kind of change in one list, newest first, each linking to its service or target', () => {
    const { items, truncated } = collectChanges(
      {
        tiers: [{ id: '1', serviceName: 'support-bot', at: at('11:10'), from: 'full', to: 'degraded', cause: 'automatic', actor: 'system', reason: null, level: 0.42 }],
        breakers: [{ id: '7', targetName: 'openai-east', services: ['support-bot'], from: 'closed', to: 'open', at: at('11:05'), cause: 'failure rate 0.8 over 20 requests' }],
        overrides: [
          { id: 'o1', kind: 'pin', serviceName: 'support-bot', targetName: 'azure-west', reason: 'provider incident', createdBy: 'sre@x', createdAt: at('11:20'), expiresAt: at('13:00'), clearedAt: null, clearedBy: null },
        ],
        alerts: [{ id: 'a1', serviceName: 'support-bot', severity: 'page', rule: 'page-1h', openedAt: at('11:15'), resolvedAt: at('11:40'), longBurn: 24.59, shortBurn: 250 }],
        audit: [{ id: '9', at: at('11:50'), actorEmail: 'ops@x', action: 'target.update', entityType: 'target', entityName: 'openai-east', reason: 'raise timeout' }],
      },
      since, now, 50,
    );
    assert.equal(truncated, false);
    assert.deepEqual(items.map((i) => [i.at.slice(11, 16), i.kind, i.title]), [
      ['11:50', 'config', 'ops@x updated target openai-east'],
      ['11:40', 'alert', 'support-bot: burn-rate alert Page page-1h resolved'],
      ['11:20', 'override', 'Override: support-bot pinned to azure-west'],
      ['11:15', 'alert', 'support-bot: burn-rate alert Page page-1h opened'],
      ['11:10', 'tier', 'support-bot: tier Full → Degraded'],
      ['11:05', 'breaker', 'openai-east: breaker closed → open'],
    ]);
    const byKind = Object.fromEntries(items.map((i) => [`${i.kind}-${i.at.slice(11, 16)}`, i]));
    assert.equal(byKind['tier-11:10'].detail, 'Automatic (capacity 42% of demand)');
    assert.equal(byKind['tier-11:10'].tone, 'yellow');
    assert.equal(byKind['alert-11:15'].detail, 'Burning 24.6× over the long window, 250× over the short one');
    assert.equal(byKind['override-11:20'].detail, 'By sre@x: provider incident, until 13:00 UTC');
    assert.deepEqual(byKind['breaker-11:05'].links, [
      { label: 'openai-east', href: '/targets/openai-east' },
      { label: 'support-bot', href: '/services/support-bot' },
    ]);
    assert.deepEqual(byKind['config-11:50'].links, [{ label: 'openai-east', href: '/targets/openai-east' }]);
  });

  test('an override set before the hour appears only when it is cleared or expires inside it', () => {
    const base = { kind: 'drain' as const, serviceName: null, targetName: 'gpu-1', reason: '', createdBy: 'a@x', clearedBy: 'b@x' };
    const { items } = collectChanges(
      {
        ...none,
        overrides: [
          { ...base, id: 'cleared', createdAt: at('10:00'), expiresAt: null, clearedAt: at('11:30') },
          { ...base, id: 'expired', createdAt: at('10:00'), expiresAt: at('11:45'), clearedAt: null },
          { ...base, id: 'not-yet', createdAt: at('10:00'), expiresAt: at('12:30'), clearedAt: null },
          { ...base, id: 'cleared-before-expiry', createdAt: at('10:00'), expiresAt: at('11:50'), clearedAt: at('10:30') },
        ],
      },
      since, now, 50,
    );
    assert.deepEqual(items.map((i) => [i.id, i.title, i.detail]), [
      ['override-expired-expired', 'Override ended: gpu-1 drained', 'Expired'],
      ['override-cleared-cleared', 'Override ended: gpu-1 drained', 'Cleared by b@x'],
    ]);
  });

  test('a recovery is teal, a tier set by hand says who and why, and older rows are left out', () => {
    const { items } = collectChanges(
      {
        ...none,
        tiers: [
          { id: '2', serviceName: 's', at: at('11:30'), from: 'emergency', to: 'full', cause: 'override', actor: 'sre@x', reason: 'drill over', level: null },
          { id: '3', serviceName: 's', at: at('10:59'), from: 'full', to: 'emergency', cause: 'automatic', actor: 'system', reason: null, level: 0 },
        ],
      },
      since, now, 50,
    );
    assert.deepEqual(items.map((i) => [i.tone, i.detail]), [['teal', 'Set by sre@x: drill over']]);
  });

  test('at most `limit` items, saying more happened', () => {
    const breakers = Array.from({ length: 5 }, (_, i) => ({ id: String(i), targetName: `t${i}`, services: [], from: 'closed' as const, to: 'open' as const, at: at(`11:0${i}`), cause: '' }));
    const { items, truncated } = collectChanges({ ...none, breakers }, since, now, 3);
    assert.equal(truncated, true);
    assert.deepEqual(items.map((i) => i.id), ['breaker-4', 'breaker-3', 'breaker-2']);
  });

  test('a flapping breaker is one line saying how often, since when and where it stands; a change of another target stays its own line', () => {
    const states = ['open', 'half_open'] as const;
    const flaps = Array.from({ length: 22 }, (_, i) => ({
      id: `f${i}`, targetName: 'openai-east', services: ['support-bot'], from: states[(i + 1) % 2], to: states[i % 2], at: new Date(at('11:10').getTime() + i * 10_000), cause: i % 2 ? 'open for 15 s' : 'a half-open probe failed',
    }));
    const other = { id: 'x', targetName: 'azure-west', services: [], from: 'closed' as const, to: 'open' as const, at: at('11:30'), cause: 'failure rate 60%' };
    const { items, truncated } = collectChanges({ ...none, breakers: [...flaps.reverse(), other] }, since, now, 10);
    assert.equal(truncated, false);
    assert.deepEqual(items.map((i) => [i.title, i.count ?? 1]), [
      ['azure-west: breaker closed → open', 1],
      ['openai-east: breaker changed state 22 times, now half-open', 22],
    ]);
    assert.equal(items[1].detail, 'Since 11:10 UTC. Latest: open for 15 s');
    assert.deepEqual(items[1].links.map((l) => l.href), ['/targets/openai-east', '/services/support-bot']);
  });
});
