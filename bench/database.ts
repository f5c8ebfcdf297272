// A benchmark's own database (the recovery and incidents sections): PostgreSQL
// in a process group of its own (bench/postgres.ts), a fresh database with every
// migration applied and DATABASE_URL pointing at it, and afterwards, whatever
// happened, the database dropped and PostgreSQL stopped.
import path from 'node:path';
import pg from 'pg';
import { applyMigrations } from '@/lib/server/runtime/migrate';
import { ROOT, startChild } from './harness';

export async function withBenchDatabase<T>(database: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  process.env.NEXTAUTH_SECRET ??= 'benchmark-only-secret-0123456789abcdef01234';
  process.env.STANDBY_ENCRYPTION_KEY ??= Buffer.alloc(32, 7).toString('base64');
  const postgres = await startChild<{ url: string }>('postgres', 'bench/postgres.ts', { readyTimeoutMs: 120_000, ownGroup: true });
  const admin = new pg.Client({ connectionString: postgres.info.url });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(postgres.info.url);
  url.pathname = `/${database}`;
  process.env.DATABASE_URL = url.toString();
  const client = new pg.Client({ connectionString: url.toString() });
  let disconnect = async () => {};
  try {
    await applyMigrations(url.toString(), path.join(ROOT, 'prisma/migrations'));
    await client.connect();
    const { db } = await import('@/lib/server/db');
    disconnect = () => db().$disconnect();
    return await run(client);
  } finally {
    await disconnect().catch(() => {});
    await client.end().catch(() => {});
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch((error) => console.error(`[bench] could not drop the database ${database}`, error));
    await admin.end().catch(() => {});
    await postgres.stop(30_000);
  }
}
