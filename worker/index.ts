import 'server-only';
// The health monitor as a process of its own. Today the monitor runs inside
// each web replica, started by scripts/standby.ts; only the replica holding
// the monitor's advisory lock probes, so running it in every replica is safe.
// This entry is for deployments that want probes away from the web replicas:
//
//   DATABASE_URL=... STANDBY_ENCRYPTION_KEY=... NEXTAUTH_SECRET=... npm run standby -- monitor
//
// (compiled like `npm start`, docs/decisions/008: nothing is compiled at run time).
//
// Any number of these may run beside the web replicas: one leads, the others
// wait. It is a replica like the others (worker/replica.ts) whose gateway
// nobody calls.
import { hostname } from 'node:os';
import { db } from '@/lib/server/db';
import { startReplica } from './replica';

export type MonitorProcess = { close: () => Promise<void> };

/** Starts the replica this process is; close() stops it and its database connections. */
export async function startMonitorProcess(replica = `monitor-${hostname()}-${process.pid}`): Promise<MonitorProcess> {
  const running = await startReplica({ replica, log: (line) => console.log(`[standby] ${line}`) });
  return {
    close: async () => {
      await running.close();
      await db().$disconnect();
    },
  };
}
