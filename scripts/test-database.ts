// A real PostgreSQL for the test suites (never a mock: production runs on Postgres).
//   tsx scripts/test-database.ts run -- <command...>   creates a fresh database, runs the command
//                                                      with DATABASE_URL pointing at it, drops it
//   tsx scripts/test-database.ts serve                 (Playwright's first webServer) a fresh
//                                                      database on a fixed port for the e2e run,
//                                                      ready when http://127.0.0.1:<port+1000>/ answers
// With DATABASE_URL set, that server is used instead of the embedded one, and it must be local.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../lib/server/runtime/embedded-postgres';
import { applyMigrations } from '../lib/server/runtime/migrate';

const ROOT = path.resolve(__dirname, '..');
import { E2E_PG_PORT, E2E_PG_READY_PORT } from '../e2e/test-env';

const TEST_PASSWORD = 'standby-test'; // loopback-only server holding throwaway test data (e2e/test-env.ts)

function assertLocal(url: string): void {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) {
    throw new Error(`Refusing to run tests against ${host}: DATABASE_URL must point at a local server, because the tests create and drop databases.`);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function startServer(port: number, dir: string): Promise<{ adminUrl: string; stop: () => Promise<void> }> {
  if (process.env.DATABASE_URL) {
    assertLocal(process.env.DATABASE_URL);
    return { adminUrl: process.env.DATABASE_URL, stop: async () => {} };
  }
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(ROOT, '.standby', dir), port, password: TEST_PASSWORD, database: 'postgres' });
  return { adminUrl: embedded.url, stop: embedded.stop };
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function recreateDatabase(adminUrl: string, database: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(database)} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(database)}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, database);
  await applyMigrations(url, path.join(ROOT, 'prisma/migrations'));
  return url;
}

async function dropDatabase(adminUrl: string, database: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(database)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

async function runWithDatabase(command: string[]): Promise<number> {
  // A folder per run, so two runs (two developers' shells, CI and a hook) never collide.
  const dir = `test-pg-${process.pid}`;
  const server = await startServer(await freePort(), dir);
  const database = `standby_test_${process.pid}`;
  try {
    const url = await recreateDatabase(server.adminUrl, database);
    return await new Promise<number>((resolve) => {
      const child = spawn(command[0], command.slice(1), {
        cwd: ROOT,
        stdio: 'inherit',
        env: { ...process.env, DATABASE_URL: url, STANDBY_TEST_ADMIN_URL: server.adminUrl },
      });
      // Stopped from outside (a developer's Ctrl-C, a CI timeout): the tests stop first, then the database is dropped and
      // its server stopped below, so that nothing is left running.
      const forward = (signal: NodeJS.Signals) => child.kill(signal);
      process.on('SIGINT', forward);
      process.on('SIGTERM', forward);
      child.on('exit', (code, signal) => {
        process.off('SIGINT', forward);
        process.off('SIGTERM', forward);
        resolve(code ?? (signal ? 1 : 0));
      });
    });
  } finally {
    await dropDatabase(server.adminUrl, database).catch((error) => console.error('could not drop the test database', error));
    await server.stop();
    if (!process.env.DATABASE_URL) rmSync(path.join(ROOT, '.standby', dir), { recursive: true, force: true });
  }
}

async function serveForE2e(): Promise<void> {
  const server = await startServer(E2E_PG_PORT, 'e2e-pg');
  const database = 'standby_e2e';
  await recreateDatabase(server.adminUrl, database);
  const ready = http.createServer((_req, res) => res.end('ready')).listen(E2E_PG_READY_PORT, '127.0.0.1');
  console.log(`[test-database] ${database} ready on port ${E2E_PG_PORT}`);
  const stop = async () => {
    ready.close();
    await dropDatabase(server.adminUrl, database).catch(() => {});
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'run') {
  const command = rest[0] === '--' ? rest.slice(1) : rest;
  runWithDatabase(command).then(
    (code) => process.exit(code),
    (error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
} else if (mode === 'serve') {
  serveForE2e().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
} else {
  console.error('usage: tsx scripts/test-database.ts run -- <command...> | serve');
  process.exit(2);
}
