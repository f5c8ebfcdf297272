import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { SampleRecorder, type RequestOutcome, type SampleRecord } from '@/lib/gateway/recorder';
import { db, type Prisma } from '@/lib/server/db';
import { createTestProviderAndRegion, disconnect, targetInputFor, uniqueName } from '@/test/fixtures';
import { bucketIndex, HISTOGRAM_LENGTH } from './histogram';
import { applyRetention, rebuildRollups } from './rollups';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
// Whole hours two days back: inside every retention, and each test keeps to hours of its own.
const base = Math.floor((Date.now() - 2 * DAY) / HOUR) * HOUR;

const ids = { services: [] as string[], targets: [] as string[] };

before(async () => {
  const { provider, region } = await createTestProviderAndRegion();
  for (let i = 0; i < 3; i += 1) {
    const target = await db().target.create({ data: targetInputFor(provider.id, region.id) as Prisma.TargetUncheckedCreateInput, select: { id: true } });
    ids.targets.push(target.id);
    const service = await db().service.create({ data: { name: uniqueName('rollup-svc') }, select: { id: true } });
    ids.services.push(service.id);
  }
});

after(async () => {
  await db().$executeRawUnsafe('DROP TRIGGER IF EXISTS "rollups_test_fail" ON "TargetRollup"');
  await disconnect();
});

const request = (over: Partial<RequestOutcome> & { at: number }): RequestOutcome => ({
  serviceId: ids.services[0], requestId: `req-${randomUUID()}`, ok: true, status: 200, errorClass: null, targetId: ids.targets[0], attempts: 1,
  latencyMs: 100, ttftMs: null, stream: false, tier: 'full', servedBy: 'upstream', promptTokens: 10, completionTokens: 20, ...over,
});
const sample = (over: Partial<SampleRecord> & { at: number }): SampleRecord => ({
  targetId: ids.targets[0], serviceId: ids.services[0], source: 'traffic', ok: true, errorClass: null, statusCode: 200, latencyMs: 100, ttftMs: null,
  requestId: null, attempt: 1, promptTokens: null, completionTokens: null, ...over,
});

/** Every rollup row of this file's services and targets, as plain comparable values. */
async function rollupsOf(from: number, to: number) {
  const span = { gte: new Date(from), lt: new Date(to) };
  const services = await db().serviceRollup.findMany({ where: { serviceId: { in: ids.services }, bucket: span }, orderBy: [{ serviceId: 'asc' }, { resolutionSec: 'asc' }, { bucket: 'asc' }] });
  const targets = await db().targetRollup.findMany({ where: { targetId: { in: ids.targets }, bucket: span }, orderBy: [{ targetId: 'asc' }, { resolutionSec: 'asc' }, { bucket: 'asc' }] });
  const plain = <T extends { bucket: Date; latencySumMs: bigint; ttftSumMs: bigint }>(row: T) => ({
    ...row, bucket: row.bucket.toISOString(), latencySumMs: Number(row.latencySumMs), ttftSumMs: Number(row.ttftSumMs),
  });
  return { services: services.map(plain), targets: targets.map(plain) };
}

const histogramWith = (entries: [ms: number, count: number][]) => {
  const histogram = new Array<number>(HISTOGRAM_LENGTH).fill(0);
  for (const [ms, count] of entries) histogram[bucketIndex(ms)] += count;
  return histogram;
};

