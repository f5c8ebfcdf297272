// Breaker states shared through PostgreSQL (docs/decisions/005): with one
// replica, its own writes read back must not come back as transitions "shared
// by another replica" (each such echo undid a newer local state and could let
// one more request through to a target that had just failed); with two, each
// follows the other's writes. Real PostgreSQL, real NOTIFY-driven snapshots.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { db, type Prisma } from '@/lib/server/db';
import { createTestProviderAndRegion, disconnect, targetInputFor } from '@/test/fixtures';
import { DEFAULT_BREAKER_CONFIG } from '@/lib/routing/defaults';
import type { BreakerConfig } from '@/lib/routing/model';
import { BreakerRegistry, type TransitionRecord } from './breaker-registry';
import { loadSnapshot, SnapshotSource } from './snapshot';

const SHARED_CAUSE = 'state shared by another replica';
// Opens on the first failure; half-opens 1 s after opening (the tests pass the time, nothing sleeps).
const CONFIG: BreakerConfig = { ...DEFAULT_BREAKER_CONFIG, consecutiveFailures: 1, openMs: 1_000 };

const sources: SnapshotSource[] = [];
before(async () => {
  await db().$queryRaw`SELECT 1`;
});
after(async () => {
  for (const source of sources) await source.close();
  await disconnect();
});

async function newTarget(): Promise<string> {
  const { provider, region } = await createTestProviderAndRegion();
  const target = await db().target.create({ data: targetInputFor(provider.id, region.id) as Prisma.TargetUncheckedCreateInput, select: { id: true } });
  return target.id;
}

/**
 * A replica's breakers following its own snapshot source (or, with `live` false, only the snapshots a test
 * hands it), and every transition it reports.
 */
async function replica(name: string, live = true) {
  const transitions: TransitionRecord[] = [];
  const breakers = new BreakerRegistry(name, () => CONFIG, undefined, (t) => transitions.push(t));
  const snapshots = new SnapshotSource();
  if (live) {
    sources.push(snapshots);
    snapshots.onChange((snapshot) => breakers.followShared(snapshot.breakers));
    await snapshots.start();
  }
  // Other tests' targets have shared rows too: each test looks at its own target only.
  const of = (targetId: string) => transitions.filter((t) => t.targetId === targetId);
  return { name, breakers, snapshots, transitions: of, echoes: (targetId: string) => of(targetId).filter((t) => t.cause === SHARED_CAUSE) };
}

/** Until the shared row reaches `version` and `replicas` (if any) have reloaded a snapshot that holds it. */
async function settled(targetId: string, version: number, ...replicas: { snapshots: SnapshotSource }[]) {
  for (let i = 0; i < 400; i += 1) {
    const row = await db().targetBreaker.findUnique({ where: { targetId }, select: { version: true } });
    if (row && row.version >= version && replicas.every((r) => (r.snapshots.get()?.breakers.get(targetId)?.version ?? 0) >= version)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.fail(`the shared breaker row of ${targetId} never reached version ${version} on every replica`);
}

/** Closed → open (a failure), open → half-open (a trial after openMs), half-open → open (the trial fails): three writes. */
function flap(breakers: BreakerRegistry, targetId: string, t0: number) {
  breakers.report(targetId, false, t0, t0);
  assert.equal(breakers.acquire(targetId, t0 + CONFIG.openMs + 1), true, 'the trial request is let through');
  breakers.report(targetId, false, t0 + CONFIG.openMs + 1, t0 + CONFIG.openMs + 2);
}

describe('one replica', () => {
  test('a row it wrote, read back late, is not followed: no echo, and the newer local state stands', async () => {
    const targetId = await newTarget();
    // Fed by hand, so the reload that reads the first write can be made to arrive late, as it can on a busy replica.
    const a = await replica(`lone-${process.pid}`, false);
    const t0 = Date.now();
    a.breakers.report(targetId, false, t0, t0);
    await settled(targetId, 1);
    const stale = await loadSnapshot(); // holds the OPEN row written first
    assert.equal(a.breakers.acquire(targetId, t0 + CONFIG.openMs + 1), true);
    assert.equal(a.breakers.states().get(targetId), 'half_open');
    // The reload that read the first write arrives after the breaker moved on.
    a.breakers.followShared(stale.breakers);
    assert.equal(a.breakers.states().get(targetId), 'half_open', 'its own OPEN read back does not undo the half-open trial');
    assert.deepEqual(a.echoes(targetId), []);
  });

  test('a target that flaps writes each transition once and hears none of them back', async () => {
    const targetId = await newTarget();
    const a = await replica(`flapping-${process.pid}`);
    flap(a.breakers, targetId, Date.now());
    await settled(targetId, 3, a);
    assert.deepEqual(a.transitions(targetId).map((t) => `${t.from}>${t.to}`), ['closed>open', 'open>half_open', 'half_open>open']);
    assert.deepEqual(a.echoes(targetId), []);
    const rows = await db().breakerTransition.findMany({ where: { targetId }, orderBy: { id: 'asc' }, select: { to: true, replica: true } });
    assert.deepEqual(rows.map((r) => `${r.to}@${r.replica}`), ['open', 'half_open', 'open'].map((to) => `${to}@${a.name}`));
  });

  test('a row under its name that this process never wrote (a restarted container) is followed', async () => {
    const targetId = await newTarget();
    await db().targetBreaker.create({ data: { targetId, state: 'open', replica: `earlier-life-${process.pid}` } });
    const a = await replica(`earlier-life-${process.pid}`);
    assert.equal(a.breakers.states().get(targetId), 'open');
  });
});

describe('two replicas', () => {
  test("each follows the other's transitions once, and neither hears its own back", async () => {
    const targetId = await newTarget();
    const a = await replica(`a-${process.pid}`);
    const b = await replica(`b-${process.pid}`);
    flap(a.breakers, targetId, Date.now());
    await settled(targetId, 3, a, b);
    assert.deepEqual(a.echoes(targetId), [], 'A wrote them: nothing comes back to A');
    assert.equal(b.breakers.states().get(targetId), 'open', 'B follows A');
    assert.ok(b.echoes(targetId).length >= 1 && b.echoes(targetId).every((t) => t.replica === b.name), 'B follows through the shared state, without writing it back');
    assert.equal(await db().breakerTransition.count({ where: { targetId, replica: b.name } }), 0);

    // Now B closes it (its own trial succeeded): A follows.
    const t1 = Date.now() + 10 * CONFIG.openMs;
    assert.equal(b.breakers.acquire(targetId, t1), true);
    for (let i = 0; i < CONFIG.halfOpenSuccesses; i += 1) b.breakers.report(targetId, true, t1, t1 + 1);
    assert.equal(b.breakers.states().get(targetId), 'closed');
    await settled(targetId, 5, a, b); // A's three writes, then B's open → half-open → closed
    assert.equal(a.breakers.states().get(targetId), 'closed', 'A follows B');
    assert.deepEqual(b.echoes(targetId).filter((t) => t.at >= t1), [], 'B does not hear its own writes back');
  });
});
