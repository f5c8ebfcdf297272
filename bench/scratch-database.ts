// What the database benchmarks (bench/recovery.ts, bench/backups.ts) share:
// their log line and number formats, and a fresh, migrated database of their
// own on the benchmark's embedded PostgreSQL (bench/postgres.ts), which
// DATABASE_URL then names for the code under test.
import path from 'node:path';
import pg from 'pg';
import { applyMigrations } from '@/lib/server/runtime/migrate';
import { ROOT, startChild } from './harness';

/** `[bench <name>  12 s] message` */
export function benchLog(name: string): (message: string) => void {
  const t0 = Date.now();
  return (message) => console.log(`[bench ${name} ${((Date.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${message}`);
}

export const int = (x: number) => Math.round(x).toLocaleString('en-US');
export const ms = (x: number) => `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`;
export const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;

/** Secrets a benchmark process needs to load Standby's modules (never real ones). */
export function benchSecrets(): void {
  process.env.NEXTAUTH_SECRET ??= 'benchmark-only-secret-0123456789abcdef01234';
  process.env.STANDBY_ENCRYPTION_KEY ??= Buffer.alloc(32, 7).toString('base64');
}

export type ScratchDatabase = {
  url: string;
  /** Connected to the scratch database. */
  client: pg.Client;
  /** Drops the database (unless kept) and stops the server. */
  close: (options?: { keep?: boolean; log?: (line: string) => void }) => Promise<void>;
};

/** Starts the benchmark's PostgreSQL, creates `name` afresh with every migration, and points DATABASE_URL at it. */
export async function openScratchDatabase(name: string): Promise<ScratchDatabase> {
  const postgres = await startChild<{ url: string }>('postgres', 'bench/postgres.ts', { readyTimeoutMs: 120_000, ownGroup: true });
  const admin = new pg.Client({ connectionString: postgres.info.url });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(postgres.info.url);
  url.pathname = `/${name}`;
  process.env.DATABASE_URL = url.toString();
  await applyMigrations(url.toString(), path.join(ROOT, 'prisma/migrations'));
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  return {
    url: url.toString(),
    client,
    close: async ({ keep = false, log } = {}) => {
      const { db } = await import('@/lib/server/db');
      await db().$disconnect().catch(() => {});
      await client.end().catch(() => {});
      if (!keep) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch((error) => console.error(`[bench] could not drop ${name}`, error));
      await admin.end().catch(() => {});
      if (keep) {
        log?.(`${url.toString()} stays up until this process is stopped`);
        await new Promise(() => {});
      }
      await postgres.stop(30_000);
    },
  };
}

/** Runs `run` against a scratch database `name`, which is dropped (and its server stopped) afterwards, whatever happened. */
export async function withBenchDatabase<T>(name: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  benchSecrets();
  const database = await openScratchDatabase(name);
  try {
    return await run(database.client);
  } finally {
    await database.close();
  }
}

/** Two targets on a provider and region of their own, chained in that order for one service, as the drills and incidents benchmarks route. */
export async function seedBenchService() {
  const { db } = await import('@/lib/server/db');
  const { syncComponents } = await import('@/lib/recovery/components');
  const provider = await db().provider.create({ data: { name: 'bench-provider', kind: 'openai', apiStyle: 'openai_chat' }, select: { id: true } });
  const region = await db().region.create({ data: { code: 'bench-local', name: 'Bench' }, select: { id: true } });
  const target = (name: string) =>
    db().target.create({
      data: { name, providerId: provider.id, regionId: region.id, model: 'bench-model', endpointUrl: 'http://127.0.0.1:9/v1', rpm: 1000, tpm: 100_000, contextWindow: 128_000, priceInPerMTok: 1, priceOutPerMTok: 1, qualityClass: 'standard' },
      select: { id: true, name: true },
    });
  const targets = [await target('bench-primary'), await target('bench-secondary')];
  const service = await db().service.create({ data: { name: 'bench-service', chain: { create: targets.map((t, position) => ({ targetId: t.id, position })) } }, select: { id: true, name: true } });
  await syncComponents();
  return { targets, service };
}

/** A user of this role, as the benchmarks' mutations need a caller. */
export async function benchUser(role: 'operator' | 'commander') {
  const { db } = await import('@/lib/server/db');
  const name = role === 'operator' ? 'Bench Operator' : 'Bench Commander';
  return db().user.create({ data: { email: `${role}@bench.local`, name, role, passwordHash: 'x' }, select: { id: true, email: true, name: true, role: true } });
}
