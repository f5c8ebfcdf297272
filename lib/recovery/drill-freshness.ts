// Drill freshness and score (issue 14), pure. Each component and failure mode
// has a drill status: passed and fresh, passed but stale (older than its
// cadence), failed, halted, never run; and a result is unverified when what it
// tested changed since (the chain, the runbook, the targets). The score decays
// with age: 100 within the cadence, 75 within two, 50 within three, then 0;
// an unverified pass scores at most 50, a failed or halted run 0.
export type DrillStatus = 'fresh' | 'stale' | 'unverified' | 'failed' | 'halted' | 'never_run';

export const DRILL_STATUS_LABELS: Record<DrillStatus, string> = {
  fresh: 'Passed, fresh',
  stale: 'Passed, stale',
  unverified: 'Passed, unverified',
  failed: 'Failed',
  halted: 'Halted',
  never_run: 'Never drilled',
};

export const DEFAULT_CADENCE_DAYS = 90;
const DAY_MS = 86_400_000;

/** What a run tested, kept with it: the chain in order, the runbook's version, and each target as it was. */
export type TestedFingerprint = {
  chain: string[];
  /** Names of the chain's targets, so a change reads in names even for a target since deleted (absent from runs recorded before it was kept). */
  chainNames?: Record<string, string>;
  runbook: { id: string; version: number } | null;
  targets: { id: string; name: string; model: string; endpointUrl: string; enabled: boolean }[];
};

export type LastResult = { status: 'passed' | 'failed' | 'halted'; finishedAt: number; tested: TestedFingerprint };

export type Freshness = { status: DrillStatus; score: number; ageDays: number | null; changes: string[] };

/** What changed in the estate since a run tested it, in plain words; names come from the tested side when a target is gone. */
export function whatChanged(tested: TestedFingerprint, now: TestedFingerprint): string[] {
  const changes: string[] = [];
  const name = (id: string) => tested.chainNames?.[id] ?? now.chainNames?.[id] ?? tested.targets.find((t) => t.id === id)?.name ?? now.targets.find((t) => t.id === id)?.name ?? id;
  if (tested.chain.join('>') !== now.chain.join('>')) {
    changes.push(`The failover chain changed: was ${tested.chain.map(name).join(' → ') || 'empty'}, now ${now.chain.map(name).join(' → ') || 'empty'}.`);
  }
  if ((tested.runbook?.id ?? null) !== (now.runbook?.id ?? null)) changes.push(tested.runbook ? (now.runbook ? 'A different runbook is attached.' : 'The runbook was detached.') : 'A runbook was attached.');
  else if (tested.runbook && now.runbook && tested.runbook.version !== now.runbook.version) changes.push(`The runbook changed (version ${tested.runbook.version} → ${now.runbook.version}).`);
  for (const before of tested.targets) {
    const after = now.targets.find((t) => t.id === before.id);
    if (!after) changes.push(`Target ${before.name} was deleted.`);
    else {
      if (after.model !== before.model) changes.push(`Target ${before.name} now serves ${after.model} (was ${before.model}).`);
      if (after.endpointUrl !== before.endpointUrl) changes.push(`Target ${before.name} has a new endpoint.`);
      if (after.enabled !== before.enabled) changes.push(`Target ${before.name} was ${after.enabled ? 'enabled' : 'disabled'}.`);
    }
  }
  for (const after of now.targets) if (!tested.targets.some((t) => t.id === after.id)) changes.push(`Target ${after.name} was added to the scope.`);
  return changes;
}

/** Score by age against the cadence: 100 / 75 / 50 / 0. */
export function ageScore(ageMs: number, cadenceDays: number): number {
  const cadenceMs = Math.max(1, cadenceDays) * DAY_MS;
  if (ageMs <= cadenceMs) return 100;
  if (ageMs <= 2 * cadenceMs) return 75;
  if (ageMs <= 3 * cadenceMs) return 50;
  return 0;
}

export function drillFreshness(last: LastResult | null, cadenceDays: number, current: TestedFingerprint | null, now: number): Freshness {
  if (!last) return { status: 'never_run', score: 0, ageDays: null, changes: [] };
  const ageMs = Math.max(0, now - last.finishedAt);
  const ageDays = Math.floor(ageMs / DAY_MS);
  if (last.status !== 'passed') return { status: last.status, score: 0, ageDays, changes: [] };
  const changes = current ? whatChanged(last.tested, current) : [];
  const score = ageScore(ageMs, cadenceDays);
  if (changes.length > 0) return { status: 'unverified', score: Math.min(50, score), ageDays, changes };
  return { status: ageMs <= cadenceDays * DAY_MS ? 'fresh' : 'stale', score, ageDays, changes };
}

/** The estate's drill coverage: the mean score over every component and failure mode that should be drilled. */
export function coverageScore(scores: readonly number[]): number | null {
  return scores.length === 0 ? null : Math.round(scores.reduce((a, b) => a + b, 0) / scores.length);
}

/** Never-drilled components no plan covers yet: the others show as their plans, never run, and are scored once, through them. */
export const unplanned = <C extends { id: string }>(never: readonly C[], plans: readonly { componentId: string }[]): C[] => never.filter((c) => !plans.some((p) => p.componentId === c.id));
