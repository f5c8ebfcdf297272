// The primary of a worker pool for lib/server/runtime/workers.integration.test.ts: forks
// WORKERS replicas (replica.ts) on PORT and stops them on SIGTERM or SIGINT, as scripts/standby.ts does.
import path from 'node:path';
import { poolMetrics } from '@/lib/gateway/metrics';
import { answerWorkers, startWorkerPool } from '@/lib/server/runtime/workers';

const log = (line: string) => console.log(`[primary] ${line}`);
const pool = startWorkerPool({
  count: Number(process.env.WORKERS ?? 2),
  exec: path.join(__dirname, 'replica.ts'),
  log,
  restart: { baseMs: 100, maxMs: 1_000, youngMs: 1_000 },
});
answerWorkers('metrics', poolMetrics);
void pool.ready.then(() => log(`ready: ${pool.pids().join(' ')}`));
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    log(`${signal} received`);
    void pool.stop().then(() => {
      log('stopped');
      process.exit(0);
    });
  });
}
