// One gateway process per core (STANDBY_WORKERS): the primary process starts
// the database and applies migrations once, then forks this many workers with
// node:cluster; they share one listening port (the primary hands connections
// out in turn) and each is a replica in the sense of worker/replica.ts, so the
// routing snapshot (NOTIFY), breakers and monitor leadership are shared through
// PostgreSQL as between replicas on different machines
// (docs/decisions/018-gateway-performance-and-every-core.md).
//
// A worker that exits while the primary is not stopping is logged and forked
// again in its slot, after a delay that doubles while it keeps dying young. The
// primary stops its workers with SIGTERM (each shuts down as a lone process
// does), waiting for them before it stops anything they depend on.
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';

/** The worker count STANDBY_WORKERS asks for: unset or 0 means one per core; 1 serves from the one process. */
export function workerCount(setting: number | undefined, cores: number = availableParallelism()): number {
  if (setting === undefined || setting === 0) return Math.max(1, cores);
  return Math.max(1, Math.floor(setting));
}

/** The environment variable a worker reads its slot from: 1..count, kept across restarts. */
export const WORKER_SLOT_VARIABLE = 'STANDBY_WORKER_SLOT';

/** Which slot this process serves as a worker (null in the primary or a lone process). */
export function workerSlot(): number | null {
  if (cluster.isPrimary) return null;
  const slot = Number(process.env[WORKER_SLOT_VARIABLE]);
  return Number.isInteger(slot) && slot > 0 ? slot : null;
}

/** The delay before a dead worker is forked again: doubled for each death within `youngMs` of its start, up to `maxMs`. */
export function restartDelay(previousDelayMs: number, livedMs: number, options: { baseMs: number; maxMs: number; youngMs: number }): number {
  if (livedMs >= options.youngMs) return options.baseMs;
  return Math.min(options.maxMs, Math.max(options.baseMs, previousDelayMs * 2));
}

export type WorkerPoolOptions = {
  count: number;
  log: (line: string) => void;
  /** The worker's entry; the primary's own script (process.argv[1]) by default. */
  exec?: string;
  args?: string[];
  /** How long stop() waits for a worker to finish before it is killed. */
  stopTimeoutMs?: number;
  restart?: { baseMs: number; maxMs: number; youngMs: number };
};

export type WorkerPool = {
  /** Resolves once every worker listens (or has exited). */
  ready: Promise<void>;
  /** The workers' process ids by slot. */
  pids: () => number[];
  stop: () => Promise<void>;
};

const describeExit = (code: number | null, signal: string | null) => (signal ? `signal ${signal}` : `code ${code}`);

export function startWorkerPool(options: WorkerPoolOptions): WorkerPool {
  const restart = options.restart ?? { baseMs: 500, maxMs: 30_000, youngMs: 10_000 };
  const stopTimeoutMs = options.stopTimeoutMs ?? 15_000;
  // An undefined exec would replace the default (this process's script) with nothing.
  cluster.setupPrimary({ exec: options.exec ?? process.argv[1], args: options.args ?? process.argv.slice(2) });
  const slots = new Map<number, { worker: Worker; startedAt: number; delayMs: number }>();
  let stopping = false;
  const timers = new Set<NodeJS.Timeout>();
  const listening: Promise<void>[] = [];

  const fork = (slot: number, delayMs: number): Worker => {
    const worker = cluster.fork({ [WORKER_SLOT_VARIABLE]: String(slot) });
    slots.set(slot, { worker, startedAt: Date.now(), delayMs });
    worker.on('exit', (code, signal) => {
      if (slots.get(slot)?.worker !== worker) return;
      if (stopping) return void slots.delete(slot);
      const lived = Date.now() - (slots.get(slot)?.startedAt ?? Date.now());
      const next = restartDelay(delayMs, lived, restart);
      options.log(`worker ${slot} (pid ${worker.process.pid}) exited with ${describeExit(code, signal)} after ${(lived / 1000).toFixed(1)} s; starting it again in ${next} ms`);
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (stopping) return;
        const again = fork(slot, next);
        again.once('listening', () => options.log(`worker ${slot} restarted (pid ${again.process.pid})`));
      }, next);
      timers.add(timer);
    });
    return worker;
  };

  for (let slot = 1; slot <= options.count; slot += 1) {
    const worker = fork(slot, restart.baseMs);
    listening.push(new Promise<void>((resolve) => {
      worker.once('listening', () => resolve());
      worker.once('exit', () => resolve());
    }));
  }
  options.log(`serving with ${options.count} worker processes (STANDBY_WORKERS; 1 serves from one process)`);

  return {
    ready: Promise.all(listening).then(() => undefined),
    pids: () => [...slots.entries()].sort(([a], [b]) => a - b).map(([, s]) => s.worker.process.pid ?? 0),
    stop: async () => {
      stopping = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const running = [...slots.values()].map((s) => s.worker).filter((w) => !w.isDead());
      await Promise.all(running.map((worker) => new Promise<void>((resolve) => {
        const kill = setTimeout(() => {
          options.log(`worker pid ${worker.process.pid} did not stop within ${stopTimeoutMs} ms; killing it`);
          worker.process.kill('SIGKILL');
        }, stopTimeoutMs);
        worker.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        worker.process.kill('SIGTERM');
      })));
      slots.clear();
    },
  };
}

// ---- asking the primary: what only the pool as a whole can answer (the metrics of every worker)

type PoolRequest = { type: 'standby:pool-request'; id: number; what: string };
type PoolReply = { type: 'standby:pool-reply'; id: number; ok: boolean; value: unknown };

const answers = new Map<string, () => Promise<unknown>>();
let answering = false;

/** In the primary: answers a worker's askPrimary(what) with what `answer` resolves to. */
export function answerWorkers(what: string, answer: () => Promise<unknown>): void {
  answers.set(what, answer);
  if (answering) return;
  answering = true;
  cluster.on('message', (worker: Worker, message: PoolRequest) => {
    if (message?.type !== 'standby:pool-request') return;
    const handler = answers.get(message.what);
    const reply = (ok: boolean, value: unknown) => {
      if (worker.isConnected()) worker.send({ type: 'standby:pool-reply', id: message.id, ok, value } satisfies PoolReply);
    };
    if (!handler) return reply(false, `the primary does not answer ${message.what}`);
    handler().then((value) => reply(true, value), (error: unknown) => reply(false, error instanceof Error ? error.message : String(error)));
  });
}

let nextRequest = 1;
const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

/** In a worker: asks the primary (answerWorkers) and waits at most `timeoutMs`. */
export function askPrimary<T>(what: string, timeoutMs = 10_000): Promise<T> {
  if (!process.send) return Promise.reject(new Error('not a worker of a pool'));
  if (waiting.size === 0 && nextRequest === 1) {
    process.on('message', (message: PoolReply) => {
      if (message?.type !== 'standby:pool-reply') return;
      const waiter = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.ok) waiter?.resolve(message.value);
      else waiter?.reject(new Error(String(message.value)));
    });
  }
  const id = nextRequest++;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new Error(`the primary did not answer ${what} within ${timeoutMs} ms`));
    }, timeoutMs);
    waiting.set(id, {
      resolve: (value) => (clearTimeout(timer), resolve(value as T)),
      reject: (error) => (clearTimeout(timer), reject(error)),
    });
    process.send!({ type: 'standby:pool-request', id, what } satisfies PoolRequest);
  });
}
