import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_TIER_POLICY, UNDEGRADED } from '@/lib/routing/defaults';
import { planRoute } from '@/lib/routing/plan';
import type { ChatRequest } from './openai-schema';
import type { SnapshotChainEntry, SnapshotOverride, SnapshotService, SnapshotTarget, TierPolicy, TierRule } from '@/lib/routing/model';
import { capMaxTokens, decideTier, preferTarget, wantsQueue } from './tier-policy';

const rule: TierRule = { match: 'contains', pattern: 'hours', answer: '9 to 5' };
const policy: TierPolicy = { ...DEFAULT_TIER_POLICY, degradedTargetId: 'small', degradedMaxTokens: 256, retryAfterSeconds: 45, maintenanceMessage: 'Down for maintenance.' };
const none = { cached: () => null, rule: () => null, wantsQueue: false };

describe('decideTier', () => {
  it('Full routes unchanged and looks nothing up', () => {
    const lookups = { cached: () => assert.fail('no cache lookup in Full'), rule: () => assert.fail('no rule lookup in Full'), wantsQueue: true };
    assert.deepEqual(decideTier('full', policy, lookups), { kind: 'route', preferTargetId: null, maxTokens: null });
  });

  it('Degraded routes to the degraded target first, with the max_tokens cap', () => {
    assert.deepEqual(decideTier('degraded', policy, none), { kind: 'route', preferTargetId: 'small', maxTokens: 256 });
    assert.deepEqual(decideTier('degraded', DEFAULT_TIER_POLICY, none), { kind: 'route', preferTargetId: null, maxTokens: 512 });
  });

  it('Minimal serves the cache first, then a rule, then refuses with the Retry-After', () => {
    assert.deepEqual(decideTier('minimal', policy, { cached: () => 'answer', rule: () => rule, wantsQueue: false }), { kind: 'cache', cached: 'answer' });
    assert.deepEqual(decideTier('minimal', policy, { cached: () => null, rule: () => rule, wantsQueue: false }), { kind: 'rule', rule });
    assert.deepEqual(decideTier('minimal', policy, none), { kind: 'refuse', retryAfterSeconds: 45 });
  });

  it('Minimal never queues, even when asked', () => {
    assert.equal(decideTier('minimal', policy, { ...none, wantsQueue: true }).kind, 'refuse');
  });

  it('Emergency answers with the maintenance message, and queues only clients that ask when the queue is on', () => {
    assert.deepEqual(decideTier('emergency', policy, none), { kind: 'maintenance', retryAfterSeconds: 45, message: 'Down for maintenance.', queue: 'not_asked' });
    assert.deepEqual(decideTier('emergency', policy, { ...none, wantsQueue: true }), { kind: 'queue', ttlSeconds: 86_400 });
    assert.deepEqual(decideTier('emergency', { ...policy, queueEnabled: false }, { ...none, wantsQueue: true }), {
      kind: 'maintenance', retryAfterSeconds: 45, message: 'Down for maintenance.', queue: 'disabled',
    });
  });

  it('Emergency serves no cached answer', () => {
    assert.equal(decideTier('emergency', policy, { cached: () => 'answer', rule: () => rule, wantsQueue: false }).kind, 'maintenance');
  });
});

describe('capMaxTokens', () => {
  const base = { model: 'svc', messages: [{ role: 'user', content: 'hi' }] } as ChatRequest;

  it('caps both fields, keeping lower client values', () => {
    assert.deepEqual(capMaxTokens({ ...base, max_tokens: 4000, max_completion_tokens: 100 }, 256), { ...base, max_tokens: 256, max_completion_tokens: 100 });
    assert.deepEqual(capMaxTokens({ ...base, max_completion_tokens: 1000 }, 256), { ...base, max_completion_tokens: 256 });
  });

  it('adds max_tokens when the client named no limit', () => {
    assert.deepEqual(capMaxTokens(base, 256), { ...base, max_tokens: 256 });
    assert.deepEqual(capMaxTokens({ ...base, max_tokens: null }, 256), { ...base, max_tokens: 256 });
  });

  it('leaves the original request untouched', () => {
    const request = { ...base, max_tokens: 4000 };
    capMaxTokens(request, 256);
    assert.equal(request.max_tokens, 4000);
  });
});

describe('preferTarget, through the planner', () => {
  const target = (id: string, enabled = true): SnapshotTarget => ({ id, name: id, enabled }) as SnapshotTarget;
  const entry = (targetId: string, position: number, headerMs = 5_000): SnapshotChainEntry => ({
    targetId, position, failoverOn: ['server_error'], latencyLimitMs: null, budget: { maxRetries: 1, baseBackoffMs: 10, maxBackoffMs: 100 },
    timeouts: { connectMs: 1_000, headerMs, firstTokenMs: 1_000, streamIdleMs: 1_000, totalMs: 10_000 },
  });
  const targets = new Map(['big', 'backup', 'small'].map((id) => [id, target(id)]));
  const service: SnapshotService = { id: 'svc', name: 'svc', enabled: true, routingVersion: 1, degradation: UNDEGRADED, chain: [entry('big', 0, 7_000), entry('backup', 1), entry('small', 2)] };
  const order = (s: SnapshotService, overrides: SnapshotOverride[] = [], open = new Set<string>(), ts = targets) =>
    planRoute(s, ts, overrides, (id) => (open.has(id) ? 'open' : 'closed'), 0).candidates.map((c) => c.target.id);
  const override = (kind: SnapshotOverride['kind'], targetId: string, serviceId: string | null = 'svc'): SnapshotOverride => ({
    id: kind, kind, serviceId, targetId, reason: 'test', createdBy: 'op', createdAt: 1, expiresAt: null,
  });

  it('moves a degraded target listed in the chain to the head, the rest in order', () => {
    assert.deepEqual(order(preferTarget(service, 'small')), ['small', 'big', 'backup']);
  });

  it("adds a degraded target missing from the chain, with the first entry's triggers and timeouts", () => {
    const short = { ...service, chain: [entry('big', 0, 7_000), entry('backup', 1)] };
    const preferred = preferTarget(short, 'small');
    assert.deepEqual(order(preferred), ['small', 'big', 'backup']);
    assert.equal(preferred.chain[0].timeouts.headerMs, 7_000);
    assert.deepEqual(preferred.chain[0].failoverOn, ['server_error']);
  });

  it('skips a degraded target that is disabled, drained or breaker-open: the chain as usual', () => {
    assert.deepEqual(order(preferTarget(service, 'small'), [], new Set(), new Map([...targets, ['small', target('small', false)]])), ['big', 'backup']);
    assert.deepEqual(order(preferTarget(service, 'small'), [override('drain', 'small', null)]), ['big', 'backup']);
    assert.deepEqual(order(preferTarget(service, 'small'), [], new Set(['small'])), ['big', 'backup']);
  });

  it("leaves an operator's pin in charge", () => {
    assert.deepEqual(order(preferTarget(service, 'small'), [override('pin', 'backup')]), ['backup']);
  });

  it('changes nothing without a degraded target', () => {
    assert.equal(preferTarget(service, null), service);
  });
});

describe('wantsQueue', () => {
  it('reads x-standby-queue: true, 1 or yes', () => {
    assert.deepEqual(['true', 'TRUE', ' 1 ', 'yes'].map(wantsQueue), [true, true, true, true]);
    assert.deepEqual([undefined, '', 'false', '0', 'queue'].map(wantsQueue), [false, false, false, false, false]);
    assert.equal(wantsQueue(['true', 'false']), true);
  });
});
