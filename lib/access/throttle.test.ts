import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lockMessage } from './throttle';

// The counting itself runs in PostgreSQL (reserveAttemptSql): access.integration.test.ts covers it, concurrency included.
test('the lock message says how long to wait, in whole minutes', () => {
  assert.match(lockMessage(61_000), /Try again in 2 minutes/);
  assert.match(lockMessage(30_000), /Try again in 1 minute,/);
  assert.match(lockMessage(0), /Try again in 1 minute,/);
});
