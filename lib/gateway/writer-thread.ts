import 'server-only';
// The recorder's writer thread (docs/decisions/018): a batch is handed to a
// node:worker_threads thread of this process, which encodes it and writes it
// to PostgreSQL (sample-writer.ts) while the request thread goes on serving.
// The request thread pays only for putting the batch into columns, whose
// buffers are transferred rather than copied (batch-codec.ts). One
// thread per process, started on the first write; it holds no rows of its own:
// a write is acknowledged once committed, so a thread that dies takes nothing
// with it (the recorder keeps the rows and tries again; one that dies between
// its commit and its answer leaves a batch whose retry skips the rows already
// written, as after a lost reply from PostgreSQL: sample-writer.ts reads how far
// the recorder's rows have been written in the same transaction, so rows are
// neither lost nor doubled). A thread that exits
// unasked is logged and started again on the next write, after a pause that
// doubles with each death in a row (0.5 s up to 30 s). It does not keep the
// process alive while idle; stopWriterThread() ends it after the last flush.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker, type MessagePort } from 'node:worker_threads';
import { encodeBatch, type EncodedBatch } from './batch-codec';
import type { BatchMark, RequestOutcome, SampleRecord, SampleWriter, TokenUse } from './records';

/** A batch to write, and the thread's answer to it. */
export type WriteRequest = { id: number; batch: EncodedBatch; mark?: BatchMark };
export type WriteReply = { id: number; error: string | null };

export type WriterThreadStats = { restarts: number; lastExit: string | null };

const FIRST_PAUSE_MS = 500;
const LONGEST_PAUSE_MS = 30_000;

/**
 * How to start the thread: the compiled entry beside the running bundle (scripts/build-server.mjs builds it next to
 * every server bundle), else its TypeScript source through tsx (tests and scripts run through tsx).
 */
function threadSource(): string {
  const resolve = (id: string) => JSON.stringify(require.resolve(id));
  // The thread is server-side by definition: 'server-only' is pre-registered as empty (scripts/server-only-shim.cjs).
  const shim = `const r = ${resolve('server-only')}; require.cache[r] = { id: r, filename: r, loaded: true, exports: {} };`;
  const compiled = path.join(__dirname, 'writer-thread-entry.cjs');
  if (existsSync(compiled)) return `${shim}\nrequire(${JSON.stringify(compiled)});`;
  return `${shim}\nrequire(${resolve('tsx/cjs')});\nrequire(${JSON.stringify(path.join(__dirname, 'writer-thread-entry.ts'))});`;
}

export class WriterThread {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private nextId = 1;
  private deathsInARow = 0;
  private pausedUntil = 0;
  private stopping = false;
  readonly stats: WriterThreadStats = { restarts: 0, lastExit: null };

  constructor(
    private readonly log: (line: string) => void = (line) => console.error(`[standby] ${line}`),
    private readonly now: () => number = Date.now,
  ) {}

  /** Writes one batch in the thread; resolves once it is committed, rejects if it was not (nothing of it kept). */
  readonly write: SampleWriter = (samples, requests, tokenUses, mark) => {
    const worker = this.running();
    if (!worker) return Promise.reject(new Error(`the writer thread is restarting (after ${this.stats.lastExit ?? 'an exit'})`));
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Held open while a batch is in flight, so that nothing awaiting it is left without an event loop.
      if (this.pending.size === 1) worker.ref();
      handOver(worker, id, samples, requests, tokenUses, mark);
    });
  };

  /** The running thread, started if there is none and no pause after a death is under way. */
  private running(): Worker | null {
    if (this.worker) return this.worker;
    if (this.now() < this.pausedUntil) return null;
    this.stopping = false;
    const worker = new Worker(threadSource(), { eval: true, name: 'standby recorder writer' });
    worker.unref();
    const startedAt = this.now();
    worker.on('message', (reply: WriteReply) => this.settle(reply.id, reply.error));
    worker.on('error', (error) => {
      this.stats.lastExit = `an uncaught error: ${error.message}`;
    });
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = null;
      const asked = this.stopping;
      const why = this.stats.lastExit?.startsWith('an uncaught error') && code !== 0 ? this.stats.lastExit : `exit code ${code}`;
      for (const id of [...this.pending.keys()]) this.settle(id, `the writer thread stopped (${why})`);
      if (asked) return;
      // Deaths soon after a start come in a row (a database URL it cannot use, say): pause longer each time.
      this.deathsInARow = this.now() - startedAt < 10_000 ? this.deathsInARow + 1 : 1;
      const pauseMs = Math.min(LONGEST_PAUSE_MS, FIRST_PAUSE_MS * 2 ** (this.deathsInARow - 1));
      this.pausedUntil = this.now() + pauseMs;
      this.stats.restarts += 1;
      this.stats.lastExit = why;
      this.log(`the recorder's writer thread stopped (${why}) after ${Math.round((this.now() - startedAt) / 1000)} s; started again in ${pauseMs} ms, its batch kept to be written then`);
    });
    this.worker = worker;
    return worker;
  }

  private settle(id: number, error: string | null): void {
    const waiter = this.pending.get(id);
    if (!waiter) return;
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker?.unref();
    if (error === null) waiter.resolve();
    else waiter.reject(new Error(error));
  }

  /** Ends the thread once its batches in flight are answered (it closes its database connections first). */
  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.stopping = true;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.ref();
    worker.postMessage({ stop: true });
    await exited;
  }

  /** For tests: the thread running now, if any. */
  current(): Worker | null {
    return this.worker;
  }
}

/**
 * What the request thread does with a batch: encode it as columns and post it, its buffers transferred. Exported so that
 * the gateway benchmark (bench/gateway.ts) pays exactly this on its request thread, with no database behind it.
 */
export function handOver(
  port: Pick<Worker | MessagePort, 'postMessage'>, id: number, samples: readonly SampleRecord[], requests: readonly RequestOutcome[], tokenUses: TokenUse[], mark?: BatchMark,
): void {
  const { batch, transfer } = encodeBatch(samples, requests, tokenUses);
  port.postMessage({ id, batch, mark } satisfies WriteRequest, transfer);
}

/** The writer thread of this process (one, like its Prisma client). */
export const writerThread = new WriterThread();

/** The recorder's default writer: the batch goes to this process's writer thread. */
export const writeOffThread: SampleWriter = (samples, requests, tokenUses, mark) => writerThread.write(samples, requests, tokenUses, mark);

/** Ends the writer thread after the last flush (a replica's shutdown). */
export const stopWriterThread = () => writerThread.stop();
