import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SampleRecorder, type RequestOutcome, type SampleRecord } from './recorder';

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

const request = (n: number): RequestOutcome => ({
  serviceId: `s${n}`, at: n, requestId: `r${n}`, ok: true, status: 200, errorClass: null, targetId: `t${n}`, attempts: 1, latencyMs: n, ttftMs: null,
  stream: false, tier: 'full', servedBy: 'upstream', promptTokens: null, completionTokens: null,
});

test('requests are written in the same write as the samples recorded beside them', async () => {
  const writes: { samples: string[]; requests: string[] }[] = [];
  const recorder = new SampleRecorder(async (samples, requests) => void writes.push({ samples: samples.map((s) => s.targetId), requests: requests.map((r) => r.requestId) }));
  recorder.record(sample(1));
  recorder.recordRequest(request(1));
  recorder.recordRequest(request(2));
  assert.equal(recorder.stats.buffered, 3);
  await recorder.flush();
  assert.deepEqual(writes, [{ samples: ['t1'], requests: ['r1', 'r2'] }]);
  assert.equal(recorder.stats.written, 3);
  assert.equal(recorder.stats.buffered, 0);
});

test('a failed write keeps both samples and requests, and the retry writes each exactly once', async () => {
  let up = false;
  const written = { samples: [] as string[], requests: [] as string[] };
  const recorder = new SampleRecorder(async (samples, requests) => {
    if (!up) throw new Error('connection refused');
    written.samples.push(...samples.map((s) => s.targetId));
    written.requests.push(...requests.map((r) => r.requestId));
  });
  recorder.record(sample(1));
  recorder.recordRequest(request(1));
  await recorder.flush();
  await recorder.flush();
  assert.equal(recorder.stats.buffered, 2);
  up = true;
  recorder.recordRequest(request(2));
  await recorder.flush();
  await recorder.flush();
  assert.deepEqual(written, { samples: ['t1'], requests: ['r1', 'r2'] });
});

test("a token's uses become one last-use time per flush; a failed write keeps it unless a newer use came meanwhile", async () => {
  let up = true;
  const writes: [string, number][][] = [];
  const recorder: SampleRecorder = new SampleRecorder(async (_samples, _requests, uses) => {
    if (!up) {
      recorder.tokenUsed('b', 6); // a request while the write is in flight
      throw new Error('connection refused');
    }
    writes.push(uses.map((u) => [u.tokenId, u.at]));
  });
  recorder.tokenUsed('a', 1);
  recorder.tokenUsed('a', 2);
  recorder.tokenUsed('b', 3);
  await recorder.flush();
  assert.deepEqual(writes, [[['a', 2], ['b', 3]]]);
  await recorder.flush();
  assert.equal(writes.length, 1, 'nothing new, nothing written');

  up = false;
  recorder.tokenUsed('a', 4);
  recorder.tokenUsed('b', 5);
  await recorder.flush();
  up = true;
  await recorder.flush();
  assert.deepEqual(writes.at(-1)?.sort(), [['a', 4], ['b', 6]]);
});

test('requests and samples are batched independently: a large backlog of one does not hold back the other', async () => {
  const batches: [number, number][] = [];
  const recorder = new SampleRecorder(async (samples, requests) => void batches.push([samples.length, requests.length]), { batchSize: 2 });
  for (let i = 0; i < 5; i += 1) recorder.recordRequest(request(i));
  recorder.record(sample(1));
  await recorder.flush();
  assert.deepEqual(batches, [[1, 2], [0, 2], [0, 1]]);
});

test('past maxBuffered the oldest requests are dropped and counted, like samples', async () => {
  const recorder = new SampleRecorder(async () => { throw new Error('down'); }, { maxBuffered: 3 });
  for (let i = 0; i < 5; i += 1) recorder.recordRequest(request(i));
  recorder.record(sample(1));
  assert.equal(recorder.stats.buffered, 4);
  assert.equal(recorder.stats.dropped, 2);
});

test('rows dropped for space while a write is in flight are not mistaken for the rows it wrote', async () => {
  const written: string[] = [];
  let release: () => void = () => {};
  let first = true;
  const recorder = new SampleRecorder(async (samples) => {
    if (first) {
      first = false;
      await new Promise<void>((resolve) => (release = resolve));
    }
    written.push(...samples.map((s) => s.targetId));
  }, { maxBuffered: 4 });
  for (let i = 1; i <= 3; i += 1) recorder.record(sample(i));
  const flushing = recorder.flush(); // writes t1..t3, slowly
  // Meanwhile the buffer overflows: t1 and t2 (being written) are dropped to make room.
  for (let i = 4; i <= 6; i += 1) recorder.record(sample(i));
  assert.equal(recorder.stats.dropped, 2);
  release();
  await flushing;
  await recorder.flush();
  assert.deepEqual(written, ['t1', 't2', 't3', 't4', 't5', 't6']);
  assert.equal(recorder.stats.buffered, 0);
});

test('a buffer at its bound sheds a chunk at a time, so recording stays cheap during a long outage', async () => {
  const recorder = new SampleRecorder(async () => { throw new Error('down'); }, { maxBuffered: 1600 });
  for (let i = 0; i < 1601; i += 1) recorder.record(sample(i));
  // One past the bound drops the overflow plus a sixteenth of the bound in one go.
  assert.equal(recorder.stats.dropped, 101);
  assert.equal(recorder.stats.buffered, 1500);
  for (let i = 0; i < 100; i += 1) recorder.record(sample(i));
  assert.equal(recorder.stats.dropped, 101, 'no further drop until the bound is reached again');
});
