import 'server-only';
// What the drills (lib/drills, issue 14) tell the recovery posture and the
// report: for every plan not archived, the freshness of its last result, and
// the service routing components no drill has covered. Read here rather than
// in lib/drills because the posture and the report need it and lib/drills is
// built on this domain (it records its results as recovery evidence).
import { db, type Tx } from '@/lib/server/db';
import { coverageScore, drillFreshness, unplanned, type Freshness, type LastResult, type TestedFingerprint } from './drill-freshness';
import type { DisruptionKind } from './model';

const FINISHED = ['passed', 'failed', 'halted'] as const;
/** Runs of a plan read to find its running and its last finished one. */
const RECENT_RUNS = 10;

/** The targets a drill's faults apply to, as chosen; a provider or a region is resolved to its targets when the run starts. */
export type PlanScope = { kind: 'targets' | 'provider' | 'region'; ids: string[] };

/** The field of a target a scope's ids name: the target's own, its provider's or its region's. */
const SCOPE_FIELD = { targets: 'id', provider: 'providerId', region: 'regionId' } as const satisfies Record<PlanScope['kind'], string>;

/** The targets a scope names now: chosen ones, or every target of a provider or region. */
export async function resolveScope(tx: Tx, scope: PlanScope): Promise<{ id: string; name: string }[]> {
  return tx.target.findMany({ where: { [SCOPE_FIELD[scope.kind]]: { in: scope.ids } }, select: { id: true, name: true }, orderBy: { name: 'asc' } });
}

const RUNBOOK_VERSION_SELECT = { id: true, version: true, archivedAt: true, versions: { orderBy: { number: 'desc' }, take: 1, select: { id: true } } } as const;

/** A runbook row's current version (RUNBOOK_VERSION_SELECT); null when it is gone or archived. */
function currentVersion(runbook: { id: string; version: number; archivedAt: Date | null; versions: { id: string }[] } | null | undefined) {
  if (!runbook || runbook.archivedAt || !runbook.versions[0]) return null;
  return { id: runbook.id, version: runbook.version, versionId: runbook.versions[0].id };
}

/** The runbook's current version, and the id of that version's row (what an incident pins); null when it is gone or archived. */
export async function runbookVersion(tx: Tx, id: string): Promise<{ id: string; version: number; versionId: string } | null> {
  return currentVersion(await tx.runbook.findUnique({ where: { id }, select: RUNBOOK_VERSION_SELECT }));
}

type FingerprintedPlan = { serviceId: string; runbookId: string | null; scope: PlanScope };

/**
 * What a run of each plan tests now: the service's chain, the runbook's version and the targets in scope
 * (drill-freshness.ts). Read for many plans in four queries, not four a plan: the drills page, the posture and the
 * report read every plan's.
 */
export async function fingerprints(tx: Tx, plans: readonly FingerprintedPlan[]): Promise<TestedFingerprint[]> {
  // One query after another: inside a transaction the client runs them in turn anyway.
  if (plans.length === 0) return [];
  const chains = await tx.chainEntry.findMany({
    where: { serviceId: { in: [...new Set(plans.map((p) => p.serviceId))] } },
    orderBy: { position: 'asc' }, select: { serviceId: true, targetId: true, target: { select: { name: true } } },
  });
  const kinds = Object.keys(SCOPE_FIELD) as PlanScope['kind'][];
  const named = (kind: PlanScope['kind']) => [...new Set(plans.flatMap((p) => (p.scope.kind === kind ? p.scope.ids : [])))];
  const targets = await tx.target.findMany({
    where: { OR: kinds.map((kind) => ({ [SCOPE_FIELD[kind]]: { in: named(kind) } })) },
    select: { id: true, name: true, model: true, endpointUrl: true, enabled: true, providerId: true, regionId: true }, orderBy: { name: 'asc' },
  });
  const runbookIds = [...new Set(plans.flatMap((p) => (p.runbookId ? [p.runbookId] : [])))];
  const runbooks = runbookIds.length ? await tx.runbook.findMany({ where: { id: { in: runbookIds } }, select: RUNBOOK_VERSION_SELECT }) : [];
  return plans.map((plan) => {
    const chain = chains.filter((c) => c.serviceId === plan.serviceId);
    const runbook = currentVersion(runbooks.find((r) => r.id === plan.runbookId));
    return {
      chain: chain.map((c) => c.targetId),
      chainNames: Object.fromEntries(chain.map((c) => [c.targetId, c.target.name])),
      runbook: runbook && { id: runbook.id, version: runbook.version },
      targets: targets.filter((t) => plan.scope.ids.includes(t[SCOPE_FIELD[plan.scope.kind]])).map(({ id, name, model, endpointUrl, enabled }) => ({ id, name, model, endpointUrl, enabled })),
    };
  });
}

