import { test } from 'node:test';
import assert from 'node:assert/strict';
import { afterFailure, lockMessage, lockRemainingMs } from './throttle';

const policy = { maxFailures: 3, lockMinutes: 15, windowMinutes: 15 };
const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 12, minutes));

test('locks after the configured number of failures within the window', () => {
  let state = afterFailure(null, at(0), policy);
  assert.equal(state.lockedUntil, null);
  state = afterFailure(state, at(1), policy);
  assert.equal(state.lockedUntil, null);
  state = afterFailure(state, at(2), policy);
  assert.deepEqual(state.lockedUntil, at(17));
  assert.equal(lockRemainingMs(state, at(10)), 7 * 60_000);
  assert.equal(lockRemainingMs(state, at(17)), 0);
});

test('failures older than the window are forgotten', () => {
  let state = afterFailure(null, at(0), policy);
  state = afterFailure(state, at(1), policy);
  state = afterFailure(state, at(30), policy);
  assert.equal(state.failures, 1);
  assert.equal(state.lockedUntil, null);
});

test('no state means no lock', () => {
  assert.equal(lockRemainingMs(null, at(0)), 0);
});

test('the lock message says how long to wait', () => {
  assert.match(lockMessage(61_000), /Try again in 2 minutes/);
  assert.match(lockMessage(30_000), /Try again in 1 minute,/);
});
