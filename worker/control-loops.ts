import 'server-only';
// Every control loop the monitor's leader runs besides probing. Each domain
// owns its loop; this list is the one place they are switched on.
import type { LeaderTask } from '@/lib/server/leader-tasks';
import type { SnapshotReader } from '@/lib/routing/model';
import { accessCleanupTask } from '@/lib/access/cleanup';
import type { GatewayDeps, GatewayState } from '@/lib/gateway/context';
import { queueReplayTask } from '@/lib/gateway/queue-replay';
import { createRetryQueue } from '@/lib/gateway/retry-queue';
import type { SnapshotSource } from '@/lib/gateway/snapshot';
import { burnRateAlertTask } from '@/lib/slo/evaluate';
import { degradationTask } from '@/lib/degradation/evaluate';
import { retentionTask } from '@/lib/health/rollups';
import { recoveryTask } from '@/lib/recovery/detect-task';
import { drillControllerTask, drillWindows } from '@/lib/drills/controller';
import { configHistoryTask } from '@/lib/config-history/publish-task';
import { backupsTask } from '@/lib/backups/task';
import { conversationRetentionTask } from '@/lib/conversations/mutations';
import { incidentWatchTask } from '@/lib/incidents/watch-task';
import { notificationDeliveryTask } from '@/lib/incidents/deliveries';

/** What loops may need of the replica that leads: its routing snapshot, breakers, recorder and gateway state. */
export type ControlLoopDeps = {
  snapshots: Pick<SnapshotSource, 'get'>;
  breakers: GatewayDeps['breakers'];
  recorder: GatewayDeps['recorder'];
  gatewayState?: GatewayState;
  conversations?: GatewayDeps['conversations'];
};

/** A loop of the leader: what every one of them may read besides its own dependencies is the replica's routing snapshot. */
export type ReplicaTask = LeaderTask<{ snapshots: SnapshotReader }>;

export function controlLoops(deps: ControlLoopDeps): ReplicaTask[] {
  return [
    burnRateAlertTask, degradationTask, queueReplayTask({ ...deps, state: deps.gatewayState, queue: createRetryQueue() }), retentionTask, accessCleanupTask,
    recoveryTask(drillWindows), drillControllerTask({ ...deps, state: deps.gatewayState }), configHistoryTask(), backupsTask(), conversationRetentionTask(), incidentWatchTask(), notificationDeliveryTask,
  ];
}
