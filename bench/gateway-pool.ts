// The gateway under test with every core (STANDBY_WORKERS): this process forks
// BENCH_GATEWAY_WORKERS workers through lib/server/runtime/workers.ts, each the
// bench gateway of bench/gateway.ts, on one port, as scripts/standby.ts does.
// The orchestrator reads the workers' CPU time from their pids.
import cluster from 'node:cluster';
import { startWorkerPool } from '@/lib/server/runtime/workers';
import { freePort, serveIpc } from './harness';

async function primary(): Promise<void> {
  const port = await freePort();
  process.env.BENCH_GATEWAY_PORT = String(port); // inherited by the workers
  const pool = startWorkerPool({ count: Number(process.env.BENCH_GATEWAY_WORKERS ?? 2), log: (line) => console.log(`[bench gateway pool] ${line}`), args: [] });
  await pool.ready;
  serveIpc({ pids: () => pool.pids() }, { port, pid: process.pid, pids: pool.pids() }, () => pool.stop());
}

if (cluster.isWorker) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('./gateway');
} else {
  void primary();
}
