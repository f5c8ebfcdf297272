import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { disconnect } from '@/test/fixtures';
import { db } from '@/lib/server/db';
import { checkHealth } from './status';

// A running Standby has opened its connection pool long before a probe arrives; a cold
// Prisma client can take over a second to load and connect on a busy machine.
before(async () => {
  await db().$queryRaw`SELECT 1`;
});
after(disconnect);

test('with its database reachable, Standby reports ok and how long the database took to answer', async () => {
  const report = await checkHealth();
  assert.equal(report.status, 'ok');
  assert.equal(report.checks.database.status, 'ok');
  assert.equal(typeof report.checks.database.latencyMs, 'number');
  assert.ok(report.checks.database.latencyMs! >= 0);
});

test('with its database down, Standby reports degraded and why', async () => {
  const closedPort = await new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
  // Its own process: this one's database client is already connected to the test database.
  const child = spawnSync(
    process.execPath,
    ['--require', './scripts/server-only-shim.cjs', '--import', 'tsx', '--eval', "require('./lib/health/status.ts').checkHealth().then((r) => console.log(JSON.stringify(r)))"],
    { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8', env: { ...process.env, DATABASE_URL: `postgresql://postgres:x@127.0.0.1:${closedPort}/standby` } },
  );
  const report = JSON.parse(child.stdout || '{}');
  assert.equal(report.status, 'degraded', child.stderr);
  assert.equal(report.checks.database.status, 'unreachable');
  assert.match(report.checks.database.error, new RegExp(`127\\.0\\.0\\.1:${closedPort}`), 'names the server it cannot reach');
});
