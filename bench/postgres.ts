// The PostgreSQL server for the control-plane flip: the embedded one, in a data
// folder of the benchmark's own (.standby/bench-pg), so that the benchmark never
// contends with a test run for scripts/test-database.ts's folder. That helper is
// then pointed at this server (DATABASE_URL) and creates the fresh, migrated
// database on it. The server stops when the orchestrator goes away.
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '@/lib/server/runtime/embedded-postgres';
import { freePort, ROOT, serveIpc } from './harness';

async function main() {
  // A loopback-only server holding throwaway benchmark data.
  const server = await startEmbeddedPostgres({ dataDir: path.join(ROOT, '.standby/bench-pg'), port: await freePort(), password: 'standby-bench', database: 'postgres' });
  // Databases left by an interrupted run (scripts/test-database.ts drops its own when it can finish).
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  try {
    const stale = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'standby_test_%'`);
    for (const { datname } of stale.rows) await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(datname)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  serveIpc({}, { url: server.url }, server.stop);
}

main().catch((error) => {
  console.error('[bench postgres]', error instanceof Error ? error.message : error);
  process.exit(1);
});
