import 'server-only';
// Every configuration section known to the version writer before any change is made (lib/config-versions/section.ts).
import '@/lib/config-history/sections';
// One replica of Standby, started in one way wherever it runs: its data plane
// (routing snapshot, breakers following the shared state, recorder, metrics,
// gateway, conversation store) and its background work (the health monitor, which runs the probes
// and the control loops while it holds the leader's lock). A web replica
// (scripts/standby.ts) serves the data plane's handler at its front door; a
// monitor-only process (worker/index.ts) does not. Either way the data plane's
// status and metrics reach Next's pages through lib/server/data-plane-link.ts.
import { startConversationStore } from '@/lib/conversations/runtime';
import { startDataPlane, type DataPlane } from '@/lib/gateway/runtime';
import { publishDataPlane, unpublishDataPlane } from '@/lib/server/data-plane-link';
import { env } from '@/lib/server/env';
import { controlLoops } from './control-loops';
import { startHealthMonitor, type HealthMonitor } from './monitor';

export type ReplicaOptions = {
  /** The name this replica writes shared breaker state and leadership under; host and pid by default. */
  replica?: string;
  log: (line: string) => void;
};

export type Replica = { dataPlane: DataPlane; monitor: HealthMonitor; close: () => Promise<void> };

export async function startReplica(options: ReplicaOptions): Promise<Replica> {
  const dataPlane = await startDataPlane({ replica: options.replica, maxBodyBytes: env().STANDBY_GATEWAY_MAX_BODY_BYTES, log: options.log, conversations: startConversationStore() });
  publishDataPlane(dataPlane.link);
  const monitor = startHealthMonitor({
    snapshots: dataPlane.snapshots, breakers: dataPlane.breakers, recorder: dataPlane.recorder, replica: dataPlane.replica, log: options.log,
    tasks: controlLoops(dataPlane),
  });
  return {
    dataPlane,
    monitor,
    close: async () => {
      await monitor.close();
      unpublishDataPlane();
      await dataPlane.close();
    },
  };
}
