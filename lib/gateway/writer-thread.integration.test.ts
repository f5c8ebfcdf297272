import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { db, type Prisma } from '@/lib/server/db';
import { createTestProviderAndRegion, disconnect, targetInputFor } from '@/test/fixtures';
import { SampleRecorder, type SampleRecord, type SampleWriter } from './recorder';
import { alreadyWritten, writeSamples } from './sample-writer';
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

describe('a batch whose commit was answered too late', () => {
  /** Samples of this target counted in its per-minute rollups. */
  const rolledUp = async () => (await db().targetRollup.aggregate({ where: { targetId, resolutionSec: 60 }, _sum: { samples: true } }))._sum.samples ?? 0;

  test('is retried without its rows written twice: the retry writes only what is new, and the rollups count each row once', async () => {
    // As a writer thread that dies between its commit and its answer, or a connection cut after COMMIT: written, then an error.
    let loseNextAnswer = true;
    const writer: SampleWriter = async (...batch) => {
      await writeSamples(...batch);
      if (loseNextAnswer) {
        loseNextAnswer = false;
        throw new Error('the writer thread stopped (exit code 1)');
      }
    };
    const recorder = new SampleRecorder(writer);
    const before = await rolledUp();
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    recorder.record(sample(ids[0]));
    recorder.record(sample(ids[1]));
    await recorder.flush();
    assert.equal(recorder.stats.failedFlushes, 1);
    assert.equal(recorder.stats.buffered, 2, 'kept: the recorder cannot know the batch was written');
    assert.equal(await rowsFor(ids.slice(0, 2)), 2);

    recorder.record(sample(ids[2]));
    await recorder.flush();
    assert.equal(recorder.stats.buffered, 0);
    assert.equal(recorder.stats.lastError, null);
    const rows = await db().healthSample.groupBy({ by: ['requestId'], where: { requestId: { in: ids } }, _count: true });
    assert.deepEqual(rows.map((r) => r._count).sort(), [1, 1, 1], 'each row once');
    assert.equal((await rolledUp()) - before, 3, 'each row counted once in the rollups');
    const progress = await db().recorderProgress.findUniqueOrThrow({ where: { id: recorder.id } });
    assert.equal(progress.samplesThrough, 2n);
  });

  test('a batch that was never written is written whole, and rows dropped from the front leave no gap behind', () => {
    assert.equal(alreadyWritten(-1, 0, 5), 0, 'nothing written yet');
    assert.equal(alreadyWritten(1, 0, 5), 2, 'positions 0 and 1 were committed');
    assert.equal(alreadyWritten(9, 0, 5), 5, 'the whole batch was committed');
    assert.equal(alreadyWritten(99, 50, 100), 50, 'the front dropped while PostgreSQL was away: 50 to 99 are written, 100 on are new');
    assert.equal(alreadyWritten(9, 20, 5), 0, 'rows dropped between the last write and this batch');
  });
});
