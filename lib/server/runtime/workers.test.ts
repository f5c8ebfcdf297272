import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { restartDelay, workerCount } from './workers';

describe('workerCount', () => {
  test('one per core when STANDBY_WORKERS is unset or 0', () => {
    assert.equal(workerCount(undefined, 16), 16);
    assert.equal(workerCount(0, 2), 2);
  });
  test('the number asked for otherwise; 1 turns the pool off', () => {
    assert.equal(workerCount(1, 16), 1);
    assert.equal(workerCount(3, 2), 3);
  });
  test('never fewer than one', () => {
    assert.equal(workerCount(undefined, 0), 1);
  });
});

describe('restartDelay', () => {
  const options = { baseMs: 500, maxMs: 30_000, youngMs: 10_000 };
  test('a worker that lived long is restarted after the base delay', () => {
    assert.equal(restartDelay(8_000, 60_000, options), 500);
  });
  test('a worker dying young waits twice as long as before, up to the maximum', () => {
    assert.equal(restartDelay(500, 1_000, options), 1_000);
    assert.equal(restartDelay(1_000, 1_000, options), 2_000);
    assert.equal(restartDelay(20_000, 1_000, options), 30_000);
  });
});
