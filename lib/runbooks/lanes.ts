// Which steps of a runbook wait on which (Cutover-style fork and join). Steps
// are ordered; lane 0 is the main line and lanes 1-3 run beside each other:
// - a main-line step waits on everything before it: the main step before it
//   and the last step of every lane opened since;
// - a lane step waits on the step before it in its lane, or, first in its
//   lane, on the main step before it.
// Pure; unit-tested beside it (lanes.test.ts).

export type LaneStep = { key: string; position: number; lane: number };
export type StepState = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

/** For each step key, the keys of the steps it waits on directly. */
export function dependencies(steps: readonly LaneStep[]): Map<string, string[]> {
  const ordered = [...steps].sort((a, b) => a.position - b.position);
  const result = new Map<string, string[]>();
  let lastMain: string | null = null;
  let lastInLane = new Map<number, string>();
  for (const step of ordered) {
    if (step.lane === 0) {
      result.set(step.key, [...(lastMain ? [lastMain] : []), ...lastInLane.values()]);
      lastMain = step.key;
      lastInLane = new Map();
    } else {
      const before = lastInLane.get(step.lane) ?? lastMain;
      result.set(step.key, before ? [before] : []);
      lastInLane.set(step.lane, step.key);
    }
  }
  return result;
}

const finished = (state: StepState | undefined) => state === 'done' || state === 'skipped';

export type Readiness = {
  /** Pending steps whose predecessors are all done or skipped: what to do next. */
  ready: string[];
  /** For each step not ready, the unfinished steps it waits on. */
  waitingOn: Map<string, string[]>;
};

/** What can be done now, given each step's state. A failed step holds back the steps after it until it is retried or skipped. */
export function readiness(steps: readonly LaneStep[], states: ReadonlyMap<string, StepState>): Readiness {
  const deps = dependencies(steps);
  const ready: string[] = [];
  const waitingOn = new Map<string, string[]>();
  for (const step of [...steps].sort((a, b) => a.position - b.position)) {
    if (states.get(step.key) !== 'pending') continue;
    const open = (deps.get(step.key) ?? []).filter((key) => !finished(states.get(key)));
    if (open.length === 0) ready.push(step.key);
    else waitingOn.set(step.key, open);
  }
  return { ready, waitingOn };
}

/** Rows of the runbook as drawn: one row per main step, or per group of lane steps that run beside each other. */
export function laneRows<S extends LaneStep>(steps: readonly S[]): { main: S | null; lanes: Map<number, S[]> }[] {
  const rows: { main: S | null; lanes: Map<number, S[]> }[] = [];
  let group: Map<number, S[]> | null = null;
  for (const step of [...steps].sort((a, b) => a.position - b.position)) {
    if (step.lane === 0) {
      group = null;
      rows.push({ main: step, lanes: new Map() });
    } else {
      if (!group) {
        group = new Map();
        rows.push({ main: null, lanes: group });
      }
      group.set(step.lane, [...(group.get(step.lane) ?? []), step]);
    }
  }
  return rows;
}
