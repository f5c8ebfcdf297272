import 'server-only';
// Attempts, probe results and client requests are recorded without the hot
// path waiting on the database: record(), recordRequest() and tokenUsed() only
// append to a buffer, and a timer writes the buffers in one transaction: a
// multi-row INSERT per raw table, the API tokens' last use, plus the rollup
// deltas of exactly those rows
// (lib/health/rollups.ts), so a failed flush is retried whole and nothing is
// counted twice. If PostgreSQL is unreachable the buffers keep growing (up to
// maxBuffered each) and are written when it returns (static stability).
import type { LimitBasis } from '@/lib/routing/adaptive-limits';
import type { Tier } from '@/lib/routing/enums';
import { aggregateRequests, aggregateSamples, upsertRollupDeltas } from '@/lib/health/rollups';
import { db } from '@/lib/server/db';

export type SampleRecord = {
  targetId: string;
  serviceId: string | null;
  source: 'probe' | 'traffic';
  at: number;
  ok: boolean;
  errorClass: string | null;
  statusCode: number | null;
  latencyMs: number;
  ttftMs: number | null;
  requestId: string | null;
  attempt: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  /** Traffic only: the first-token or header limit the attempt ran under, and why (lib/routing/adaptive-limits.ts). */
  limitMs?: number | null;
  limitBasis?: LimitBasis | null;
};

/** How a request was answered (prisma RequestRecord.servedBy). */
export type ServedBy = 'upstream' | 'cache' | 'rule' | 'refused' | 'maintenance' | 'queued';

/** One client request that reached routing (after authentication and validation); its attempts are SampleRecords. */
export type RequestOutcome = {
  serviceId: string;
  at: number;
  requestId: string;
  /** The service did its job: an answer (upstream, cache or rule), or a refusal the client caused (lib/slo: countsAsGood). */
  ok: boolean;
  status: number;
  errorClass: string | null;
  targetId: string | null;
  attempts: number;
  latencyMs: number;
  ttftMs: number | null;
  stream: boolean;
  tier: Tier;
  servedBy: ServedBy;
  promptTokens: number | null;
  completionTokens: number | null;
};

export type RecorderStats = { buffered: number; written: number; dropped: number; lastError: string | null; lastFlushAt: number | null };

/** When each API token was last used (ApiToken.lastUsedAt): token id and epoch ms. */
export type TokenUse = { tokenId: string; at: number };

/** Writes one batch of each kind, all or nothing: a throw means nothing of it was kept. */
export type SampleWriter = (samples: SampleRecord[], requests: RequestOutcome[], tokenUses: TokenUse[]) => Promise<void>;

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

/**
 * A FIFO that appends in O(1) and, past its bound, drops its oldest rows in
 * chunks (so a long outage costs one shift per `slack` rows, not one per row).
 * It counts what it drops from the front, so a flush that was writing those
 * very rows removes only what is still there afterwards.
 */
class BoundedBuffer<T> {
  rows: T[] = [];
  droppedFromFront = 0;

  push(row: T, max: number): number {
    this.rows.push(row);
    if (this.rows.length <= max) return 0;
    const excess = this.rows.length - max + Math.floor(max / 16);
    this.rows.splice(0, excess);
    this.droppedFromFront += excess;
    return excess;
  }

  /** Removes the first `count` rows taken when droppedFromFront was `droppedBefore`, as far as they are still here. */
  removeWritten(count: number, droppedBefore: number): void {
    const alreadyGone = this.droppedFromFront - droppedBefore;
    if (count > alreadyGone) this.rows.splice(0, count - alreadyGone);
  }
}

export class SampleRecorder {
  private readonly samples = new BoundedBuffer<SampleRecord>();
  private readonly requests = new BoundedBuffer<RequestOutcome>();
  /** The latest use of each token since the last write: one entry per token, however many requests. */
  private tokenUses = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  readonly stats: RecorderStats = { buffered: 0, written: 0, dropped: 0, lastError: null, lastFlushAt: null };

  constructor(
    private readonly write: SampleWriter = writeSamples,
    private readonly options: { flushMs?: number; batchSize?: number; maxBuffered?: number } = {},
  ) {}

  start(): this {
    this.timer ??= setInterval(() => void this.flush(), this.options.flushMs ?? 250);
    this.timer.unref();
    return this;
  }

  /** One probe result or gateway attempt (a HealthSample). */
  record(sample: SampleRecord): void {
    this.stats.dropped += this.samples.push(sample, this.options.maxBuffered ?? 500_000);
    this.updateBuffered();
  }

  /** One client request through the gateway (a RequestRecord). */
  recordRequest(outcome: RequestOutcome): void {
    this.stats.dropped += this.requests.push(outcome, this.options.maxBuffered ?? 500_000);
    this.updateBuffered();
  }

  /** A request authenticated with this API token (ApiToken.lastUsedAt). */
  tokenUsed(tokenId: string, at: number): void {
    this.tokenUses.set(tokenId, at);
  }

  private updateBuffered(): void {
    this.stats.buffered = this.samples.rows.length + this.requests.rows.length;
  }

  /** Writes everything buffered so far; on failure the rows stay buffered for the next try. */
  flush(): Promise<void> {
    if (!this.flushing) {
      this.flushing = this.writeBuffered().finally(() => {
        this.flushing = null;
      });
    }
    return this.flushing;
  }

  private async writeBuffered(): Promise<void> {
    const batchSize = this.options.batchSize ?? 5_000;
    try {
      while (this.samples.rows.length > 0 || this.requests.rows.length > 0 || this.tokenUses.size > 0) {
        const samples = this.samples.rows.slice(0, batchSize);
        const requests = this.requests.rows.slice(0, batchSize);
        const droppedSamples = this.samples.droppedFromFront;
        const droppedRequests = this.requests.droppedFromFront;
        const tokenUses = [...this.tokenUses].map(([tokenId, at]) => ({ tokenId, at }));
        this.tokenUses = new Map();
        try {
          await this.write(samples, requests, tokenUses);
        } catch (error) {
          // Put back, unless a newer use has been noted since.
          for (const use of tokenUses) if (!this.tokenUses.has(use.tokenId)) this.tokenUses.set(use.tokenId, use.at);
          throw error;
        }
        this.samples.removeWritten(samples.length, droppedSamples);
        this.requests.removeWritten(requests.length, droppedRequests);
        this.stats.written += samples.length + requests.length;
        this.stats.lastError = null;
      }
      this.stats.lastFlushAt = Date.now();
    } catch (error) {
      this.stats.lastError = error instanceof Error ? (error.message.split('\n').at(-1) ?? 'write failed') : String(error);
    } finally {
      this.updateBuffered();
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }
}
