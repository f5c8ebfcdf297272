import 'server-only';
// How a batch of records reaches PostgreSQL: one transaction with a multi-row
// INSERT per raw table (arrays unnested server-side), the API tokens' last use,
// and the rollup deltas of exactly those rows (lib/health/rollups.ts). In a
// running replica this runs in the recorder's writer thread (writer-thread.ts,
// docs/decisions/018), never on the thread that serves requests: the column
// arrays, Dates, Prisma's encoding and the rollup aggregation of a batch were
// the largest synchronous block a busy replica ran.
import { aggregateRequests, aggregateSamples, upsertRollupDeltas } from '@/lib/health/rollups';
import { db } from '@/lib/server/db';
import type { RequestOutcome, SampleRecord, SampleWriter } from './records';

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

/** Writes a batch in one transaction: raw rows (arrays unnested server-side, one statement per table) and their rollup deltas. */
export const writeSamples: SampleWriter = async (rawSamples, rawRequests = [], tokenUses = []) => {
  const samples = rawSamples.map(wholeSample);
  const requests = rawRequests.map(wholeRequest);
  const client = db();
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
  statements.push(...upsertRollupDeltas(aggregateRequests(requests), aggregateSamples(samples)));
  // Generous: a flush may wait for rebuildRollups to finish a chunk, and nothing waits for the flush.
  if (statements.length > 0) await client.$transaction(statements, { timeout: 60_000, maxWait: 10_000 });
};
