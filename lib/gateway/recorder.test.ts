import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SampleRecorder, type SampleRecord } from './recorder';

const sample = (n: number): SampleRecord => ({
  targetId: `t${n}`, serviceId: null, source: 'traffic', at: n, ok: true, errorClass: null, statusCode: 200, latencyMs: n, ttftMs: null,
  requestId: null, attempt: 1, promptTokens: null, completionTokens: null,
});

test('every flush writes what was recorded since the last one, even after an empty flush', async () => {
  const written: SampleRecord[][] = [];
  const recorder = new SampleRecorder(async (rows) => void written.push(rows));
  await recorder.flush(); // nothing buffered yet
  recorder.record(sample(1));
  await recorder.flush();
  recorder.record(sample(2));
  await recorder.flush();
  assert.deepEqual(written.map((batch) => batch.map((r) => r.targetId)), [['t1'], ['t2']]);
});

test('while the database is away rows stay buffered, and are written when it returns', async () => {
  let up = false;
  const written: string[] = [];
  const recorder = new SampleRecorder(async (rows) => {
    if (!up) throw new Error('connection refused');
    written.push(...rows.map((r) => r.targetId));
  });
  recorder.record(sample(1));
  recorder.record(sample(2));
  await recorder.flush();
  assert.equal(recorder.stats.buffered, 2);
  assert.equal(recorder.stats.lastError, 'connection refused');
  up = true;
  recorder.record(sample(3));
  await recorder.flush();
  assert.deepEqual(written, ['t1', 't2', 't3']);
  assert.equal(recorder.stats.buffered, 0);
  assert.equal(recorder.stats.lastError, null);
});

test('writes in batches of the configured size, in order', async () => {
  const batches: number[] = [];
  const recorder = new SampleRecorder(async (rows) => void batches.push(rows.length), { batchSize: 2 });
  for (let i = 0; i < 5; i += 1) recorder.record(sample(i));
  await recorder.flush();
  assert.deepEqual(batches, [2, 2, 1]);
});

test('past maxBuffered the oldest rows are dropped and counted', async () => {
  const recorder = new SampleRecorder(async () => { throw new Error('down'); }, { maxBuffered: 3 });
  for (let i = 0; i < 5; i += 1) recorder.record(sample(i));
  assert.equal(recorder.stats.buffered, 3);
  assert.equal(recorder.stats.dropped, 2);
});
