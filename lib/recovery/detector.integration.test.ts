// A real failure through the real gateway (issue 12): the data plane as
// scripts/standby.ts runs it (snapshot from PostgreSQL, breakers writing their
// transitions, the recorder writing attempts and requests), a service whose
// primary upstream fails for a while and then heals, steady client traffic,
// and then the leader's detector over what was recorded. The episodes'
// timestamps and measured RTOs must match the upstreams' own log within
// 100 ms.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { generateToken } from '@/lib/access/tokens';
import { DEFAULT_FAILOVER_ON } from '@/lib/failover/schemas';
import { startDataPlane, type DataPlane } from '@/lib/gateway/runtime';
import { waitFor } from '@/test/gateway-harness';
import { db } from '@/lib/server/db';
import { seedRoutedService, uniqueName } from '@/test/fixtures';
import { syncComponents } from './components';
import { DEFAULT_DETECTOR_CONFIG } from './detector';
import { runDetector } from './detect-task';

const TOLERANCE_MS = 100;
const QUIET_MS = 2_000;
const RATE_PER_S = 40;

type Hit = { name: string; at: number; status: number };

let upstream: http.Server;
let gateway: http.Server;
let plane: DataPlane;
let origin: string;
const log: Hit[] = [];
let failing = false;
let seeded: Awaited<ReturnType<typeof seedRoutedService>>;

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

before(async () => {
  // An OpenAI-compatible upstream that logs every request as it arrives; the primary answers 503 while `failing`.
  upstream = http.createServer((req, res) => {
    const name = /^\/simulated\/([^/]+)\//.exec(req.url ?? '')?.[1] ?? '?';
    const hit: Hit = { name, at: Date.now(), status: 200 };
    log.push(hit);
    req.resume();
    req.on('end', () => {
      if (failing && name === seeded.targets[0].name) {
        hit.status = 503;
        res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'upstream down', type: 'server_error' } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ id: 'x', object: 'chat.completion', created: 1, model: name, choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }),
      );
    });
  });
  origin = await listen(upstream);
  // No retries on the same target: a failing primary fails over at once, so callers see no error.
  seeded = await seedRoutedService(origin, 'recovery', { maxRetries: 0, baseBackoffMs: 10, failoverOn: [...DEFAULT_FAILOVER_ON] });
  // A short open time, so the breaker tries the healed primary within the test.
  await db().target.updateMany({ where: { id: { in: seeded.targets.map((t) => t.id) } }, data: { breakerOpenMs: 1_500, probeIntervalMs: 60_000 } });
  await syncComponents();
  plane = await startDataPlane();
  gateway = http.createServer((req, res) => {
    void plane.handle(req, res, (req.url ?? '/').split('?')[0]).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  origin = await listen(gateway);
  await waitFor('the service in the snapshot', () => plane.snapshots.get()?.services.has(seeded.service.name) && plane.snapshots.get()?.tokens.has(seeded.tokenHash), 10_000);
});

