import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateWindow } from './rate-window';

test('a key gets the limit per window, then waits for the window to end; other keys are unaffected', () => {
  const limit = new RateWindow(3, 60_000);
  assert.deepEqual([0, 1, 2].map((i) => limit.take('a', 1_000 + i).ok), [true, true, true]);
  assert.deepEqual(limit.take('a', 11_000), { ok: false, retryAfterMs: 50_000 });
  assert.equal(limit.take('b', 11_000).ok, true);
  assert.equal(limit.take('a', 61_000).ok, true, 'a new window');
});

test('memory stays bounded: the oldest windows go first', () => {
  const limit = new RateWindow(1, 60_000, 2);
  limit.take('a', 0);
  limit.take('b', 0);
  limit.take('c', 0);
  assert.equal(limit.take('a', 1).ok, true, "a's window was dropped, so it starts again");
  assert.equal(limit.take('c', 1).ok, false);
});
