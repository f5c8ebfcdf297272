// lib/server/leader.ts on a real PostgreSQL: one leader at a time, takeover
// when the leader closes, and stepping down at once when the database ends the
// leader's session. Bounded waits are test timeouts, never assertions.
import { disconnect } from '@/test/fixtures';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import pg from 'pg';
import { runAsLeader, type Leadership } from '@/lib/server/leader';

after(disconnect);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

async function sql<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Backends holding advisory lock `key`: Postgres shows a bigint key as classid (high 32 bits) and objid (low 32 bits). */
function holders(key: number) {
  const bits = BigInt.asUintN(64, BigInt(key));
  const [high, low] = [String(bits >> 32n), String(bits & 0xffffffffn)];
  return sql<{ pid: number }>(`SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND classid = $1::bigint::oid AND objid = $2::bigint::oid`, [high, low]);
}

const quiet = () => {};

function contender(key: number, events: string[], name: string, others: () => Leadership[] = () => []): Leadership {
  const self: Leadership = runAsLeader(key, {
    retryMs: 50,
    log: quiet,
    // Recorded rather than asserted here: runAsLeader catches what onLeader and stop throw.
    onLeader: () => {
      events.push(others().some((other) => other.isLeader()) ? `${name} leads while another leads` : `${name} leads`);
      return () => {
        events.push(self.isLeader() ? `${name} stops while still reported leader` : `${name} stops`);
      };
    },
  });
  return self;
}

describe('leadership through a Postgres advisory lock', () => {
  test('of two contenders one leads; when it closes, the other takes over', async () => {
    const key = randomInt(1, 2 ** 31 - 1);
    const events: string[] = [];
    let a: Leadership | null = null;
    let b: Leadership | null = null;
    a = contender(key, events, 'a', () => (b ? [b] : []));
    await waitFor('a to lead', () => a!.isLeader());
    b = contender(key, events, 'b', () => [a!]);
    // b has tried for the lock once its session shows the try as its last query.
    await waitFor('b to try for the lock', async () => {
      const [leader] = await holders(key);
      const tried = await sql(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'standby-leader' AND query LIKE '%pg_try_advisory_lock%' AND pid <> $1`, [leader.pid]);
      return tried.length > 0;
    });
    assert.equal(a.isLeader(), true);
    assert.equal(b.isLeader(), false);
    assert.equal((await holders(key)).length, 1);

    await a.close();
    assert.equal(a.isLeader(), false);
    await waitFor('b to take over', () => b!.isLeader());
    assert.deepEqual(events, ['a leads', 'a stops', 'b leads']);
    await b.close();
    assert.deepEqual(events, ['a leads', 'a stops', 'b leads', 'b stops']);
    assert.equal((await holders(key)).length, 0, 'close() releases the lock');
  });

  test('a leader whose session the database ends stops at once, then leads again on a new connection', async () => {
    const key = randomInt(1, 2 ** 31 - 1);
    const events: string[] = [];
    const leader = contender(key, events, 'a');
    await waitFor('leadership', () => leader.isLeader());
    const [{ pid }] = await holders(key);
    await sql('SELECT pg_terminate_backend($1)', [pid]);
    await waitFor('the leader to step down', () => events.includes('a stops'));
    await waitFor('leadership on a new connection', async () => leader.isLeader() && (await holders(key)).some((h) => h.pid !== pid));
    assert.deepEqual(events, ['a leads', 'a stops', 'a leads']);
    await leader.close();
  });

  test('a 64-bit negative key is recognised by the heartbeat, so the leader keeps leading', async () => {
    const key = -randomInt(2 ** 33, 2 ** 40);
    const events: string[] = [];
    const leader = contender(key, events, 'a');
    await waitFor('leadership', () => leader.isLeader());
    const [{ pid }] = await holders(key);
    await waitFor('a heartbeat to run', async () => (await sql(`SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND query LIKE '%pg_locks%'`, [pid])).length > 0);
    await sleep(300); // several more heartbeats
    assert.equal(leader.isLeader(), true);
    assert.deepEqual(events, ['a leads']);
    await leader.close();
    const [{ locked }] = await sql<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [String(key)]);
    assert.equal(locked, true, 'close() released the lock (this session ends right after, releasing it again)');
  });

  test('an onLeader that throws gives the lock back and is tried again', async () => {
    const key = randomInt(1, 2 ** 31 - 1);
    let calls = 0;
    const leadership = runAsLeader(key, {
      retryMs: 50,
      log: quiet,
      onLeader: () => {
        calls += 1;
        if (calls === 1) throw new Error('not ready yet');
        return () => {};
      },
    });
    await waitFor('leadership at the second try', () => leadership.isLeader());
    assert.equal(calls, 2);
    await leadership.close();
  });

  test('a lock key must be a safe integer', () => {
    assert.throws(() => runAsLeader(2 ** 60, { onLeader: () => () => {} }), TypeError);
  });
});