describe('rollups kept by the recorder', () => {
  test('two flushes and two recorders adding into the same minute give the summed counts and histograms', async () => {
    const minute = base + 5 * MINUTE;
    const [service] = ids.services;
    const [target] = ids.targets;
    const a = new SampleRecorder();
    const b = new SampleRecorder();
    a.recordRequest(request({ at: minute + 1_000, latencyMs: 100, ttftMs: 40, stream: true }));
    a.recordRequest(request({ at: minute + 2_000, ok: false, status: 503, errorClass: 'server_error', latencyMs: 900 }));
    a.record(sample({ at: minute + 1_000, latencyMs: 90, ttftMs: 40 }));
    await a.flush();
    a.recordRequest(request({ at: minute + 3_000, servedBy: 'cache', latencyMs: 3 }));
    a.record(sample({ at: minute + 3_000, source: 'probe', serviceId: null, ok: false, errorClass: 'timeout', statusCode: null, latencyMs: 30_000 }));
    b.recordRequest(request({ at: minute + 59_999, ok: false, status: 503, errorClass: 'server_error', latencyMs: 2_000, ttftMs: 1_500, stream: true }));
    b.recordRequest(request({ at: minute + 30_000, ok: false, status: 429, errorClass: 'rate_limited', latencyMs: 50 }));
    b.record(sample({ at: minute + 30_000, ok: false, errorClass: 'rate_limited', statusCode: 429, latencyMs: 50 }));
    await Promise.all([a.flush(), b.flush()]);
    assert.equal(a.stats.lastError, null);
    assert.equal(b.stats.lastError, null);

    const { services, targets } = await rollupsOf(minute, minute + MINUTE);
    const serviceMinute = services.find((r) => r.serviceId === service && r.resolutionSec === 60);
    assert.deepEqual(serviceMinute, {
      serviceId: service, resolutionSec: 60, bucket: new Date(minute).toISOString(), requests: 5, failures: 3,
      errorsByClass: { server_error: 2, rate_limited: 1 }, servedBy: { upstream: 4, cache: 1 },
      latencySumMs: 100 + 900 + 3 + 2_000 + 50, latencyHist: histogramWith([[100, 1], [900, 1], [3, 1], [2_000, 1], [50, 1]]),
      ttftCount: 2, ttftSumMs: 1_540, ttftHist: histogramWith([[40, 1], [1_500, 1]]),
    });
    const targetMinute = targets.find((r) => r.targetId === target && r.resolutionSec === 60);
    assert.deepEqual(targetMinute, {
      targetId: target, resolutionSec: 60, bucket: new Date(minute).toISOString(), samples: 3, failures: 2, probes: 1, probeFailures: 1,
      errorsByClass: { timeout: 1, rate_limited: 1 },
      latencySumMs: 90 + 30_000 + 50, latencyHist: histogramWith([[90, 1], [30_000, 1], [50, 1]]),
      ttftCount: 1, ttftSumMs: 40, ttftHist: histogramWith([[40, 1]]),
    });
    const hour = await db().serviceRollup.findUnique({ where: { serviceId_resolutionSec_bucket: { serviceId: service, resolutionSec: 3600, bucket: new Date(base) } } });
    assert.equal(hour?.requests, 5);
    assert.deepEqual(hour?.latencyHist, serviceMinute?.latencyHist);
    assert.equal(await db().requestRecord.count({ where: { serviceId: service, at: { gte: new Date(minute), lt: new Date(minute + MINUTE) } } }), 5);
    await Promise.all([a.close(), b.close()]);
  });

  test('absurd numbers from an upstream (1e12 tokens, a fraction, infinity) are kept at the column bounds, not left to block every later flush', async () => {
    const minute = base + HOUR + 31 * MINUTE;
    const requestId = `req-${randomUUID()}`;
    const recorder = new SampleRecorder();
    recorder.recordRequest(request({ at: minute, requestId, promptTokens: 1e12, completionTokens: Infinity, latencyMs: 12.6 }));
    recorder.record(sample({ at: minute, requestId, promptTokens: -1e12, completionTokens: 7.4 }));
    await recorder.flush();
    assert.equal(recorder.stats.lastError, null);
    assert.equal(recorder.stats.buffered, 0);
    const row = await db().requestRecord.findFirstOrThrow({ where: { requestId } });
    assert.deepEqual([row.promptTokens, row.completionTokens, row.latencyMs], [2_147_483_647, null, 13]);
    const attempt = await db().healthSample.findFirstOrThrow({ where: { requestId } });
    assert.deepEqual([attempt.promptTokens, attempt.completionTokens], [-2_147_483_647, 7]);
  });

  test('a flush that fails inside its transaction keeps its rows, and writes raw rows and rollups exactly once when it succeeds', async () => {
    const minute = base + HOUR + 7 * MINUTE;
    const target = ids.targets[1];
    const service = ids.services[1];
    // The last statement of the flush (the TargetRollup upsert) fails, after
    // the raw rows and the ServiceRollup deltas of the same transaction.
    await db().$executeRawUnsafe(`CREATE OR REPLACE FUNCTION "rollups_test_fail"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected rollup failure'; END $$`);
    await db().$executeRawUnsafe(`CREATE TRIGGER "rollups_test_fail" BEFORE INSERT ON "TargetRollup" FOR EACH ROW WHEN (NEW."targetId" = '${target}') EXECUTE FUNCTION "rollups_test_fail"()`);
    const recorder = new SampleRecorder();
    const requestIds = [0, 1, 2].map(() => `req-${randomUUID()}`);
    for (const [i, requestId] of requestIds.entries()) {
      recorder.recordRequest(request({ at: minute + i * 1_000, requestId, serviceId: service, targetId: target, ok: i !== 2, status: i === 2 ? 502 : 200, errorClass: i === 2 ? 'server_error' : null }));
      recorder.record(sample({ at: minute + i * 1_000, requestId, serviceId: service, targetId: target }));
    }
    try {
      await recorder.flush();
      assert.match(recorder.stats.lastError ?? '', /injected rollup failure/);
      assert.equal(recorder.stats.buffered, 6);
      await recorder.flush(); // fails again: still nothing half-written
      assert.equal(await db().requestRecord.count({ where: { requestId: { in: requestIds } } }), 0);
      assert.equal(await db().healthSample.count({ where: { requestId: { in: requestIds } } }), 0);
      assert.equal(await db().serviceRollup.count({ where: { serviceId: service } }), 0);
    } finally {
      await db().$executeRawUnsafe('DROP TRIGGER IF EXISTS "rollups_test_fail" ON "TargetRollup"');
    }
    await recorder.flush();
    assert.equal(recorder.stats.lastError, null);
    assert.equal(recorder.stats.buffered, 0);
    await recorder.flush(); // nothing left: a second flush adds nothing
    assert.equal(await db().requestRecord.count({ where: { requestId: { in: requestIds } } }), 3);
    assert.equal(await db().healthSample.count({ where: { requestId: { in: requestIds } } }), 3);
    const { services, targets } = await rollupsOf(minute, minute + MINUTE);
    assert.deepEqual(services.map((r) => [r.serviceId, r.resolutionSec, r.requests, r.failures]), [[service, 60, 3, 1]]);
    assert.deepEqual(targets.map((r) => [r.targetId, r.resolutionSec, r.samples]), [[target, 60, 3]]);
    await recorder.close();
  });
});

