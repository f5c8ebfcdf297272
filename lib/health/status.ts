import 'server-only';
import { db } from '@/lib/server/db';

export type HealthReport = {
  status: 'ok' | 'degraded';
  version: string;
  uptimeSeconds: number;
  checks: { app: 'ok'; database: { status: 'ok' | 'unreachable'; latencyMs: number | null; error?: string } };
};

const DB_TIMEOUT_MS = 2_000;

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
    database = { status: 'unreachable', latencyMs: null, error: error instanceof Error ? error.message.split('\n')[0] : 'unknown error' };
  }
  return {
    status: database.status === 'ok' ? 'ok' : 'degraded',
    version: process.env.npm_package_version ?? '0.1.0',
    uptimeSeconds: Math.round(process.uptime()),
    checks: { app: 'ok', database },
  };
}
