import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorsOf } from '@/lib/server/errors';
import { chainEntryInput, chainInput, DEFAULT_CHAIN_ENTRY, steerInput } from './schemas';

const SERVICE = '00000000-0000-4000-8000-000000000001';
const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';

const errorsOf = (result: { success: boolean; error?: Parameters<typeof fieldErrorsOf>[0] }) => (result.success ? {} : fieldErrorsOf(result.error!));

test('the default chain entry is valid and keeps no latency limit', () => {
  const parsed = chainEntryInput.parse({ ...DEFAULT_CHAIN_ENTRY, targetId: A });
  assert.equal(parsed.latencyLimitMs, null);
  assert.equal(chainEntryInput.parse({ ...DEFAULT_CHAIN_ENTRY, targetId: A, latencyLimitMs: '' }).latencyLimitMs, null);
});

test('a chain entry reports every problem at once, cross-field ones included', () => {
  const errors = errorsOf(chainEntryInput.safeParse({ ...DEFAULT_CHAIN_ENTRY, targetId: A, maxRetries: 11, baseBackoffMs: 2_000, maxBackoffMs: 1_000, headerTimeoutMs: 90_000, totalTimeoutMs: 60_000, latencyLimitMs: 50 }));
  assert.deepEqual(Object.keys(errors).sort(), ['latencyLimitMs', 'maxBackoffMs', 'maxRetries', 'totalTimeoutMs']);
  assert.deepEqual(errors.maxBackoffMs, ['The maximum backoff cannot be shorter than the base backoff.']);
});

test('a chain needs 1 to 20 distinct targets', () => {
  const entry = (targetId: string) => ({ ...DEFAULT_CHAIN_ENTRY, targetId });
  assert.ok(chainInput.safeParse({ serviceId: SERVICE, version: 1, entries: [entry(A), entry(B)] }).success);
  assert.deepEqual(Object.keys(errorsOf(chainInput.safeParse({ serviceId: SERVICE, version: 1, entries: [] }))), ['entries']);
  assert.deepEqual(Object.keys(errorsOf(chainInput.safeParse({ serviceId: SERVICE, version: 1, entries: [entry(A), entry(B), entry(A)] }))), ['entries.2.targetId']);
  const many = Array.from({ length: 21 }, (_, i) => entry(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`));
  assert.deepEqual(Object.keys(errorsOf(chainInput.safeParse({ serviceId: SERVICE, version: 1, entries: many }))), ['entries']);
});

test('steering requires a reason, a target for pin and drain, and a sane expiry', () => {
  const base = { serviceId: SERVICE, expectedRoutingVersion: 3 };
  assert.ok(steerInput.safeParse({ ...base, kind: 'force_failover', reason: 'primary slow' }).success);
  assert.equal(steerInput.parse({ ...base, kind: 'clear', reason: 'done', expiresInMinutes: '' }).expiresInMinutes, undefined);
  assert.equal(steerInput.parse({ ...base, kind: 'pin', targetId: A, reason: 'known good', expiresInMinutes: '60' }).expiresInMinutes, 60);
  assert.deepEqual(Object.keys(errorsOf(steerInput.safeParse({ ...base, kind: 'pin', reason: '' }))).sort(), ['reason', 'targetId']);
  assert.deepEqual(Object.keys(errorsOf(steerInput.safeParse({ ...base, kind: 'drain', targetId: A, reason: 'x'.repeat(501) }))), ['reason']);
  assert.deepEqual(Object.keys(errorsOf(steerInput.safeParse({ ...base, kind: 'force_failover', reason: 'fine', expiresInMinutes: 10_081 }))), ['expiresInMinutes']);
  assert.deepEqual(Object.keys(errorsOf(steerInput.safeParse({ ...base, kind: 'flip', reason: 'fine' }))), ['kind']);
});
