import 'server-only';
// The health monitor as a process of its own. Today the monitor runs inside
// each web replica, started by scripts/standby.ts; only the replica holding
// the monitor's advisory lock probes, so running it in every replica is safe.
// This entry is for deployments that want probes away from the web replicas:
//
//   DATABASE_URL=... STANDBY_ENCRYPTION_KEY=... NEXTAUTH_SECRET=... \
//   node --require ./scripts/server-only-shim.cjs --import tsx worker/index.ts
//
// Any number of these may run beside the web replicas: one leads, the others wait.
import { hostname } from 'node:os';
import { DEFAULT_BREAKER_CONFIG } from '@/lib/routing/defaults';
import { BreakerRegistry } from '@/lib/gateway/breaker-registry';
import { SampleRecorder } from '@/lib/gateway/recorder';
import { SnapshotSource } from '@/lib/gateway/snapshot';
import type { RoutingSnapshot } from '@/lib/routing/model';
import { db } from '@/lib/server/db';
import { controlLoops } from './control-loops';
import { startHealthMonitor } from './monitor';

export { startHealthMonitor, HEALTH_MONITOR_LOCK_KEY, type HealthMonitor, type HealthMonitorOptions } from './monitor';

export type MonitorProcess = { close: () => Promise<void> };

/** Starts the snapshot, breakers, recorder and monitor this process needs; close() stops them in reverse order. */
export async function startMonitorProcess(replica = `monitor-${hostname()}-${process.pid}`): Promise<MonitorProcess> {
  const snapshots = new SnapshotSource();
  const breakers = new BreakerRegistry(replica, (targetId) => snapshots.get()?.targets.get(targetId)?.breaker ?? DEFAULT_BREAKER_CONFIG);
  // Follow the breaker state the replicas agreed on (never this process's own writes read back).
  const followShared = (snapshot: RoutingSnapshot) => breakers.followShared(snapshot.breakers);
  snapshots.onChange(followShared);
  await snapshots.start();
  const current = snapshots.get();
  if (current) followShared(current);
  const recorder = new SampleRecorder().start();
  const monitor = startHealthMonitor({ snapshots, breakers, recorder, replica, tasks: controlLoops({ snapshots, breakers, recorder }) });
  return {
    close: async () => {
      await monitor.close();
      await recorder.close();
      await snapshots.close();
      await db().$disconnect();
    },
  };
}

if (require.main === module) {
  const keepAlive = setInterval(() => {}, 60_000); // timers of the monitor are unref'd; this process exists for them
  startMonitorProcess().then(
    (running) => {
      console.log('[standby] health monitor process started');
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        process.once(signal, () => {
          clearInterval(keepAlive);
          void running.close().finally(() => process.exit(0));
        });
      }
    },
    (error: unknown) => {
      console.error('[standby] health monitor process failed to start', error);
      process.exit(1);
    },
  );
}