/**
 * Records 1,500 varied rows between `start` and `end` through a recorder that
 * flushes often, so that many flushes add into the same minutes and hours:
 * bucket boundaries (0, 5, 6, 120 s, over 120 s), every source, error class,
 * served-by and TTFT case. Deterministic. Returns how many were requests.
 */
async function recordVariety(start: number, end: number): Promise<number> {
  let seed = 7;
  const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(values: readonly T[]) => values[Math.floor(next() * values.length)];
  const latencies = [0, 1, 5, 6, 10, 11, 99, 100, 101, 750, 751, 4_999, 5_000, 120_000, 120_001, 400_000];
  const recorder = new SampleRecorder(undefined, { batchSize: 37 });
  let requests = 0;
  for (let i = 0; i < 1_500; i += 1) {
    const at = start + Math.floor(next() * (end - start));
    const errorClass = pick([null, null, null, 'server_error', 'rate_limited', 'context_length']);
    const ttftMs = pick([null, pick(latencies)]);
    if (next() < 0.5) {
      requests += 1;
      recorder.recordRequest(request({
        at, serviceId: pick(ids.services), targetId: pick([...ids.targets, null]), ok: errorClass === null || errorClass === 'context_length',
        status: errorClass ? 500 : 200, errorClass, latencyMs: pick(latencies), ttftMs, servedBy: pick(['upstream', 'upstream', 'cache', 'rule', 'refused', 'maintenance', 'queued'] as const),
      }));
    } else {
      const source = pick(['probe', 'traffic'] as const);
      recorder.record(sample({ at, targetId: pick(ids.targets), serviceId: source === 'probe' ? null : pick(ids.services), source, ok: errorClass === null, errorClass, latencyMs: pick(latencies), ttftMs }));
    }
    if (i % 211 === 0) await recorder.flush();
  }
  await recorder.close();
  assert.equal(recorder.stats.lastError, null);
  return requests;
}

