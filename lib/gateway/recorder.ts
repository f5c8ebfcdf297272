import 'server-only';
// Attempts and probe results are recorded without the hot path waiting on the
// database: record() only appends to a buffer, and a timer writes the buffer in
// one multi-row INSERT. If PostgreSQL is unreachable the buffer keeps growing
// (up to maxBuffered) and is written when it returns (static stability).
import type { Tier } from '@/lib/degradation/tier';
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

export type SampleWriter = (rows: SampleRecord[]) => Promise<void>;

/** Writes a batch with one statement: arrays unnested server-side. */
export const writeSamples: SampleWriter = async (rows) => {
  const col = <K extends keyof SampleRecord>(key: K) => rows.map((row) => row[key]);
  await db().$executeRaw`
    INSERT INTO "HealthSample" ("targetId", "serviceId", "source", "at", "ok", "errorClass", "statusCode", "latencyMs", "ttftMs", "requestId", "attempt", "promptTokens", "completionTokens")
    SELECT * FROM unnest(
      ${col('targetId')}::uuid[], ${col('serviceId')}::uuid[], ${col('source')}::"SampleSource"[], ${rows.map((r) => new Date(r.at))}::timestamp[],
      ${col('ok')}::boolean[], ${col('errorClass')}::text[], ${col('statusCode')}::int[], ${col('latencyMs')}::int[], ${col('ttftMs')}::int[],
      ${col('requestId')}::text[], ${col('attempt')}::int[], ${col('promptTokens')}::int[], ${col('completionTokens')}::int[]
    )`;
};

export class SampleRecorder {
  private buffer: SampleRecord[] = [];
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

  record(sample: SampleRecord): void {
    this.buffer.push(sample);
    const max = this.options.maxBuffered ?? 500_000;
    if (this.buffer.length > max) {
      // Only when the database has been away for very long: keep the newest.
      const excess = this.buffer.length - max;
      this.buffer.splice(0, excess);
      this.stats.dropped += excess;
    }
    this.stats.buffered = this.buffer.length;
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
      while (this.buffer.length > 0) {
        const batch = this.buffer.slice(0, batchSize);
        await this.write(batch);
        this.buffer.splice(0, batch.length);
        this.stats.written += batch.length;
        this.stats.lastError = null;
      }
      this.stats.lastFlushAt = Date.now();
    } catch (error) {
      this.stats.lastError = error instanceof Error ? (error.message.split('\n').at(-1) ?? 'write failed') : String(error);
    } finally {
      this.stats.buffered = this.buffer.length;
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }
}
