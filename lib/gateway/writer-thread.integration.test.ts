import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { db, type Prisma } from '@/lib/server/db';
import { createTestProviderAndRegion, disconnect, targetInputFor } from '@/test/fixtures';
import { SampleRecorder, type SampleRecord } from './recorder';
import { WriterThread } from './writer-thread';

let targetId = '';

before(async () => {
  const { provider, region } = await createTestProviderAndRegion();
  targetId = (await db().target.create({ data: targetInputFor(provider.id, region.id) as Prisma.TargetUncheckedCreateInput, select: { id: true } })).id;
});

after(disconnect);

const sample = (requestId: string): SampleRecord => ({
  targetId, serviceId: null, source: 'traffic', at: Date.now(), ok: true, errorClass: null, statusCode: 200, latencyMs: 12, ttftMs: null,
  requestId, attempt: 1, promptTokens: 3, completionTokens: 4, limitMs: 30_000, limitBasis: 'fixed',
});

const rowsFor = (requestIds: string[]) => db().healthSample.count({ where: { requestId: { in: requestIds } } });

describe("the recorder's writer thread", () => {
  test('writes a batch to PostgreSQL off the request thread, and stops when asked, after its last batch', async () => {
    const logged: string[] = [];
    const thread = new WriterThread((line) => logged.push(line));
    const recorder = new SampleRecorder(thread.write);
    const ids = [randomUUID(), randomUUID()];
    for (const id of ids) recorder.record(sample(id));
    await recorder.flush();
    assert.equal(recorder.stats.written, 2);
    assert.equal(recorder.stats.buffered, 0);
    assert.equal(await rowsFor(ids), 2);
    await thread.stop();
    assert.equal(thread.current(), null);
    assert.deepEqual(logged, [], 'a thread stopped when asked is no death');
  });

  test('a thread that dies takes no row with it: the death is logged, the rows wait, and the next flush after the pause writes them', async () => {
    const logged: string[] = [];
    let clock = Date.now();
    const thread = new WriterThread((line) => logged.push(line), () => clock);
    const recorder = new SampleRecorder(thread.write);
    const first = randomUUID();
    recorder.record(sample(first));
    await recorder.flush();
    const worker = thread.current();
    assert.ok(worker);
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    await worker.terminate();
    await exited;
    assert.equal(thread.stats.restarts, 1);
    assert.match(logged.join('\n'), /writer thread stopped \(exit code 1\).*started again in 500 ms/);

    // Within the pause nothing is started: the flush fails and keeps its rows.
    const second = randomUUID();
    recorder.record(sample(second));
    await recorder.flush();
    assert.equal(recorder.stats.failedFlushes, 1);
    assert.equal(recorder.stats.buffered, 1);
    assert.match(recorder.stats.lastError ?? '', /restarting/);
    assert.equal(await rowsFor([second]), 0);

    clock += 501;
    await recorder.flush();
    assert.equal(recorder.stats.buffered, 0);
    assert.equal(recorder.stats.lastError, null);
    assert.equal(await rowsFor([first, second]), 2, 'each row written once');
    await thread.stop();
  });
});