describe('rebuilding rollups from raw rows', () => {
  // 100 minutes across an hour boundary, from 40 minutes into an hour of its own.
  const start = base + 3 * HOUR + 40 * MINUTE;
  const end = start + 100 * MINUTE;

  test('rollups kept by incremental flushes equal rebuildRollups over the same raw rows, and a rebuild repairs a damaged span', async () => {
    const requests = await recordVariety(start, end);

    const spanFrom = Math.floor(start / HOUR) * HOUR;
    const spanTo = Math.ceil(end / HOUR) * HOUR;
    const incremental = await rollupsOf(spanFrom, spanTo);
    assert.equal(incremental.services.filter((r) => r.resolutionSec === 60).reduce((sum, r) => sum + r.requests, 0), requests);
    assert.equal(incremental.services.filter((r) => r.resolutionSec === 3600).reduce((sum, r) => sum + r.requests, 0), requests);
    assert.ok(incremental.targets.length > 100, 'the data covers many minutes');

    // Damage: one row wrong, one missing.
    await db().serviceRollup.updateMany({ where: { serviceId: ids.services[0], resolutionSec: 3600 }, data: { requests: 999_999 } });
    await db().targetRollup.deleteMany({ where: { targetId: ids.targets[2], resolutionSec: 60, bucket: { gte: new Date(start), lt: new Date(start + 10 * MINUTE) } } });

    // One-hour chunks over a span given in the middle of its hours: the three whole hours are rebuilt.
    const summary = await rebuildRollups(new Date(start + 5 * MINUTE), new Date(end - 5 * MINUTE), { chunkHours: 1 });
    assert.equal(summary.from.getTime(), spanFrom);
    assert.equal(summary.to.getTime(), spanTo);
    assert.equal(summary.chunks, 3);
    assert.deepEqual(await rollupsOf(spanFrom, spanTo), incremental);
  });

  test('a rebuild that runs while a flush is half-written waits for it, and counts its rows exactly once', async () => {
    const minute = base + 7 * HOUR + 3 * MINUTE;
    const [service] = ids.services;
    const [target] = ids.targets;
    const recorder = new SampleRecorder();
    recorder.record(sample({ at: minute, targetId: target }));
    await recorder.flush();

    // Another session holds the flush's TargetRollup row, so the flush stops
    // after its raw rows and its ServiceRollup delta, in an open transaction.
    const blocker = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`SELECT 1 FROM "TargetRollup" WHERE "targetId" = $1 AND "resolutionSec" = 60 AND "bucket" = $2 FOR UPDATE`, [target, new Date(minute).toISOString().replace('Z', '')]);
      // Asked outside the blocker's transaction, which would keep seeing its first snapshot of pg_stat_activity.
      const sessionsWaiting = async () => {
        const [{ n }] = await db().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
        return n;
      };
      const waitFor = async (what: string, check: () => Promise<boolean>) => {
        for (let i = 0; i < 200 && !(await check()); i += 1) await new Promise((resolve) => setTimeout(resolve, 25));
        assert.ok(await check(), what);
      };

      for (let i = 0; i < 4; i += 1) recorder.recordRequest(request({ at: minute + i * 1_000, serviceId: service, targetId: target }));
      recorder.record(sample({ at: minute + 1_000, targetId: target }));
      const flushing = recorder.flush();
      await waitFor('the flush waits on the held row', async () => (await sessionsWaiting()) === 1);
      const rebuilding = rebuildRollups(new Date(minute), new Date(minute + MINUTE));
      await waitFor('the rebuild waits too', async () => (await sessionsWaiting()) === 2);
      await blocker.query('COMMIT');
      await Promise.all([flushing, rebuilding]);
    } finally {
      await blocker.end();
    }
    assert.equal(recorder.stats.lastError, null);
    await recorder.close();

    const hourFrom = Math.floor(minute / HOUR) * HOUR;
    const { services, targets } = await rollupsOf(hourFrom, hourFrom + HOUR);
    assert.deepEqual(services.map((r) => [r.resolutionSec, r.requests]), [[60, 4], [3600, 4]]);
    assert.deepEqual(targets.filter((r) => r.targetId === target).map((r) => [r.resolutionSec, r.samples]), [[60, 2], [3600, 2]]);
  });

  test('past the minute rollups\' retention a rebuild recomputes only the hours, equal to what the flushes kept', async () => {
    // Ten days back: the flushes still write minute rows there (retention removes them later); a rebuild does not.
    const oldStart = Math.floor((Date.now() - 10 * DAY) / HOUR) * HOUR + 20 * MINUTE;
    const oldEnd = oldStart + 90 * MINUTE;
    const spanFrom = Math.floor(oldStart / HOUR) * HOUR;
    const spanTo = Math.ceil(oldEnd / HOUR) * HOUR;
    await recordVariety(oldStart, oldEnd);
    const incremental = await rollupsOf(spanFrom, spanTo);
    assert.ok(incremental.services.some((r) => r.resolutionSec === 60));

    const summary = await rebuildRollups(new Date(oldStart), new Date(oldEnd));
    assert.equal(summary.chunks, 1);
    const rebuilt = await rollupsOf(spanFrom, spanTo);
    const hoursOnly = (rows: typeof incremental) => ({ services: rows.services.filter((r) => r.resolutionSec === 3600), targets: rows.targets.filter((r) => r.resolutionSec === 3600) });
    assert.deepEqual(rebuilt, hoursOnly(incremental));
    assert.equal(rebuilt.services.length, 3 * 2, 'three services over two hours');
  });

  test('a rebuild leaves alone the hours whose raw rows are past retention, which only the rollups still know', async () => {
    const longAgo = Math.floor((Date.now() - 100 * DAY) / HOUR) * HOUR;
    const [service] = ids.services;
    await db().serviceRollup.create({ data: { serviceId: service, resolutionSec: 3600, bucket: new Date(longAgo), requests: 42, latencyHist: histogramWith([[100, 42]]), ttftHist: histogramWith([]) } });
    const summary = await rebuildRollups(new Date(longAgo - DAY), new Date(longAgo + DAY), { rawRetentionDays: 35 });
    assert.equal(summary.chunks, 0);
    const kept = await db().serviceRollup.findUnique({ where: { serviceId_resolutionSec_bucket: { serviceId: service, resolutionSec: 3600, bucket: new Date(longAgo) } } });
    assert.equal(kept?.requests, 42);
  });
});

