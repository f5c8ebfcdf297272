// One "replica" of the control-plane flip measurement: a real SnapshotSource
// (LISTEN standby_routing, reload on NOTIFY) in a process of its own, which
// notes when each pin first appears in its snapshot. Started by bench/flip.ts.
import { SnapshotSource } from '@/lib/gateway/snapshot';
import { now, serveIpc } from './harness';

const firstSeen = new Map<string, number>();
const waiters = new Map<string, (at: number) => void>();

const source = new SnapshotSource();
source.onChange((snapshot) => {
  const at = now();
  for (const override of snapshot.overrides) {
    if (override.kind !== 'pin' || firstSeen.has(override.id)) continue;
    firstSeen.set(override.id, at);
    waiters.get(override.id)?.(at);
    waiters.delete(override.id);
  }
});

async function main() {
  await source.start();
  // Ready only once LISTEN is in place, so no flip can be missed.
  while (!source.status().listening) await new Promise((resolve) => setTimeout(resolve, 20));
  serveIpc(
    {
      /** When this replica's snapshot first held the pin `id` (epoch ms), waiting for it up to `timeoutMs`. */
      waitForPin: ({ id, timeoutMs }: { id: string; timeoutMs: number }) => {
        const seen = firstSeen.get(id);
        if (seen !== undefined) return seen;
        return new Promise<number | null>((resolve) => {
          const timer = setTimeout(() => {
            waiters.delete(id);
            resolve(null);
          }, timeoutMs);
          waiters.set(id, (at) => {
            clearTimeout(timer);
            resolve(at);
          });
        });
      },
      close: () => source.close(),
    },
    { pid: process.pid },
  );
}

main().catch((error) => {
  console.error('[bench replica]', error);
  process.exit(1);
});
