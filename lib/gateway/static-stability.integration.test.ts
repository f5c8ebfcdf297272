// Static stability, end to end: PostgreSQL is stopped under a running data
// plane (snapshot, breakers, recorder and gateway, as scripts/standby.ts
// starts them), traffic keeps flowing on the last snapshot, the health report
// says the control plane is degraded, and once PostgreSQL is back every
// buffered record is written, none twice. This file runs its own embedded
// PostgreSQL (the suite's shared server must not be stopped), so DATABASE_URL
// is pointed at it before anything connects.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { checkHealth } from '@/lib/health/status';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '@/lib/server/runtime/embedded-postgres';
import { applyMigrations } from '@/lib/server/runtime/migrate';
import { db } from '@/lib/server/db';
import { seedRoutedService } from '@/test/fixtures';
import { NO_FAULTS } from '@/lib/simulator/faults';
import { createSimulator } from '@/simulator/server';
import { startDataPlane, type DataPlane } from './runtime';
import { publishDataPlane } from '@/lib/server/data-plane-link';
import { waitFor } from '@/test/gateway-harness';

const ROOT = path.resolve(__dirname, '../..');
const PASSWORD = 'static-stability-test';
const REQUESTS_WHILE_DOWN = 12;

let parent: string;
let dataDir: string;
let port: number;
let database: EmbeddedDatabase;
let plane: DataPlane;
let upstream: http.Server;
let gateway: http.Server;
let client: OpenAI;
let serviceId: string;
let serviceName: string;
let primaryName: string;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: free } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return free;
}

const startDatabase = () => startEmbeddedPostgres({ dataDir, port, password: PASSWORD, database: 'standby' });

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

before(async () => {
  // PostgreSQL runs as the 'postgres' user: its data folder's parents must be traversable.
  parent = mkdtempSync(path.join(tmpdir(), 'standby-static-'));
  chmodSync(parent, 0o755);
  dataDir = path.join(parent, 'pg');
  port = await freePort();
  database = await startDatabase();
  process.env.DATABASE_URL = database.url;
  await applyMigrations(database.url, path.join(ROOT, 'prisma/migrations'), () => {});

  const sim = createSimulator({ loadFaults: () => NO_FAULTS, publishStats: false, chunkDelayMs: 1 });
  upstream = http.createServer((req, res) => {
    if (!sim.handle(req, res, (req.url ?? '/').split('?')[0])) res.writeHead(404).end();
  });
  const origin = await listen(upstream);

  const { service, targets, token, tokenHash } = await seedRoutedService(origin, 'static');
  primaryName = targets[0].name;
  serviceId = service.id;
  serviceName = service.name;

  plane = await startDataPlane();
  publishDataPlane(plane.link);
  gateway = http.createServer((req, res) => {
    void plane.handle(req, res, (req.url ?? '/').split('?')[0]).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  client = new OpenAI({ baseURL: `${await listen(gateway)}/api/v1`, apiKey: token, maxRetries: 0 });
  await waitFor('the service in the snapshot', () => plane.snapshots.get()?.services.has(serviceName) && plane.snapshots.get()?.tokens.has(tokenHash));
});

after(async () => {
  for (const server of [gateway, upstream]) {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
  await plane?.close();
  await db().$disconnect();
  await database?.stop();
  if (parent) rmSync(parent, { recursive: true, force: true });
});

const ask = () => client.chat.completions.create({ model: serviceName, messages: [{ role: 'user', content: 'Is the gateway still routing?' }] }).withResponse();

test('with PostgreSQL stopped, the gateway routes on its last snapshot, says the control plane is degraded, and writes every record once it is back', async () => {
  const first = await ask();
  assert.equal(first.response.headers.get('x-standby-target'), primaryName);
  await plane.recorder.flush();
  assert.equal(await db().requestRecord.count({ where: { serviceId } }), 1);

  await database.stop();
  const ids: string[] = [first.data.id];
  for (let i = 0; i < REQUESTS_WHILE_DOWN; i += 1) {
    const { data, response } = await ask();
    assert.equal(response.status, 200, 'answered while the database is down');
    assert.equal(response.headers.get('x-standby-target'), primaryName);
    ids.push(data.id);
  }
  await plane.recorder.flush();
  assert.ok(plane.recorder.stats.lastError, 'the failed write is reported');
  assert.ok(plane.recorder.stats.buffered >= 2 * REQUESTS_WHILE_DOWN, `a request record and a sample per request stay buffered (${plane.recorder.stats.buffered})`);

  const down = await checkHealth();
  assert.equal(down.status, 'degraded');
  assert.equal(down.checks.database.status, 'unreachable');
  assert.equal(down.checks.gateway?.status, 'routing');
  assert.ok((down.checks.gateway?.bufferedRecords ?? 0) >= 2 * REQUESTS_WHILE_DOWN);
  await waitFor('the snapshot to be reported stale', () => !plane.status().snapshot.fresh, 10_000);

  database = await startDatabase();
  await waitFor('the buffered records to be written', async () => {
    await plane.recorder.flush();
    return plane.recorder.stats.buffered === 0;
  }, 20_000, 200);
  const records = await db().requestRecord.findMany({ where: { serviceId }, select: { requestId: true, ok: true } });
  assert.deepEqual(records.map((r) => r.requestId).sort(), [...ids].sort(), 'every request once, none lost, none twice');
  assert.ok(records.every((r) => r.ok));
  assert.equal(await db().healthSample.count({ where: { serviceId, source: 'traffic' } }), ids.length);
  const rolled = await db().serviceRollup.aggregate({ where: { serviceId, resolutionSec: 60 }, _sum: { requests: true } });
  assert.equal(rolled._sum.requests, ids.length, 'the minute rollups count each request once');

  await waitFor('the snapshot to be fresh again', () => plane.status().snapshot.fresh, 20_000, 100);
  assert.equal((await checkHealth()).status, 'ok');
  const after = await ask();
  assert.equal(after.response.status, 200);
});
