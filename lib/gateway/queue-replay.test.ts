import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_REPLAY_ATTEMPTS, REPLAY_BATCH, replayVerdict } from './queue-replay';

describe('replayVerdict', () => {
  it('stores an answer, whoever served it', () => {
    assert.equal(replayVerdict({ status: 200, servedBy: 'upstream' }, 1), 'succeeded');
    assert.equal(replayVerdict({ status: 200, servedBy: 'cache' }, 1), 'succeeded');
  });

  it('waits, without spending an attempt, when the tier refuses again', () => {
    assert.equal(replayVerdict({ status: 503, servedBy: 'refused' }, MAX_REPLAY_ATTEMPTS), 'wait');
    assert.equal(replayVerdict({ status: 503, servedBy: 'maintenance' }, MAX_REPLAY_ATTEMPTS), 'wait');
  });

  it('gives up at once on what will not get better: invalid request, revoked token, unknown service', () => {
    for (const status of [400, 401, 403, 404, 413]) assert.equal(replayVerdict({ status, servedBy: status === 400 ? 'upstream' : null }, 1), 'failed', String(status));
  });

  it('retries upstream failures and rate limits until the attempts run out', () => {
    for (const status of [429, 502, 503, 504]) {
      assert.equal(replayVerdict({ status, servedBy: 'upstream' }, MAX_REPLAY_ATTEMPTS - 1), 'retry', String(status));
      assert.equal(replayVerdict({ status, servedBy: 'upstream' }, MAX_REPLAY_ATTEMPTS), 'failed', String(status));
    }
  });
});

describe('REPLAY_BATCH', () => {
  it('replays nothing in Emergency and less the shorter of capacity the service is', () => {
    assert.equal(REPLAY_BATCH.emergency, 0);
    assert.ok(REPLAY_BATCH.full > REPLAY_BATCH.degraded && REPLAY_BATCH.degraded >= REPLAY_BATCH.minimal && REPLAY_BATCH.minimal > 0);
  });
});