after(async () => {
  for (const server of [gateway, upstream]) {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
  await plane?.close();
  await db().$disconnect();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends requests on a fixed schedule until stopped; resolves with their statuses. */
function traffic() {
  let stop = false;
  const statuses: Promise<number>[] = [];
  const loop = (async () => {
    while (!stop) {
      statuses.push(
        fetch(`${origin}/api/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${seeded.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: seeded.service.name, messages: [{ role: 'user', content: 'hello' }] }),
        }).then(async (r) => {
          await r.arrayBuffer();
          return r.status;
        }, () => 0),
      );
      await sleep(1000 / RATE_PER_S);
    }
  })();
  return { stop: async () => ((stop = true), await loop, Promise.all(statuses)) };
}

const near = (actual: Date | null, expected: number, what: string) => {
  assert.ok(actual, `${what}: not recorded`);
  assert.ok(Math.abs(actual.getTime() - expected) <= TOLERANCE_MS, `${what}: ${actual.toISOString()} is ${actual.getTime() - expected} ms from the upstream's ${new Date(expected).toISOString()}`);
};

test('a primary that fails and heals: episode timestamps and measured RTOs match the upstream log within 100 ms', async () => {
  const [primary, secondary] = seeded.targets;
  const run = traffic();
  await sleep(1_000);
  failing = true;
  await sleep(2_500);
  failing = false;
  const healedAt = Date.now();
  // Back once the breaker has let a trial through and closed again.
  await waitFor('the primary breaker to close after the heal', async () => db().breakerTransition.findFirst({ where: { targetId: primary.id, to: 'closed', at: { gt: new Date(healedAt) } } }), 20_000, 100);
  await sleep(500);
  const statuses = await run.stop();
  await plane.recorder.flush();

  const firstFail = log.find((h) => h.name === primary.name && h.status === 503)!;
  const lastFail = log.filter((h) => h.name === primary.name && h.status === 503).at(-1)!;
  const backOnPrimary = log.find((h) => h.name === primary.name && h.status === 200 && h.at > lastFail.at)!;
  const firstFromSecondary = log.find((h) => h.name === secondary.name && h.status === 200 && h.at >= firstFail.at)!;
  assert.ok(firstFail && backOnPrimary && firstFromSecondary, 'the upstream saw the failure, the fallback and the return');
  assert.deepEqual([...new Set(statuses)], [200], 'callers never saw an error: the fallback answered');

  const opened = await db().breakerTransition.findFirstOrThrow({ where: { targetId: primary.id, to: 'open', at: { gte: new Date(firstFail.at) } }, orderBy: { at: 'asc' } });
  const result = await runDetector({ stateId: uniqueName('test'), now: Date.now() + QUIET_MS + 1_000, settleMs: 0, config: { ...DEFAULT_DETECTOR_CONFIG, quietMs: QUIET_MS } });
  assert.ok(result && result.events > 0);

  const serving = await db().disruptionEpisode.findFirstOrThrow({ where: { targetId: primary.id }, include: { component: true } });
  assert.equal(serving.component.kind, 'model_serving');
  assert.equal(serving.status, 'recovered');
  near(serving.startedAt, firstFail.at, 'start (the first failed request)');
  assert.equal(serving.detectedAt?.getTime(), opened.at.getTime(), 'detection is the breaker opening');
  assert.equal(serving.assessedAt, null, 'automatic recovery: nobody assessed');
  near(serving.restoredAt, backOnPrimary.at, 'restoration (the primary answering again)');
  assert.ok(Math.abs(serving.rtoMs! - (backOnPrimary.at - firstFail.at)) <= TOLERANCE_MS, `serving RTO ${serving.rtoMs} ms against the upstream's ${backOnPrimary.at - firstFail.at} ms`);
  const parts = [serving.tDetectMs, serving.tAssessMs, serving.tActivateMs, serving.tRestoreMs].map((p) => p ?? 0);
  assert.equal(parts.reduce((a, b) => a + b, 0), serving.rtoMs, 'the parts add up to the RTO');
  assert.ok(serving.failedRequests >= 5, `the failed attempts are counted (${serving.failedRequests})`);

  const routing = await db().disruptionEpisode.findFirstOrThrow({ where: { serviceId: seeded.service.id }, include: { component: true } });
  assert.equal(routing.component.kind, 'service_routing');
  assert.equal(routing.status, 'recovered');
  near(routing.startedAt, firstFail.at, 'routing start');
  near(routing.activatedAt, firstFromSecondary.at, 'activation (the first answer from the fallback)');
  assert.ok(Math.abs(routing.rtoMs! - (firstFromSecondary.at - firstFail.at)) <= TOLERANCE_MS, `routing RTO ${routing.rtoMs} ms against the upstream's ${firstFromSecondary.at - firstFail.at} ms`);
  assert.equal(routing.failedRequests, 0, 'no client-visible failure');
  assert.deepEqual((routing.details as { failingTargets: string[] }).failingTargets, [primary.id]);

  // Nothing else was called an episode for these targets and this service.
  assert.equal(await db().disruptionEpisode.count({ where: { OR: [{ targetId: { in: [primary.id, secondary.id] } }, { serviceId: seeded.service.id }] } }), 2);
});

test("a token made only for evidence reports is not in the gateway's snapshot", async () => {
  const { prefix, tokenHash } = generateToken(randomBytes);
  await db().apiToken.create({ data: { name: uniqueName('evidence-only'), prefix, tokenHash, services: [], scopes: ['recovery:evidence'], createdBy: 'integration test' } });
  const gatewayToken = generateToken(randomBytes);
  await db().apiToken.create({ data: { name: uniqueName('gateway'), prefix: gatewayToken.prefix, tokenHash: gatewayToken.tokenHash, services: [], createdBy: 'integration test' } });
  await waitFor('the gateway token in the snapshot (default scope)', () => plane.snapshots.get()?.tokens.has(gatewayToken.tokenHash), 10_000);
  assert.equal(plane.snapshots.get()?.tokens.has(tokenHash), false);
});
