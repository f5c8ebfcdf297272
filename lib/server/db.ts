import 'server-only';
// One Prisma client per process (STYLE.md habit 2), over node-postgres.
import { isMainThread } from 'node:worker_threads';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client';
import { env } from './env';
import { processSlot } from './process-slot';

export { Prisma } from './generated/prisma/client';

// One for the whole process, whichever bundle asks (process-slot.ts), and across next dev's reloads.
const shared = processSlot<PrismaClient>('prisma');

function createClient(): PrismaClient {
  // The recorder's writer thread (lib/gateway/writer-thread.ts) writes one batch at a time: two connections are plenty.
  const adapter = new PrismaPg({ connectionString: env().DATABASE_URL, max: isMainThread ? 10 : 2 });
  return new PrismaClient({ adapter });
}

/** The process-wide client; created on first use so builds never connect. */
export function db(): PrismaClient {
  let current = shared.get();
  if (!current) shared.set((current = createClient()));
  return current;
}

export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

/**
 * Runs reads together on the pool, and one after another inside a transaction:
 * a transaction is one connection, which takes one query at a time (pg warns
 * of overlapping ones, and will refuse them).
 */
export async function readAll<const T extends readonly (() => Promise<unknown>)[]>(client: object, reads: T): Promise<{ -readonly [K in keyof T]: Awaited<ReturnType<T[K]>> }> {
  type Results = { -readonly [K in keyof T]: Awaited<ReturnType<T[K]>> };
  if (client === shared.get()) return (await Promise.all(reads.map((read) => read()))) as Results;
  const results: unknown[] = [];
  for (const read of reads) results.push(await read());
  return results as Results;
}
