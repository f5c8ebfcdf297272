import 'server-only';
// Attempts, probe results and client requests are recorded without the hot
// path waiting on the database: record(), recordRequest() and tokenUsed() only
// append to a buffer, and a timer hands the buffers over to the writer thread
// (writer-thread.ts), which encodes and writes them in one transaction with
// the rollup deltas of exactly those rows (sample-writer.ts), so a failed
// flush is retried whole and nothing is counted twice. One batch is in flight
// at a time, and rows leave the buffer only once written: a flush that fails
// (PostgreSQL unreachable, the writer thread restarting) keeps them for the
// next try, up to maxBuffered each, past which the oldest are dropped and
// counted (static stability; /api/metrics shows both). Each batch carries
// where its rows stand in this recorder's order (BatchMark), so that one
// retried after its commit's answer was lost writes only what is new.
import { randomUUID } from 'node:crypto';
import type { RecorderStats, RequestOutcome, SampleRecord, SampleWriter } from './records';
import { writeOffThread } from './writer-thread';

export type { BatchMark, RecorderStats, RequestOutcome, SampleRecord, SampleWriter, ServedBy, TokenUse } from './records';

/**
 * A FIFO that appends in O(1) and, past its bound, drops its oldest rows in
 * chunks (so a long outage costs one shift per `slack` rows, not one per row).
 * It counts what it drops from the front, so a flush that was writing those
 * very rows removes only what is still there afterwards.
 */
class BoundedBuffer<T> {
  rows: T[] = [];
  droppedFromFront = 0;
  private pushed = 0;

  /** The position of rows[0] among every row ever pushed, counted from 0. */
  get firstPosition(): number {
    return this.pushed - this.rows.length;
  }

  push(row: T, max: number): number {
    this.pushed += 1;
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
  /** Names this recorder's rows in RecorderProgress (sample-writer.ts). */
  readonly id = randomUUID();
  readonly stats: RecorderStats = { buffered: 0, written: 0, dropped: 0, failedFlushes: 0, lastError: null, lastFlushAt: null };

  constructor(
    private readonly write: SampleWriter = writeOffThread,
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
        const mark = { recorder: this.id, samplesFrom: this.samples.firstPosition, requestsFrom: this.requests.firstPosition };
        const samples = this.samples.rows.slice(0, batchSize);
        const requests = this.requests.rows.slice(0, batchSize);
        const droppedSamples = this.samples.droppedFromFront;
        const droppedRequests = this.requests.droppedFromFront;
        const tokenUses = [...this.tokenUses].map(([tokenId, at]) => ({ tokenId, at }));
        this.tokenUses = new Map();
        try {
          await this.write(samples, requests, tokenUses, mark);
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
      this.stats.failedFlushes += 1;
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
