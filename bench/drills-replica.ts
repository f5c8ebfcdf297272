// One replica of the drills benchmark (bench/drills.ts): a real SnapshotSource
// (LISTEN standby_routing, reload on NOTIFY) in a process of its own, noting
// when each drill run's fault leases first appear in its snapshot and when
// they are gone again.
import { SnapshotSource } from '@/lib/gateway/snapshot';
import { now, serveIpc } from './harness';

type Seen = { on: number | null; off: number | null };
const seen = new Map<string, Seen>();
const waiters: { runId: string; edge: 'on' | 'off'; resolve: (at: number) => void }[] = [];

const source = new SnapshotSource();
source.onChange((snapshot) => {
  const at = now();
  const present = new Set([...(snapshot.faults?.values() ?? [])].flat().map((f) => f.runId));
  for (const runId of present) if (!seen.has(runId)) seen.set(runId, { on: at, off: null });
  for (const [runId, s] of seen) if (s.off === null && !present.has(runId)) s.off = at;
  for (const w of [...waiters]) {
    const at2 = seen.get(w.runId)?.[w.edge] ?? null;
    if (at2 !== null) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(at2);
    }
  }
});

async function main() {
  await source.start();
  while (!source.status().listening) await new Promise((resolve) => setTimeout(resolve, 20));
  serveIpc(
    {
      /** When this replica's snapshot first held (on) or first lost (off) the leases of `runId`, waiting up to `timeoutMs`. */
      waitFor: ({ runId, edge, timeoutMs }: { runId: string; edge: 'on' | 'off'; timeoutMs: number }) => {
        const at = seen.get(runId)?.[edge] ?? null;
        if (at !== null) return at;
        return new Promise<number | null>((resolve) => {
          const timer = setTimeout(() => resolve(null), timeoutMs);
          waiters.push({ runId, edge, resolve: (x) => (clearTimeout(timer), resolve(x)) });
        });
      },
      close: () => source.close(),
    },
    { pid: process.pid },
  );
}

main().catch((error) => {
  console.error('[bench drills replica]', error);
  process.exit(1);
});
