import 'server-only';
// Leadership among replicas through a Postgres session-level advisory lock
// (DESIGN.md, "Scale-out": no home-made cluster protocol). One dedicated
// connection tries pg_try_advisory_lock every retryMs; the replica that gets it
// leads until its connection goes, when Postgres releases the lock and another
// replica's next try succeeds.
//
// Two live leaders must never overlap, so this side gives up leadership before
// Postgres can hand the lock to anyone else:
// - a connection error or end steps down at once (synchronously, in the event);
// - while leading, every retryMs a heartbeat checks that this session still
//   holds the lock, and a heartbeat that fails or outlasts its timeout steps
//   down and drops the connection (a silent network partition);
// - the session asks Postgres to end it after idleSessionMs without a query,
//   so a replica that vanished without closing its socket releases the lock
//   soon, yet only after it would itself have stepped down: retryMs plus the
//   heartbeat timeout is always shorter than idleSessionMs.
import pg from 'pg';
import { env } from './env';

export type StopLeading = () => Promise<void> | void;

export type LeaderOptions = {
  /** Called on becoming leader; returns what to call when leadership ends. */
  onLeader: () => StopLeading;
  /** How often to try for the lock, and how often the leader checks it still holds it. */
  retryMs?: number;
  /** A new, unconnected client; the default connects to DATABASE_URL. */
  connect?: () => pg.Client;
  log?: (line: string) => void;
};

export type Leadership = { isLeader(): boolean; close(): Promise<void> };

/** How long a lock query or heartbeat may take before the session is presumed lost. */
const queryTimeoutMs = (retryMs: number) => Math.max(1_000, 2 * retryMs);
/** Postgres ends a lock session idle for this long (PostgreSQL 14+; best effort). Always > retryMs + queryTimeoutMs. */
const idleSessionMs = (retryMs: number) => Math.max(5_000, 4 * retryMs);
const CLOSE_TIMEOUT_MS = 2_000;

type Session = { client: pg.Client; lost: boolean; holdsLock: boolean };

class TimeoutError extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Ends a client politely, and destroys its socket when the server does not answer (a partition). */
async function endClient(client: pg.Client): Promise<void> {
  try {
    await withTimeout(client.end(), CLOSE_TIMEOUT_MS, 'disconnecting');
  } catch {
    client.connection?.stream?.destroy();
  }
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

function defaultClient(): pg.Client {
  return new pg.Client({ connectionString: env().DATABASE_URL, connectionTimeoutMillis: 3_000, keepAlive: true, application_name: 'standby-leader' });
}

// A single-bigint advisory lock shows in pg_locks as classid (high 32 bits) and objid (low 32 bits), objsubid 1.
const HOLDS_LOCK_SQL = `
  SELECT EXISTS (
    SELECT 1 FROM pg_locks
    WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted AND objsubid = 1
      AND ((classid::bigint << 32) | objid::bigint) = $1::bigint
  ) AS held`;

/**
 * Runs `onLeader` while this process holds advisory lock `lockKey`, and calls
 * the stop function it returned as soon as leadership is lost or closed. A new
 * term never starts before the previous stop has finished.
 */
export function runAsLeader(lockKey: number, options: LeaderOptions): Leadership {
  if (!Number.isSafeInteger(lockKey)) throw new TypeError(`lockKey must be a safe integer, got ${lockKey}`);
  const retryMs = Math.max(10, options.retryMs ?? 2_000);
  const connect = options.connect ?? defaultClient;
  const log = options.log ?? ((line: string) => console.log(`[standby] ${line}`));
  const key = String(lockKey);

  let closed = false;
  let session: Session | null = null;
  let stop: StopLeading | null = null;
  let leading = false;
  let stopping: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let closing: Promise<void> | null = null;

  const stepDown = (reason: string) => {
    if (!leading) return;
    leading = false;
    const end = stop;
    stop = null;
    log(`leadership of lock ${lockKey} ended: ${reason}`);
    // Called here, synchronously, so that nothing scheduled after the loss runs as leader.
    const ended = (async () => {
      try {
        await end?.();
      } catch (error) {
        log(`stopping after leadership of lock ${lockKey} failed: ${describe(error)}`);
      }
    })();
    stopping = Promise.all([stopping, ended]).then(() => {});
  };

  /** The session is unusable: stop leading first, then let the connection go (Postgres releases the lock with it). */
  const drop = (s: Session, error: unknown) => {
    if (s.lost) return;
    s.lost = true;
    if (session === s) session = null;
    if (s.holdsLock) stepDown(describe(error));
    s.holdsLock = false;
    void endClient(s.client);
  };

  const open = async (): Promise<Session> => {
    const s: Session = { client: connect(), lost: false, holdsLock: false };
    s.client.on('error', (error) => drop(s, error));
    s.client.on('end', () => drop(s, new Error('the database connection ended')));
    session = s;
    await withTimeout(s.client.connect(), Math.max(retryMs, 3_000), 'connecting');
    await s.client.query(`SET idle_session_timeout = ${idleSessionMs(retryMs)}`).catch(() => {}); // older servers: TCP keep-alive only
    return s;
  };

  const becomeLeader = (s: Session) => {
    s.holdsLock = true;
    try {
      const result = options.onLeader();
      stop = typeof result === 'function' ? result : null;
      leading = true;
    } catch (error) {
      // Leading half-started is worse than not leading: hand the lock back for another replica to try.
      log(`starting as leader of lock ${lockKey} failed: ${describe(error)}`);
      s.holdsLock = false;
      s.client.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch((unlockError) => drop(s, unlockError));
    }
  };

  const attempt = async () => {
    let s: Session | null = null;
    try {
      await stopping;
      if (closed) return;
      s = session ?? (await open());
      if (closed || s.lost) return;
      if (s.holdsLock) {
        const { rows } = await withTimeout(s.client.query<{ held: boolean }>(HOLDS_LOCK_SQL, [key]), queryTimeoutMs(retryMs), 'the leadership heartbeat');
        if (!rows[0]?.held && !s.lost) drop(s, new Error('the advisory lock is no longer held by this session'));
        return;
      }
      const { rows } = await withTimeout(s.client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [key]), queryTimeoutMs(retryMs), 'trying for the lock');
      if (!rows[0]?.locked || s.lost) return;
      if (closed) {
        s.holdsLock = true; // close() unlocks it
        return;
      }
      becomeLeader(s);
      if (leading) log(`leadership of lock ${lockKey} acquired`);
    } catch (error) {
      if (s) drop(s, error);
      else if (session) drop(session, error);
    }
  };

  const loop = async () => {
    timer = null;
    running = attempt();
    await running;
    running = null;
    if (closed) return;
    timer = setTimeout(() => void loop(), retryMs);
    timer.unref();
  };

  void loop();

  return {
    isLeader: () => leading,
    close: () =>
      (closing ??= (async () => {
        closed = true;
        if (timer) clearTimeout(timer);
        await running;
        stepDown('closing');
        await stopping;
        const s = session;
        session = null;
        if (!s || s.lost) return;
        s.lost = true;
        if (s.holdsLock) {
          await withTimeout(s.client.query('SELECT pg_advisory_unlock($1::bigint)', [key]), CLOSE_TIMEOUT_MS, 'unlocking').catch(() => {});
        }
        s.holdsLock = false;
        await endClient(s.client);
      })()),
  };
}
