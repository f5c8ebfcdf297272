import 'server-only';
// Control loops that must run on exactly one replica: the health monitor's
// leader (worker/monitor.ts) runs each on its interval while it leads, and
// stops them when it steps down. A run never overlaps the previous one of the
// same task; a failing run is logged and retried on the next tick. What else a
// task reads (the replica's routing snapshot, say) is `Extra`, given by whoever
// starts them (worker/control-loops.ts), so this scheduler knows no domain.

export type LeaderTaskContext<Extra = unknown> = Extra & {
  /** Aborted when leadership ends. */
  signal: AbortSignal;
  log: (line: string) => void;
};

export type LeaderTask<Extra = unknown> = { name: string; intervalMs: number; run: (context: LeaderTaskContext<Extra>) => Promise<void> };

export function startLeaderTasks<Extra>(
  tasks: LeaderTask<Extra>[],
  base: Omit<LeaderTaskContext<Extra>, 'signal'>,
): { stop: () => Promise<void> } {
  const stopped = new AbortController();
  const context = { ...base, signal: stopped.signal } as LeaderTaskContext<Extra>;
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();

  for (const task of tasks) {
    const tick = () => {
      if (stopped.signal.aborted) return;
      const run = task
        .run(context)
        .catch((error: unknown) => base.log(`${task.name}: ${error instanceof Error ? error.message.split('\n').at(-1) : String(error)}`))
        .finally(() => {
          running.delete(run);
          if (stopped.signal.aborted) return;
          const timer = setTimeout(() => {
            timers.delete(timer);
            tick();
          }, task.intervalMs);
          timer.unref();
          timers.add(timer);
        });
      running.add(run);
    };
    tick();
  }

  return {
    stop: async () => {
      stopped.abort();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled([...running]);
    },
  };
}