describe('retention', () => {
  test('deletes raw rows past the raw retention, minute rollups past 8 days and hour rollups past 400 days, and nothing newer', async () => {
    const now = Date.now();
    const [service] = ids.services;
    const [target] = ids.targets;
    const tag = `retention-${randomUUID()}`;
    const rawAt = (days: number, i: number) => new Date(now - days * DAY - i * 1_000);
    const rawRows = (days: number, count: number) => Array.from({ length: count }, (_, i) => rawAt(days, i));
    await db().healthSample.createMany({
      data: [...rawRows(36, 5), ...rawRows(34, 2)].map((at) => ({ targetId: target, serviceId: service, source: 'traffic' as const, at, ok: true, latencyMs: 10, requestId: tag })),
    });
    await db().requestRecord.createMany({
      data: [...rawRows(36, 5), ...rawRows(34, 2)].map((at) => ({
        serviceId: service, at, requestId: tag, ok: true, status: 200, attempts: 1, latencyMs: 10, stream: false, tier: 'full' as const, servedBy: 'upstream',
      })),
    });
    const minuteAt = (days: number) => new Date(Math.floor((now - days * DAY) / MINUTE) * MINUTE);
    const hourAt = (days: number) => new Date(Math.floor((now - days * DAY) / HOUR) * HOUR);
    const histograms = { latencyHist: histogramWith([]), ttftHist: histogramWith([]) };
    const rollupKeys = [
      { resolutionSec: 60, bucket: minuteAt(9), old: true },
      { resolutionSec: 60, bucket: minuteAt(9.5), old: true },
      { resolutionSec: 60, bucket: minuteAt(7), old: false },
      // An hour rollup as old as a deleted minute one stays: only its resolution's horizon applies.
      { resolutionSec: 3600, bucket: hourAt(9), old: false },
      { resolutionSec: 3600, bucket: hourAt(399), old: false },
      { resolutionSec: 3600, bucket: hourAt(401), old: true },
      { resolutionSec: 3600, bucket: hourAt(402), old: true },
    ];
    await db().serviceRollup.createMany({ data: rollupKeys.map(({ resolutionSec, bucket }) => ({ serviceId: service, resolutionSec, bucket, requests: 1, ...histograms })) });
    await db().targetRollup.createMany({ data: rollupKeys.map(({ resolutionSec, bucket }) => ({ targetId: target, resolutionSec, bucket, samples: 1, ...histograms })) });

    // Batches of two: several rounds per table.
    const summary = await applyRetention({ now: new Date(now), rawRetentionDays: 35, batchSize: 2 });
    assert.ok(summary.healthSamples >= 5 && summary.requestRecords >= 5 && summary.minuteRollups >= 4 && summary.hourRollups >= 4);

    const remainingRaw = await db().healthSample.findMany({ where: { requestId: tag }, select: { at: true } });
    assert.deepEqual(remainingRaw.map((r) => r.at.getTime()).sort(), rawRows(34, 2).map((d) => d.getTime()).sort());
    assert.equal(await db().requestRecord.count({ where: { requestId: tag } }), 2);
    const kept = rollupKeys.filter((k) => !k.old).map((k) => `${k.resolutionSec}@${k.bucket.toISOString()}`).sort();
    const keptServices = await db().serviceRollup.findMany({ where: { serviceId: service, bucket: { in: rollupKeys.map((k) => k.bucket) } } });
    const keptTargets = await db().targetRollup.findMany({ where: { targetId: target, bucket: { in: rollupKeys.map((k) => k.bucket) } } });
    assert.deepEqual(keptServices.map((r) => `${r.resolutionSec}@${r.bucket.toISOString()}`).sort(), kept);
    assert.deepEqual(keptTargets.map((r) => `${r.resolutionSec}@${r.bucket.toISOString()}`).sort(), kept);
  });

  test('stops between batches when leadership ends', async () => {
    const aborted = AbortSignal.abort();
    const [target] = ids.targets;
    const tag = `retention-abort-${randomUUID()}`;
    await db().healthSample.createMany({
      data: Array.from({ length: 3 }, (_, i) => ({ targetId: target, source: 'probe' as const, at: new Date(Date.now() - 40 * DAY - i), ok: true, latencyMs: 1, requestId: tag })),
    });
    const summary = await applyRetention({ rawRetentionDays: 35, batchSize: 1, signal: aborted });
    assert.deepEqual(summary, { healthSamples: 0, requestRecords: 0, minuteRollups: 0, hourRollups: 0 });
    assert.equal(await db().healthSample.count({ where: { requestId: tag } }), 3);
  });
});
