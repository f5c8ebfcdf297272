// The health monitor on a real PostgreSQL against a fake upstream this test
// controls (node:http on a free local port): probes become HealthSamples,
// failing probes open the target's shared breaker, the monitor follows
// snapshot changes, and a second replica takes over when the leader closes.
// Bounded waits are test timeouts, never assertions.
import { allowLoopbackEndpoints, createTestProviderAndRegion, disconnect, uniqueName } from '@/test/fixtures';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { DEFAULT_BREAKER_CONFIG } from '@/lib/routing/defaults';
import { BreakerRegistry } from '@/lib/gateway/breaker-registry';
import { SampleRecorder } from '@/lib/gateway/recorder';
import { loadSnapshot, SnapshotSource } from '@/lib/gateway/snapshot';
import type { RoutingSnapshot } from '@/lib/routing/model';
import { db } from '@/lib/server/db';
import { startHealthMonitor, type HealthMonitor } from './monitor';
import { PROBE_COMPLETION_TOKENS } from './probe';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

// ------------------------------------------------------------ fake upstream

type Mode = 'healthy' | 'unavailable';
const modes = new Map<string, Mode>(); // by path prefix, one per target
const seen: { prefix: string; body: Record<string, unknown> }[] = [];
let upstream: http.Server;
let baseUrl: string;

const completion = JSON.stringify({
  id: 'chatcmpl-probe', object: 'chat.completion', created: 1, model: 'fake-model',
  choices: [{ index: 0, message: { role: 'assistant', content: 'p' }, finish_reason: 'length' }],
  usage: { prompt_tokens: 8, completion_tokens: 1, total_tokens: 9 },
});

before(async () => {
  upstream = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const prefix = (req.url ?? '').split('/')[1] ?? '';
      seen.push({ prefix, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') });
      if (req.method !== 'POST' || !req.url?.endsWith('/v1/chat/completions')) {
        res.writeHead(404).end();
      } else if (modes.get(prefix) === 'unavailable') {
        res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'upstream unavailable', type: 'server_error' } }));
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end(completion);
      }
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  await allowLoopbackEndpoints();
  baseUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  // undici compiles its HTTP parser on first use: done here, not in the first probe's time.
  await (await request(`${baseUrl}/warm-up`, { method: 'POST', body: '{}' })).body.dump();
});

after(async () => {
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
  await disconnect();
});

// ------------------------------------------------------------ test estate

const INSENSITIVE = 1_000;

/**
 * A target answering on its own path of the fake upstream. Its breaker starts
 * insensitive (1,000 requests before a rate counts), so that a probe slowed
 * past its timeout on a loaded test machine cannot open it; tests that want it
 * to open lower the minimum when the upstream fails.
 */
async function createProbedTarget(providerId: string, regionId: string, probeIntervalMs: number) {
  const prefix = uniqueName('t');
  modes.set(prefix, 'healthy');
  const target = await db().target.create({
    data: {
      name: uniqueName('probed'), providerId, regionId, model: 'fake-model', endpointUrl: `${baseUrl}/${prefix}/v1`,
      rpm: 1000, tpm: 100_000, contextWindow: 8192, priceInPerMTok: 0, priceOutPerMTok: 0, qualityClass: 'economy',
      probeIntervalMs, breakerMinimumRequests: INSENSITIVE, breakerWindowMs: 3_000, breakerOpenMs: 600_000,
    },
    select: { id: true, name: true },
  });
  return { ...target, prefix };
}


/** Changes a target's breaker minimum and waits until the snapshot (which configures the breakers) shows it. */
async function setBreakerMinimum(snapshots: SnapshotSource, targetId: string, minimumRequests: number) {
  await db().target.update({ where: { id: targetId }, data: { breakerMinimumRequests: minimumRequests } });
  await waitFor('the snapshot to carry the new breaker minimum', () => snapshots.get()?.targets.get(targetId)?.breaker.minimumRequests === minimumRequests);
}

/**
 * Routing snapshots restricted to this test's services and their targets: the
 * database is shared with other test files, whose targets point at addresses
 * that must not be probed from here.
 */
function snapshotSourceFor(serviceIds: Set<string>): SnapshotSource {
  return new SnapshotSource(async () => {
    const full = await loadSnapshot();
    const services = new Map([...full.services].filter(([, service]) => serviceIds.has(service.id)));
    const targetIds = new Set([...services.values()].flatMap((service) => service.chain.map((entry) => entry.targetId)));
    const targets = new Map([...full.targets].filter(([id]) => targetIds.has(id)));
    return { ...full, services, targets } satisfies RoutingSnapshot;
  });
}

type Replica = { monitor: HealthMonitor; breakers: BreakerRegistry };

function startReplica(name: string, snapshots: SnapshotSource, recorder: SampleRecorder, lockKey: number): Replica {
  const breakers = new BreakerRegistry(name, (targetId) => snapshots.get()?.targets.get(targetId)?.breaker ?? DEFAULT_BREAKER_CONFIG);
  const monitor = startHealthMonitor({ snapshots, breakers, recorder, replica: name, lockKey, leaderRetryMs: 100, log: () => {} });
  return { monitor, breakers };
}

/** Probe samples of a target, as the recorder has written them so far. */
const probeSamples = (targetId: string, where: { ok?: boolean; since?: Date } = {}) =>
  db().healthSample.findMany({
    where: { targetId, source: 'probe', ...(where.ok === undefined ? {} : { ok: where.ok }), ...(where.since ? { at: { gte: where.since } } : {}) },
    orderBy: { id: 'asc' },
  });

