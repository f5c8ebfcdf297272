import 'server-only';
// What a load balancer and the dashboard need to know about this replica.
// A database outage degrades the control plane but not the data plane: the
// gateway keeps routing on its last snapshot (static stability), so the
// replica stays in rotation (HTTP 200, status "degraded"). Only a replica that
// cannot route at all (no snapshot yet) answers 503.
import { dataPlaneStatus } from '@/lib/server/data-plane-link';
import { db } from '@/lib/server/db';
import { env, launchEnv } from '@/lib/server/env';

export type HealthReport = {
  status: 'ok' | 'degraded' | 'unavailable';
  version: string;
  uptimeSeconds: number;
  checks: {
    app: 'ok';
    database: { status: 'ok' | 'unreachable'; latencyMs: number | null; error?: string };
    gateway: { status: 'routing' | 'not_started' | 'no_configuration'; snapshotLoadedAt: string | null; snapshotFresh: boolean; bufferedRecords: number; recordingError: string | null } | null;
  };
};

const DB_TIMEOUT_MS = 2_000;

/** host:port of the configured database (never its credentials), so an operator knows which server is missing. */
function databaseAddress(): string {
  try {
    const url = new URL(env().DATABASE_URL);
    return `${url.hostname}:${url.port || '5432'}`;
  } catch {
    return 'the database';
  }
}

export async function checkHealth(): Promise<HealthReport> {
  const started = performance.now();
  let database: HealthReport['checks']['database'];
  try {
    await Promise.race([
      db().$queryRaw`SELECT 1`,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${DB_TIMEOUT_MS} ms`)), DB_TIMEOUT_MS).unref()),
    ]);
    database = { status: 'ok', latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    const reason = error instanceof Error ? error.message.trim().split('\n').at(-1) : 'unknown error';
    database = { status: 'unreachable', latencyMs: null, error: `${databaseAddress()}: ${reason}` };
  }
  const plane = dataPlaneStatus();
  const gateway: HealthReport['checks']['gateway'] = plane
    ? {
        status: plane.snapshot.loadedAt ? 'routing' : 'no_configuration',
        snapshotLoadedAt: plane.snapshot.loadedAt ? new Date(plane.snapshot.loadedAt).toISOString() : null,
        snapshotFresh: plane.snapshot.fresh,
        bufferedRecords: plane.recorder.buffered,
        recordingError: plane.recorder.lastError,
      }
    : null;
  const status = gateway?.status === 'no_configuration' ? 'unavailable' : database.status === 'ok' ? 'ok' : 'degraded';
  return {
    status,
    version: launchEnv().npm_package_version,
    uptimeSeconds: Math.round(process.uptime()),
    checks: { app: 'ok', database, gateway },
  };
}
