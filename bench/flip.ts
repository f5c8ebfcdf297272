// The control-plane flip measurement, run by bench/run.ts inside
// scripts/test-database.ts (a fresh, migrated PostgreSQL in DATABASE_URL):
// two replicas in processes of their own follow the routing snapshot, and each
// flip commits a pin (clearing the previous one) and times how long until both
// replicas' snapshots hold it. Writes its figures as JSON to BENCH_FLIP_OUT.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { db } from '@/lib/server/db';
import { now, sleep, startChild } from './harness';

// env() wants these; the benchmark's database holds no secrets.
process.env.NEXTAUTH_SECRET ??= 'benchmark-only-secret-0123456789abcdef01234';
process.env.STANDBY_ENCRYPTION_KEY ??= Buffer.alloc(32, 7).toString('base64');

const FLIPS = Number(process.env.BENCH_FLIPS ?? 20);
/** Flips before the measured ones, not counted: the replicas' first reloads after start-up run cold code (Prisma's query paths, the JIT). */
const WARMUP_FLIPS = 3;

export type FlipResult = { flips: { latencyMs: number[]; commitMs: number }[]; missed: number; replicas: number };

async function seed() {
  const provider = await db().provider.create({ data: { name: 'bench-provider', kind: 'openai', apiStyle: 'openai_chat' }, select: { id: true } });
  const region = await db().region.create({ data: { code: 'bench-local', name: 'Bench' }, select: { id: true } });
  const target = (name: string) =>
    db().target.create({
      data: {
        name, providerId: provider.id, regionId: region.id, model: 'bench-model', endpointUrl: 'http://127.0.0.1:9/v1', rpm: 1000, tpm: 100_000,
        contextWindow: 128_000, priceInPerMTok: 1, priceOutPerMTok: 1, qualityClass: 'standard',
      },
      select: { id: true },
    });
  const [a, b] = [await target('bench-primary'), await target('bench-secondary')];
  const service = await db().service.create({ data: { name: 'bench-service' }, select: { id: true } });
  await db().chainEntry.createMany({ data: [{ serviceId: service.id, targetId: a.id, position: 0 }, { serviceId: service.id, targetId: b.id, position: 1 }] });
  return { serviceId: service.id, targetIds: [a.id, b.id] };
}

async function main() {
  const out = process.env.BENCH_FLIP_OUT;
  if (!out) throw new Error('BENCH_FLIP_OUT is not set: run through bench/run.ts');
  const { serviceId, targetIds } = await seed();
  const replicas = await Promise.all([1, 2].map((n) => startChild(`replica ${n}`, 'bench/flip-replica.ts')));
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  const flips: FlipResult['flips'] = [];
  let missed = 0;
  try {
    for (let i = -WARMUP_FLIPS; i < FLIPS; i += 1) {
      const id = randomUUID();
      await client.query('BEGIN');
      await client.query(`UPDATE "RoutingOverride" SET "clearedAt" = now(), "clearedBy" = 'bench' WHERE "serviceId" = $1 AND "clearedAt" IS NULL`, [serviceId]);
      await client.query(`INSERT INTO "RoutingOverride" (id, kind, "serviceId", "targetId", reason, "createdBy") VALUES ($1, 'pin', $2, $3, 'bench flip', 'bench')`, [
        id, serviceId, targetIds[(i + WARMUP_FLIPS) % 2],
      ]);
      // Timed from just before COMMIT is sent, so the figure includes the commit itself.
      const committing = now();
      await client.query('COMMIT');
      const commitMs = now() - committing;
      const seen = await Promise.all(replicas.map((r) => r.call<number | null>('waitForPin', { id, timeoutMs: 5_000 })));
      const measured = i >= 0; // not a warm-up flip
      if (measured && seen.some((at) => at === null)) missed += 1;
      else if (measured) flips.push({ latencyMs: seen.map((at) => (at as number) - committing), commitMs });
      if (i >= 0 && (i + 1) % 5 === 0) console.log(`[bench]   ${i + 1} of ${FLIPS} flips`);
      await sleep(150);
    }
  } finally {
    await client.end();
    await Promise.all(replicas.map((r) => r.call('close').catch(() => {}).then(() => r.stop())));
    await db().$disconnect();
  }
  writeFileSync(out, JSON.stringify({ flips, missed, replicas: replicas.length } satisfies FlipResult));
}

main().catch((error) => {
  console.error('[bench flip]', error);
  process.exit(1);
});
