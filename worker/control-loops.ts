import 'server-only';
// Every control loop the monitor's leader runs besides probing. Each domain
// owns its loop; this list is the one place they are switched on.
import type { LeaderTask } from './leader-tasks';

export function controlLoops(): LeaderTask[] {
  return [];
}
