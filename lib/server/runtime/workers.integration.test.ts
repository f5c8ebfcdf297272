// STANDBY_WORKERS on a real PostgreSQL: a pool of replica processes on one port
// (test/worker-pool/), each following the routing snapshot through NOTIFY, one
// monitor leader among them, a worker that dies started again and logged, and
// SIGTERM or SIGINT stopping every process. Bounded waits are test timeouts, never assertions.
import { disconnect, seedRoutedService, uniqueName } from '@/test/fixtures';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { db } from '@/lib/server/db';
import { waitFor as waitUntil } from '@/test/gateway-harness';

after(disconnect);

const ROOT = path.resolve(__dirname, '../../..');
const waitFor = <T>(what: string, check: () => T | Promise<T>) => waitUntil(what, check, 60_000, 50);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

type Whoami = { pid: number; leader: boolean; services: string[] };

/** GET on a new connection each time, so that the pool hands it to its next worker. */
function get(port: number, pathname: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathname, agent: false, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

/** A chat completion on a new connection. */
function post(port: number, token: string, model: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }] });
    const req = http.request({ host: '127.0.0.1', port, path: '/api/v1/chat/completions', method: 'POST', agent: false, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const whoami = async (port: number): Promise<Whoami | null> => {
  try {
    return JSON.parse((await get(port, '/whoami')).body) as Whoami;
  } catch {
    return null; // not listening yet, or a worker going away
  }
};

/** Asks until every one of `pids` has answered; returns the last answer of each. */
async function fromEach(port: number, pids: number[], accept: (w: Whoami) => boolean = () => true): Promise<Map<number, Whoami>> {
  const seen = new Map<number, Whoami>();
  await waitFor(`an answer from each of ${pids.join(', ')}`, async () => {
    const w = await whoami(port);
    if (w && pids.includes(w.pid) && accept(w)) seen.set(w.pid, w);
    return pids.every((pid) => seen.has(pid));
  });
  return seen;
}

type Pool = { child: ChildProcess; lines: string[]; port: number; exited: Promise<{ code: number | null; signal: string | null }> };

async function startPool(workers: number): Promise<Pool> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--require', path.join(ROOT, 'scripts/server-only-shim.cjs'), '--import', 'tsx', path.join(ROOT, 'test/worker-pool/primary.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), WORKERS: String(workers) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      lines.push(...parts);
    });
  }
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, lines, port, exited };
}

const readyPids = async (pool: Pool) => {
  const line = await waitFor('the pool to be ready', () => pool.lines.find((l) => l.startsWith('[primary] ready: ')));
  return line.slice('[primary] ready: '.length).split(' ').map(Number);
};

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('a pool of gateway workers (STANDBY_WORKERS)', () => {
  test('two replicas on one port follow the snapshot, one leads, a dead one is restarted, SIGTERM stops all', { timeout: 180_000 }, async () => {
    const pool = await startPool(2);
    try {
      const pids = await readyPids(pool);
      assert.equal(pids.length, 2);
      assert.notEqual(pids[0], pids[1]);
      // One port, both workers answering on it.
      await fromEach(pool.port, pids);

      // A service created in PostgreSQL reaches both routing snapshots (NOTIFY), and both gateways serve its token.
      const { service, token } = await seedRoutedService('http://127.0.0.1:9', uniqueName('pool'));
      await fromEach(pool.port, pids, (w) => w.services.includes(service.name));
      const models = await get(pool.port, '/api/v1/models', { authorization: `Bearer ${token}` });
      assert.equal(models.status, 200, models.body);

      // /api/metrics on either worker counts the requests of both (its upstream is unreachable: each is refused with 502).
      const asked = 6;
      const served = new Set<number>();
      for (let i = 0; i < asked; i += 1) served.add((await post(pool.port, token, service.name)).status);
      assert.deepEqual([...served], [502]);
      const counted = async () => {
        const text = (await get(pool.port, '/api/metrics')).body;
        return Number(new RegExp(`standby_gateway_requests_total\\{service="${service.name}",status="\\d+"\\} (\\d+)`).exec(text)?.[1] ?? NaN);
      };
      for (let i = 0; i < 4; i += 1) assert.equal(await counted(), asked, 'every scrape, whichever worker answers it');
      // The attempt-latency histogram is summed over the pool the same way: one observation per attempt of either worker.
      const text = (await get(pool.port, '/api/metrics')).body;
      const attempts = new RegExp(`standby_upstream_requests_total\\{target="([^"]+)",service="${service.name}",outcome="error"\\} (\\d+)`).exec(text);
      assert.ok(attempts && Number(attempts[2]) >= asked, text);
      const observed = new RegExp(`standby_upstream_latency_seconds_count\\{target="${attempts[1]}"\\} (\\d+)`).exec(text);
      assert.equal(Number(observed?.[1]), Number(attempts[2]));
      assert.match(text, new RegExp(`standby_upstream_latency_seconds_bucket\\{le="\\+Inf",target="${attempts[1]}"\\} ${attempts[2]}\\n`));

      // One monitor leader among the workers.
      const leaders = await waitFor('one leader', async () => {
        const answers = await fromEach(pool.port, pids);
        const leading = [...answers.values()].filter((w) => w.leader);
        return leading.length === 1 ? leading : null;
      });
      assert.equal(leaders.length, 1);

      // A worker killed is logged and started again; the pool serves with the survivor and the new one.
      process.kill(pids[1], 'SIGKILL');
      await waitFor('the death to be logged', () => pool.lines.some((l) => l.includes(`worker 2 (pid ${pids[1]}) exited with signal SIGKILL`)));
      const restarted = await waitFor('the restart to be logged', () => pool.lines.find((l) => /worker 2 restarted \(pid \d+\)/.test(l)));
      const newPid = Number(/pid (\d+)/.exec(restarted)![1]);
      assert.notEqual(newPid, pids[1]);
      await fromEach(pool.port, [pids[0], newPid], (w) => w.services.includes(service.name));

      // SIGTERM stops the workers first, then the primary, with exit code 0.
      pool.child.kill('SIGTERM');
      const exit = await pool.exited;
      assert.deepEqual(exit, { code: 0, signal: null }, pool.lines.join('\n'));
      assert.ok(pool.lines.includes('[primary] stopped'));
      for (const pid of [pids[0], newPid]) assert.equal(alive(pid), false, `worker ${pid} still runs`);
      // The leader's lock went with its session: nobody holds it.
      const held = await db().$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
      assert.equal(Number(held[0].n), 0);
    } finally {
      if (pool.child.exitCode === null) pool.child.kill('SIGKILL');
    }
  });

  test('SIGINT stops the pool too', { timeout: 120_000 }, async () => {
    const pool = await startPool(2);
    try {
      const pids = await readyPids(pool);
      pool.child.kill('SIGINT');
      assert.deepEqual(await pool.exited, { code: 0, signal: null }, pool.lines.join('\n'));
      for (const pid of pids) assert.equal(alive(pid), false, `worker ${pid} still runs`);
      assert.ok(!pool.lines.some((l) => l.includes('exited with')), 'a stopping worker is not reported as dead');
    } finally {
      if (pool.child.exitCode === null) pool.child.kill('SIGKILL');
    }
  });
});
