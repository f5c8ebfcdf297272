import 'server-only';
// How a batch of records reaches PostgreSQL: one transaction with a multi-row
// INSERT per raw table (arrays unnested server-side), the API tokens' last use,
// and the rollup deltas of exactly those rows (lib/health/rollups.ts). In a
// running replica this runs in the recorder's writer thread (writer-thread.ts,
// docs/decisions/018), never on the thread that serves requests: the column
// arrays, Dates, Prisma's encoding and the rollup aggregation of a batch were
// the largest synchronous block a busy replica ran.
import { aggregateRequests, aggregateSamples, upsertRollupDeltas } from '@/lib/health/rollups';
import { db, type Tx } from '@/lib/server/db';
import type { RequestOutcome, SampleRecord, SampleWriter, TokenUse } from './records';

// The columns are int4: a fractional or out-of-range value would fail the
// cast and, retried forever, block every later row behind it. Token counts
// come from upstreams, so a buggy server reporting 1e12 tokens must not stop
// the replica's recording: such values are kept at the column's bounds.
const INT4_MAX = 2_147_483_647;
const whole = (value: number | null) => (value === null || !Number.isFinite(value) ? null : Math.max(-INT4_MAX, Math.min(INT4_MAX, Math.round(value))));

const wholeSample = (row: SampleRecord): SampleRecord => ({
  ...row, statusCode: whole(row.statusCode), latencyMs: whole(row.latencyMs) ?? 0, ttftMs: whole(row.ttftMs), attempt: whole(row.attempt),
  promptTokens: whole(row.promptTokens), completionTokens: whole(row.completionTokens), limitMs: whole(row.limitMs ?? null), limitBasis: row.limitBasis ?? null,
});

const wholeRequest = (row: RequestOutcome): RequestOutcome => ({
  ...row, status: whole(row.status) ?? 0, attempts: whole(row.attempts) ?? 0, latencyMs: whole(row.latencyMs) ?? 0, ttftMs: whole(row.ttftMs),
  promptTokens: whole(row.promptTokens), completionTokens: whole(row.completionTokens),
});

/** The statements that write a batch's rows and their rollup deltas, for the caller's transaction. */
function rowStatements(client: Pick<Tx, '$executeRaw'>, rawSamples: readonly SampleRecord[], rawRequests: readonly RequestOutcome[], tokenUses: readonly TokenUse[]) {
  const samples = rawSamples.map(wholeSample);
  const requests = rawRequests.map(wholeRequest);
  const statements = [];
  if (samples.length > 0) {
    const col = <K extends keyof SampleRecord>(key: K) => samples.map((row) => row[key]);
    statements.push(client.$executeRaw`
      INSERT INTO "HealthSample" ("targetId", "serviceId", "source", "at", "ok", "errorClass", "statusCode", "latencyMs", "ttftMs", "requestId", "attempt", "promptTokens", "completionTokens", "limitMs", "limitBasis")
      SELECT * FROM unnest(
        ${col('targetId')}::uuid[], ${col('serviceId')}::uuid[], ${col('source')}::"SampleSource"[], ${samples.map((r) => new Date(r.at))}::timestamp[],
        ${col('ok')}::boolean[], ${col('errorClass')}::text[], ${col('statusCode')}::int[], ${col('latencyMs')}::int[], ${col('ttftMs')}::int[],
        ${col('requestId')}::text[], ${col('attempt')}::int[], ${col('promptTokens')}::int[], ${col('completionTokens')}::int[],
        ${col('limitMs')}::int[], ${col('limitBasis')}::text[]
      )`);
  }
  if (requests.length > 0) {
    const col = <K extends keyof RequestOutcome>(key: K) => requests.map((row) => row[key]);
    statements.push(client.$executeRaw`
      INSERT INTO "RequestRecord" ("serviceId", "at", "requestId", "ok", "status", "errorClass", "targetId", "attempts", "latencyMs", "ttftMs", "stream", "tier", "servedBy", "promptTokens", "completionTokens")
      SELECT * FROM unnest(
        ${col('serviceId')}::uuid[], ${requests.map((r) => new Date(r.at))}::timestamp[], ${col('requestId')}::text[], ${col('ok')}::boolean[],
        ${col('status')}::int[], ${col('errorClass')}::text[], ${col('targetId')}::uuid[], ${col('attempts')}::int[], ${col('latencyMs')}::int[],
        ${col('ttftMs')}::int[], ${col('stream')}::boolean[], ${col('tier')}::"DegradationTier"[], ${col('servedBy')}::text[],
        ${col('promptTokens')}::int[], ${col('completionTokens')}::int[]
      )`);
  }
  if (tokenUses.length > 0) {
    // Never moved back: a replica whose flush was delayed may carry an older time than another's.
    statements.push(client.$executeRaw`
      UPDATE "ApiToken" AS t SET "lastUsedAt" = GREATEST(t."lastUsedAt", u.at)
      FROM unnest(${tokenUses.map((u) => u.tokenId)}::uuid[], ${tokenUses.map((u) => new Date(u.at))}::timestamp[]) AS u(id, at)
      WHERE t.id = u.id`);
  }
  statements.push(...upsertRollupDeltas(aggregateRequests(requests), aggregateSamples(samples), client));
  return statements;
}