describe('health monitor', () => {
  test('probes become samples, failing probes open the shared breaker, and another replica takes over', async () => {
    const { provider, region } = await createTestProviderAndRegion();
    const target = await createProbedTarget(provider.id, region.id, 500);
    const service = await db().service.create({ data: { name: uniqueName('svc'), chain: { create: [{ targetId: target.id, position: 0, failoverOn: ['server_error'] }] } }, select: { id: true } });

    const snapshots = await snapshotSourceFor(new Set([service.id])).start();
    const recorder = new SampleRecorder(undefined, { flushMs: 50 }).start();
    const lockKey = randomInt(1, 2 ** 31 - 1);
    const a = startReplica('replica-a', snapshots, recorder, lockKey);
    let b: Replica | null = null;
    try {
      // Healthy: probe samples with ok true, from real POSTs of a one-token completion.
      const [sample] = await waitFor('a healthy probe sample', async () => {
        const samples = await probeSamples(target.id, { ok: true });
        return samples.length > 0 ? samples : null;
      });
      assert.equal(a.monitor.isLeader(), true);
      assert.equal(sample.serviceId, null);
      assert.equal(sample.statusCode, 200);
      assert.equal(sample.errorClass, null);
      assert.equal(sample.ttftMs, null);
      assert.equal(sample.completionTokens, 1);
      const probe = seen.find((request) => request.prefix === target.prefix);
      assert.equal(probe?.body.max_completion_tokens, PROBE_COMPLETION_TOKENS, 'an OpenAI target is asked with max_completion_tokens');
      assert.equal(probe?.body.model, 'fake-model');
      assert.equal((probe?.body.messages as unknown[]).length, 1);

      // 503s: failed samples classified as server errors...
      modes.set(target.prefix, 'unavailable');
      await waitFor('a 503 probe sample', async () => (await probeSamples(target.id, { ok: false })).find((s) => s.statusCode === 503 && s.errorClass === 'server_error'));
      // ...and, once the breaker counts them, it opens for every replica (the shared row) with the failure rate as its cause.
      await setBreakerMinimum(snapshots, target.id, 3);
      const opened = await waitFor('the shared breaker to open', async () => {
        const shared = await db().targetBreaker.findUnique({ where: { targetId: target.id } });
        if (shared?.state !== 'open') return null;
        return db().breakerTransition.findFirst({ where: { targetId: target.id, to: 'open' }, orderBy: { id: 'desc' } });
      });
      assert.match(opened.cause, /failure rate/);
      assert.equal(opened.replica, 'replica-a');
      assert.equal(a.breakers.view(target.id), 'open');

      // A second replica with the same lock waits while the first leads.
      b = startReplica('replica-b', snapshots, recorder, lockKey);
      const contender = b;
      await waitFor('replica b to try for leadership', async () => {
        const tries = await db().$queryRaw<{ n: bigint }[]>`
          SELECT count(*) AS n FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'standby-leader' AND query LIKE '%pg_try_advisory_lock%'`;
        return tries[0].n > 0n;
      });
      assert.deepEqual([a.monitor.isLeader(), contender.monitor.isLeader()], [true, false]);

      // The leader goes away: the other replica leads and probes (replica b's breaker
      // does not follow the shared state in this test, so it probes at once).
      modes.set(target.prefix, 'healthy');
      await setBreakerMinimum(snapshots, target.id, INSENSITIVE);
      const closedAt = new Date();
      await a.monitor.close();
      assert.equal(a.monitor.isLeader(), false);
      await waitFor('replica b to lead', () => contender.monitor.isLeader());
      await waitFor('a probe sample from replica b', async () => (await probeSamples(target.id, { ok: true, since: closedAt })).length > 0);
    } finally {
      await a.monitor.close();
      await b?.monitor.close();
      await recorder.close();
      await snapshots.close();
    }
  });

  test('probes follow the snapshot: a target added to a chain is probed, a disabled one no longer', async () => {
    const { provider, region } = await createTestProviderAndRegion();
    const first = await createProbedTarget(provider.id, region.id, 200);
    const service = await db().service.create({ data: { name: uniqueName('svc'), chain: { create: [{ targetId: first.id, position: 0, failoverOn: [] }] } }, select: { id: true } });
    const snapshots = await snapshotSourceFor(new Set([service.id])).start();
    const recorder = new SampleRecorder(undefined, { flushMs: 50 }).start();
    const replica = startReplica('replica-c', snapshots, recorder, randomInt(1, 2 ** 31 - 1));
    const probesOf = (prefix: string) => seen.filter((request) => request.prefix === prefix).length;
    try {
      await waitFor('the first target to be probed', () => probesOf(first.prefix) > 0);

      const second = await createProbedTarget(provider.id, region.id, 200);
      await db().chainEntry.create({ data: { serviceId: service.id, targetId: second.id, position: 1, failoverOn: [] } });
      await waitFor('the added target to be probed', () => probesOf(second.prefix) > 0);
      await waitFor('its samples to be written', async () => (await probeSamples(second.id)).length > 0);

      await db().target.update({ where: { id: first.id }, data: { enabled: false } });
      await waitFor('the snapshot to show the target disabled', () => snapshots.get()?.targets.get(first.id)?.enabled === false);
      await sleep(400); // a probe already in flight may still land
      const settled = probesOf(first.prefix);
      const secondBefore = probesOf(second.prefix);
      await waitFor('more probes of the enabled target', () => probesOf(second.prefix) >= secondBefore + 3);
      assert.equal(probesOf(first.prefix), settled, 'a disabled target is not probed');
    } finally {
      await replica.monitor.close();
      await recorder.close();
      await snapshots.close();
    }
  });
});
