import 'server-only';
// The simulator's state in memory: the process that serves /simulated reads the
// faults of every upstream on every request, so it keeps them here, refreshed
// by the NOTIFY that the SimulatedUpstream and Setting triggers send on commit.
// Like the gateway's routing snapshot, the cache keeps its last known state
// while the database is away (DESIGN.md, static stability).
import pg from 'pg';
import { NO_FAULTS, readFaults, type Faults } from '@/lib/simulator/faults';
import { DEMO_TRAFFIC_KEY, DEMO_TRAFFIC_OFF, readDemoTraffic, type DemoTraffic } from '@/lib/simulator/schemas';

export const ROUTING_CHANNEL = 'standby_routing';
const WATCHED_TABLES = new Set(['SimulatedUpstream', 'Setting']);

export type FaultCache = {
  /** The faults in force for `name`; none for an upstream the cache does not know. Never waits, never throws. */
  get(name: string): Faults;
  /** The demo traffic setting, from the same cache (for startDemoTraffic's readSetting). */
  demoTraffic(): DemoTraffic;
  /** Settles after the first successful load; until then every upstream has no faults. */
  ready: Promise<void>;
  close(): Promise<void>;
};

export type FaultCacheOptions = {
  log?: (line: string) => void;
  /** First wait before reconnecting after the database went away; doubles up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
};

/**
 * Loads every SimulatedUpstream row and the demo traffic setting, then listens
 * on a dedicated connection and reloads on each change. If the connection
 * drops, it reconnects with backoff and reloads everything (a notification
 * may have been missed), serving the last known state meanwhile.
 */
export function createFaultCache(databaseUrl: string, options: FaultCacheOptions = {}): FaultCache {
  const log = options.log ?? ((line: string) => console.log(`[standby] ${line}`));
  const minBackoffMs = options.minBackoffMs ?? 1_000;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;

  let faults = new Map<string, Faults>();
  let traffic: DemoTraffic = DEMO_TRAFFIC_OFF;
  let client: pg.Client | null = null;
  let closed = false;
  let backoffMs = minBackoffMs;
  let retryTimer: NodeJS.Timeout | null = null;
  let reloading = false;
  let reloadAgain = false;
  let warnedLost = false;
  let everConnected = false;
  const warnedInvalid = new Set<string>();
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  async function load(connection: pg.Client) {
    const [upstreams, setting] = await Promise.all([
      connection.query<{ name: string; faults: unknown; version: number }>('SELECT name, faults, version FROM "SimulatedUpstream"'),
      connection.query<{ value: unknown }>('SELECT value FROM "Setting" WHERE key = $1', [DEMO_TRAFFIC_KEY]),
    ]);
    const next = new Map<string, Faults>();
    for (const row of upstreams.rows) {
      const { faults: parsed, valid } = readFaults(row.faults);
      const key = `${row.name}@${row.version}`;
      if (!valid && !warnedInvalid.has(key)) {
        warnedInvalid.add(key);
        log(`simulator: the faults stored for ${row.name} do not parse; serving it without faults until they are saved again`);
      }
      next.set(row.name, parsed);
    }
    faults = next;
    traffic = setting.rows[0] ? readDemoTraffic(setting.rows[0].value) : DEMO_TRAFFIC_OFF;
  }

  /** Reloads, coalescing notifications that arrive while a reload runs into one more reload. */
  async function reload() {
    if (reloading) {
      reloadAgain = true;
      return;
    }
    reloading = true;
    try {
      do {
        reloadAgain = false;
        const connection = client;
        if (!connection) return;
        await load(connection);
      } while (reloadAgain);
      markReady();
    } catch (error) {
      // The connection's own error handler schedules the reconnect; the last state stays.
      log(`simulator: could not reload faults (${(error as Error).message}); keeping the last known faults`);
    } finally {
      reloading = false;
    }
  }

  async function connect() {
    if (closed) return;
    const connection = new pg.Client({ connectionString: databaseUrl, application_name: 'standby-simulator', connectionTimeoutMillis: 10_000, query_timeout: 10_000, keepAlive: true });
    let gone = false;
    const lost = (error?: Error) => {
      if (gone) return;
      gone = true;
      if (client === connection) client = null;
      connection.removeAllListeners('notification');
      connection.end().catch(() => {});
      if (closed) return;
      if (!warnedLost) {
        warnedLost = true;
        const why = error ? ` (${error.message})` : '';
        log(
          everConnected
            ? `simulator: lost the database connection${why}; keeping the last known faults and reconnecting`
            : `simulator: cannot reach the database yet${why}; serving without faults and retrying`,
        );
      }
      retryTimer = setTimeout(() => {
        retryTimer = null;
        void connect();
      }, backoffMs);
      retryTimer.unref();
      backoffMs = Math.min(backoffMs * 2, maxBackoffMs);
    };
    connection.on('error', lost);
    connection.on('end', () => lost());
    connection.on('notification', (message) => {
      if (message.channel === ROUTING_CHANNEL && WATCHED_TABLES.has(message.payload ?? '')) void reload();
    });
    try {
      await connection.connect();
      // LISTEN before loading, so a change committed in between is not missed.
      await connection.query(`LISTEN ${ROUTING_CHANNEL}`);
      if (closed) {
        gone = true;
        await connection.end().catch(() => {});
        return;
      }
      client = connection;
      await load(connection);
      markReady();
      if (warnedLost) log(everConnected ? 'simulator: database connection back; faults reloaded' : 'simulator: connected to the database; faults loaded');
      warnedLost = false;
      everConnected = true;
      backoffMs = minBackoffMs;
    } catch (error) {
      lost(error as Error);
    }
  }

  void connect();

  return {
    get: (name) => faults.get(name) ?? NO_FAULTS,
    demoTraffic: () => traffic,
    ready,
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      const connection = client;
      client = null;
      if (connection) {
        connection.removeAllListeners('end');
        connection.removeAllListeners('notification');
        connection.on('error', () => {});
        await connection.end().catch(() => {});
      }
    },
  };
}
