// The leader of the incidents benchmark: the real incident loop
// (lib/incidents/watch-task.ts), LISTENing for breaker changes and writing
// them on the open incidents' timelines, in a process of its own.
import { incidentWatchTask } from '@/lib/incidents/watch-task';
import { serveIpc } from './harness';

process.env.NEXTAUTH_SECRET ??= 'benchmark-only-secret-0123456789abcdef01234';
process.env.STANDBY_ENCRYPTION_KEY ??= Buffer.alloc(32, 7).toString('base64');

const stop = new AbortController();
const running = incidentWatchTask({ stateId: 'bench-incidents' }).run({ signal: stop.signal, log: (line) => console.log(`[bench incidents leader] ${line}`) });

serveIpc({}, { pid: process.pid }, async () => {
  stop.abort();
  await running;
});
