import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createScratchDatabase } from '@/test/fixtures';
import { applyMigrations, MigrationError } from './migrate';

const ROOT = path.resolve(__dirname, '../../..');
const MIGRATIONS = path.join(ROOT, 'prisma/migrations');
const folders = readdirSync(MIGRATIONS, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();

const scratch: Awaited<ReturnType<typeof createScratchDatabase>>[] = [];
async function emptyDatabase() {
  const database = await createScratchDatabase('migrate');
  scratch.push(database);
  return database.url;
}
after(async () => {
  for (const database of scratch) await database.drop();
});

type HistoryRow = { migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number; logs: string | null; rolled_back_at: Date | null };

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}
const historyOf = (url: string) => query<HistoryRow>(url, 'SELECT * FROM "_prisma_migrations" ORDER BY migration_name');

test('a new database gets every migration, recorded as Prisma records them', async () => {
  const url = await emptyDatabase();
  const report = await applyMigrations(url, MIGRATIONS);
  assert.deepEqual(report.applied, folders);

  const history = await historyOf(url);
  assert.deepEqual(history.map((row) => row.migration_name), folders);
  for (const row of history) {
    const sql = readFileSync(path.join(MIGRATIONS, row.migration_name, 'migration.sql'));
    assert.equal(row.checksum, createHash('sha256').update(sql).digest('hex'), `checksum of ${row.migration_name}`);
    assert.ok(row.finished_at instanceof Date, `${row.migration_name} is finished`);
    assert.equal(row.applied_steps_count, 1);
    assert.equal(row.rolled_back_at, null);
  }
  const tables = await query<{ table_name: string }>(url, `SELECT table_name FROM information_schema.tables WHERE table_name IN ('User', 'Target', 'AuditLog')`);
  assert.equal(tables.length, 3, 'the schema exists');
});

test('a second run applies nothing', async () => {
  const url = await emptyDatabase();
  await applyMigrations(url, MIGRATIONS);
  const again = await applyMigrations(url, MIGRATIONS);
  assert.deepEqual(again, { applied: [], alreadyApplied: folders.length });
  assert.equal((await historyOf(url)).length, folders.length);
});

test('two replicas starting at once on an empty database both succeed and apply each migration once', async () => {
  const url = await emptyDatabase();
  const [a, b] = await Promise.all([applyMigrations(url, MIGRATIONS), applyMigrations(url, MIGRATIONS)]);
  assert.deepEqual([...a.applied, ...b.applied].sort(), folders);
  assert.deepEqual((await historyOf(url)).map((row) => row.migration_name), folders);
});

test('a broken migration fails by name, leaves nothing half-applied, and blocks the next start until resolved', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'standby-migrations-'));
  try {
    cpSync(MIGRATIONS, dir, { recursive: true });
    const broken = '99990101000000_broken';
    mkdirSync(path.join(dir, broken));
    writeFileSync(path.join(dir, broken, 'migration.sql'), 'CREATE TABLE "half_done" (id int);\nSELECT no_such_function();\n');
    const url = await emptyDatabase();

    await assert.rejects(applyMigrations(url, dir), (error: unknown) => error instanceof MigrationError && error.message.includes(broken));
    const row = (await historyOf(url)).find((r) => r.migration_name === broken);
    assert.ok(row, 'the failed migration is in the history');
    assert.equal(row.finished_at, null);
    assert.match(row.logs ?? '', /no_such_function/);
    assert.equal((await query(url, `SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'`)).length, 0, 'its statements were rolled back');

    await assert.rejects(
      applyMigrations(url, dir),
      (error: unknown) => error instanceof MigrationError && error.message.includes(`prisma migrate resolve --applied|--rolled-back ${broken}`),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const schemaEngine = path.resolve(ROOT, '../shared/tools/prisma-offline/schema-engine');
test(
  'prisma/schema.prisma and prisma/migrations describe the same schema (prisma migrate diff)',
  { skip: existsSync(schemaEngine) ? false : `no offline Prisma schema engine at ${schemaEngine}` },
  async () => {
    const url = await emptyDatabase();
    const diff = spawnSync(
      process.execPath,
      [path.join(ROOT, 'node_modules/prisma/build/index.js'), 'migrate', 'diff', '--from-migrations', 'prisma/migrations', '--to-schema', 'prisma/schema.prisma', '--exit-code'],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: schemaEngine, DATABASE_URL: url } },
    );
    // --exit-code: 0 no difference, 2 a difference (printed), 1 an error.
    assert.equal(diff.status, 0, `prisma migrate diff exited ${diff.status}:\n${diff.stdout}\n${diff.stderr}`);
  },
);
