import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildServer } from './build-server.mjs';

// The production server is what `npm start` runs: the simulated upstreams are no part of it
// unless asked for, when scripts/run.mjs builds them into a bundle of their own.
test('the production server bundle holds no simulated upstream and nothing of Next\'s request runtime; the simulator bundle holds the upstreams', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'standby-bundle-'));
  try {
    const server = readFileSync(await buildServer('scripts/standby.ts', path.join(dir, 'standby.cjs')), 'utf8');
    const simulator = readFileSync(await buildServer('simulator/index.ts', path.join(dir, 'simulator.cjs')), 'utf8');
    for (const file of ['simulator/server.ts', 'simulator/replies.ts', 'simulator/demo-traffic.ts', 'simulator/fault-cache.ts']) {
      assert.ok(!server.includes(`// ${file}`), `the server bundle includes ${file}`);
      assert.ok(simulator.includes(`// ${file}`), `the simulator bundle lacks ${file}`);
    }
    assert.ok(server.includes('// worker/replica.ts') && server.includes('// lib/gateway/handler.ts'), 'the server bundle holds the replica and the gateway');
    // It runs beside Next, not in it: Next's request-scoped modules throw when loaded outside a request's runtime.
    for (const inNextOnly of ['next/navigation', 'next/cache', 'next/headers']) assert.ok(!server.includes(`require("${inNextOnly}")`), `the server bundle loads ${inNextOnly}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
