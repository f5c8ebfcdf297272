import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { EmbeddedDatabaseError, startEmbeddedPostgres } from './embedded-postgres';

const ROOT = path.resolve(__dirname, '../../..');
const password = 'embedded-test';

async function listenOnFreePort(): Promise<net.Server> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
// Postgres runs as the 'postgres' user, so its parent folder must be traversable (mkdtemp makes it private).
function newParentFolder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'standby-pg-'));
  chmodSync(dir, 0o755);
  return dir;
}
const portOf = (server: net.Server) => (server.address() as net.AddressInfo).port;
async function freePort(): Promise<number> {
  const server = await listenOnFreePort();
  const port = portOf(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}
const rejectsSaying = (promise: Promise<unknown>, ...parts: (string | RegExp)[]) =>
  assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof EmbeddedDatabaseError, String(error));
    for (const part of parts) assert.ok(typeof part === 'string' ? error.message.includes(part) : part.test(error.message), error.message);
    return true;
  });

test('a port already in use is refused, naming the port and how to choose another', async () => {
  const squatter = await listenOnFreePort();
  const dir = newParentFolder();
  try {
    const port = portOf(squatter);
    await rejectsSaying(startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port, password, database: 'standby' }), `Port ${port}`, 'STANDBY_PG_PORT', 'DATABASE_URL');
    assert.ok(!existsSync(path.join(dir, 'pg')), 'nothing was initialised');
  } finally {
    squatter.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a data path that is a file, not a folder, is refused with a clear message', async () => {
  const dir = newParentFolder();
  try {
    const file = path.join(dir, 'pg');
    writeFileSync(file, 'not a database');
    await rejectsSaying(startEmbeddedPostgres({ dataDir: file, port: 1, password, database: 'standby' }), file, 'is not a folder');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a fresh folder gets a working server that keeps its data across a restart, and one server per folder', async () => {
  const dataDir = path.join(ROOT, '.standby', `embedded-test-${process.pid}`);
  const port = await freePort();
  const query = async (url: string, sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };
  try {
    const first = await startEmbeddedPostgres({ dataDir, port, password, database: 'kept' });
    try {
      await query(first.url, 'CREATE TABLE survivor (note text); INSERT INTO survivor VALUES (\'still here\')');
      await rejectsSaying(startEmbeddedPostgres({ dataDir, port: await freePort(), password, database: 'kept' }), /Another PostgreSQL \(pid \d+\) is already running/);
    } finally {
      await first.stop();
    }
    const second = await startEmbeddedPostgres({ dataDir, port, password, database: 'kept' });
    try {
      assert.deepEqual(await query(second.url, 'SELECT note FROM survivor'), [{ note: 'still here' }]);
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