/** How long a recorder's progress row outlives its last write (a process stopped for good leaves one behind). */
const PROGRESS_KEPT_DAYS = 7;

// Generous: a flush may wait for rebuildRollups to finish a chunk, and nothing waits for the flush.
const TRANSACTION = { timeout: 60_000, maxWait: 10_000 };

/**
 * Writes a batch in one transaction: raw rows (arrays unnested server-side, one statement per table) and their rollup
 * deltas. With a mark (the recorder's), the same transaction reads and moves how far that recorder's rows have been
 * written (RecorderProgress): rows at or before that point were committed by an earlier try whose answer was lost,
 * and are left out with their rollup deltas, so a retried batch never counts a request twice.
 */
export const writeSamples: SampleWriter = async (samples, requests = [], tokenUses = [], mark) => {
  const client = db();
  if (!mark) {
    const statements = rowStatements(client, samples, requests, tokenUses);
    if (statements.length > 0) await client.$transaction(statements, TRANSACTION);
    return;
  }
  await client.$transaction(async (tx) => {
    // Creates the recorder's row or locks it: a retry waits here for a try still open in a dying connection.
    const [progress] = await tx.$queryRaw<{ samplesThrough: bigint; requestsThrough: bigint; created: boolean }[]>`
      INSERT INTO "RecorderProgress" AS p ("id") VALUES (${mark.recorder})
      ON CONFLICT ("id") DO UPDATE SET "updatedAt" = now()
      RETURNING p."samplesThrough", p."requestsThrough", (p.xmax = 0) AS "created"`;
    const skipSamples = alreadyWritten(progress.samplesThrough, mark.samplesFrom, samples.length);
    const skipRequests = alreadyWritten(progress.requestsThrough, mark.requestsFrom, requests.length);
    for (const statement of rowStatements(tx, samples.slice(skipSamples), requests.slice(skipRequests), tokenUses)) await statement;
    await tx.$executeRaw`
      UPDATE "RecorderProgress" SET
        "samplesThrough" = GREATEST("samplesThrough", ${mark.samplesFrom + samples.length - 1}::bigint),
        "requestsThrough" = GREATEST("requestsThrough", ${mark.requestsFrom + requests.length - 1}::bigint),
        "updatedAt" = now()
      WHERE "id" = ${mark.recorder}`;
    // Once per recorder, at its first write: the rows of recorders long gone.
    if (progress.created) await tx.$executeRaw`DELETE FROM "RecorderProgress" WHERE "updatedAt" < now() - make_interval(days => ${PROGRESS_KEPT_DAYS}::int)`;
  }, TRANSACTION);
};

/** How many of a batch's `count` rows, the first at position `from`, were written already (through position `through`). */
export function alreadyWritten(through: bigint | number, from: number, count: number): number {
  return Math.max(0, Math.min(count, Number(through) - from + 1));
}