/** What a run of one plan tests now (fingerprints). */
export async function fingerprint(tx: Tx, plan: FingerprintedPlan): Promise<TestedFingerprint> {
  return (await fingerprints(tx, [plan]))[0];
}

export type LastRun = { id: string; status: string; finishedAt: Date | null; measuredRtoMs: number | null; objectiveRtoMs: number | null; verdict: string | null };

/** One plan's drill state: its running run, its last result and that result's freshness now. */
export type DrillState = {
  planId: string;
  planName: string;
  componentId: string;
  componentName: string;
  serviceName: string;
  disruption: DisruptionKind;
  cadenceDays: number;
  /** The schedule: the next run, and every so many days after it (null: once). */
  nextRunAt: Date | null;
  recurrenceDays: number | null;
  running: { id: string; startedAt: Date | null } | null;
  last: LastRun | null;
  freshness: Freshness;
};

/** Every plan not archived with its freshness at `now` (or only these plans). */
export async function readDrillStates(now = Date.now(), planIds?: readonly string[]): Promise<DrillState[]> {
  const plans = await db().drillPlan.findMany({
    where: { archivedAt: null, ...(planIds ? { id: { in: [...planIds] } } : {}) },
    orderBy: { name: 'asc' },
    select: {
      id: true, name: true, disruption: true, cadenceDays: true, nextRunAt: true, recurrenceDays: true, serviceId: true, runbookId: true, scope: true, componentId: true,
      component: { select: { name: true, service: { select: { name: true } } } },
      runs: {
        where: { status: { in: ['running', ...FINISHED] }, OR: [{ finishedAt: null }, { finishedAt: { lte: new Date(now) } }] },
        orderBy: { createdAt: 'desc' }, take: RECENT_RUNS,
        select: { id: true, status: true, startedAt: true, finishedAt: true, measuredRtoMs: true, objectiveRtoMs: true, verdict: true, tested: true },
      },
    },
  });
  const lastOf = (p: (typeof plans)[number]) => p.runs.find((r) => r.status !== 'running' && r.finishedAt) ?? null;
  // What each plan with a result tests now, read for all of them at once.
  const tested = plans.filter((p) => lastOf(p));
  const fingerprinted = await fingerprints(db(), tested.map((p) => ({ serviceId: p.serviceId, runbookId: p.runbookId, scope: p.scope as PlanScope })));
  const currentOf = new Map(tested.map((p, i) => [p.id, fingerprinted[i]]));
  return plans.map((p) => {
    const running = p.runs.find((r) => r.status === 'running') ?? null;
    const last = lastOf(p);
    const current = currentOf.get(p.id) ?? null;
    const result: LastResult | null = last ? { status: last.status as LastResult['status'], finishedAt: last.finishedAt!.getTime(), tested: last.tested as unknown as TestedFingerprint } : null;
    return {
      planId: p.id, planName: p.name, componentId: p.componentId, componentName: p.component.name, serviceName: p.component.service?.name ?? '(deleted service)',
      disruption: p.disruption, cadenceDays: p.cadenceDays, nextRunAt: p.nextRunAt, recurrenceDays: p.recurrenceDays,
      running: running && { id: running.id, startedAt: running.startedAt },
      last: last && { id: last.id, status: last.status, finishedAt: last.finishedAt, measuredRtoMs: last.measuredRtoMs, objectiveRtoMs: last.objectiveRtoMs, verdict: last.verdict },
      freshness: drillFreshness(result, p.cadenceDays, current, now),
    };
  });
}

/** Service routing components in service no plan has a finished run of: never drilled. */
export async function readNeverDrilled(states: readonly DrillState[]): Promise<{ id: string; name: string }[]> {
  const drilled = new Set(states.filter((s) => s.last).map((s) => s.componentId));
  const components = await db().recoveryComponent.findMany({ where: { kind: 'service_routing', retiredAt: null }, select: { id: true, name: true }, orderBy: { name: 'asc' } });
  return components.filter((c) => !drilled.has(c.id));
}

export type DrillCoverage<P extends DrillState = DrillState> = { plans: P[]; never: { id: string; name: string }[]; score: number | null };

/** Coverage of these plans: each plan's status and score, the never-drilled components, and the mean score (never-drilled counting 0). */
export async function coverageOf<P extends DrillState>(plans: P[]): Promise<DrillCoverage<P>> {
  const never = await readNeverDrilled(plans);
  // A component whose plan never ran is scored once, through its plan.
  return { plans, never, score: coverageScore([...plans.map((p) => p.freshness.score), ...unplanned(never, plans).map(() => 0)]) };
}

/** The estate's drill coverage at `now`. */
export async function readDrillCoverage(now = Date.now()): Promise<DrillCoverage> {
  return coverageOf(await readDrillStates(now));
}
