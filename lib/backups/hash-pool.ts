import 'server-only';
// SHA-256 of many files on every core: a pool of worker threads, one per core
// (at most one per file), each reading its file in 4 MiB blocks into one
// reused buffer and hashing as it goes, largest files first so that the last
// shard does not finish alone. Workers report progress every 64 MiB. The
// worker's code is a string evaluated in the thread (plain Node, no imports
// of ours), so it runs the same from TypeScript, from the compiled server
// bundle and from tests.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { createHash } = require('node:crypto');
const BLOCK = 4 * 1024 * 1024;
const REPORT = 64 * 1024 * 1024;
const buffer = Buffer.allocUnsafe(BLOCK);
parentPort.on('message', ({ id, path }) => {
  let fd = null;
  try {
    fd = openSync(path, 'r');
    const hash = createHash('sha256');
    let unreported = 0;
    let size = 0;
    for (;;) {
      const read = readSync(fd, buffer, 0, BLOCK, null);
      if (read === 0) break;
      hash.update(read === BLOCK ? buffer : buffer.subarray(0, read));
      size += read;
      unreported += read;
      if (unreported >= REPORT) { parentPort.postMessage({ id, progress: unreported }); unreported = 0; }
    }
    if (unreported) parentPort.postMessage({ id, progress: unreported });
    parentPort.postMessage({ id, sha256: hash.digest('hex'), sizeBytes: size });
  } catch (error) {
    parentPort.postMessage({ id, error: error && error.message ? error.message : String(error) });
  } finally {
    if (fd !== null) closeSync(fd);
  }
});
`;

export type HashJob = { path: string; sizeBytes: number };
export type HashResult = { path: string; sha256: string; sizeBytes: number };

type Message = { id: number; progress?: number; sha256?: string; sizeBytes?: number; error?: string };

/** How many threads a scan uses: every core, never more threads than files. */
export const hashThreads = (files: number, cores = availableParallelism()) => Math.max(1, Math.min(cores, files));

/**
 * Hashes every file; `onProgress` gets the bytes read since its last call.
 * Rejects with the first file that cannot be read (after stopping the rest).
 */
export async function hashFiles(jobs: readonly HashJob[], options: { threads?: number; onProgress?: (bytes: number) => void } = {}): Promise<HashResult[]> {
  if (jobs.length === 0) return [];
  const order = jobs.map((job, id) => ({ ...job, id })).sort((a, b) => b.sizeBytes - a.sizeBytes);
  const results: HashResult[] = new Array(jobs.length);
  const workers = Array.from({ length: options.threads ?? hashThreads(jobs.length) }, () => new Worker(WORKER_SOURCE, { eval: true }));
  let next = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      let done = 0;
      let failed = false;
      const give = (worker: Worker) => {
        const job = order[next++];
        if (job) worker.postMessage({ id: job.id, path: job.path });
      };
      for (const worker of workers) {
        worker.on('message', (message: Message) => {
          if (failed) return;
          if (message.progress !== undefined) return options.onProgress?.(message.progress);
          if (message.error !== undefined) {
            failed = true;
            return reject(new Error(`${jobs[message.id].path}: ${message.error}`));
          }
          results[message.id] = { path: jobs[message.id].path, sha256: message.sha256!, sizeBytes: message.sizeBytes! };
          done += 1;
          if (done === jobs.length) resolve();
          else give(worker);
        });
        worker.on('error', (error) => {
          failed = true;
          reject(error);
        });
        give(worker);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
