import 'server-only';
// The demo estate's drills (issue 14): four plans and the results a quarter of
// game days would have left, one of each kind a manager meets: a fresh pass, a
// pass the estate changed since (unverified), a failure with the RTO part that
// broke it, and a plan scheduled but never run. Loaded once (its audit entry
// marks it); every figure is illustrative and says so in the plan.
import { recordAudit } from '@/lib/audit/record';
import { faultInput } from '@/lib/drills/schemas';
import { judgeRun } from '@/lib/drills/verdict';
import { fingerprint, type PlanScope } from '@/lib/recovery/drill-states';
import { DAY, MINUTE, routingComponentName, SECOND, type DisruptionKind } from '@/lib/recovery/model';
import { SYSTEM_ACTOR } from '@/lib/server/auth';
import { db, type Prisma, type Tx } from '@/lib/server/db';

const NOTE = 'Demo drill (illustrative): its past runs were loaded with the demo estate, not measured here.';

type RunSpec = {
  daysAgo: number;
  by: string;
  /** RTO parts of the measured episode, ms: detect, assess, activate. */
  parts: [number, number, number];
  /** The chain as it was when it ran, when it differs from today's (target names). */
  chainThen?: string[];
};

type PlanSpec = {
  name: string;
  service: string;
  disruption: DisruptionKind;
  scope: { kind: PlanScope['kind']; names: string[] };
  faults: ReturnType<typeof fault>[];
  runbook: string | null;
  recurrenceDays: number | null;
  /** Days from now to the next scheduled run; null: none. */
  nextInDays: number | null;
  cadenceDays: number;
  runs: RunSpec[];
};

/** A fault as the plan editor's schema stores it, its other fields at their defaults. */
const fault = (kind: string, extra: Record<string, unknown> = {}) => faultInput.parse({ kind, ...extra });

const PLANS: PlanSpec[] = [
  {
    name: 'support-bot: OpenAI outage', service: 'support-bot', disruption: 'provider_outage',
    scope: { kind: 'provider', names: ['openai'] }, faults: [fault('target_down')], runbook: 'Provider outage',
    recurrenceDays: 90, nextInDays: 67, cadenceDays: 90,
    runs: [
      { daysAgo: 113, by: 'operator@standby.demo', parts: [4_200, 0, 9_800] },
      { daysAgo: 23, by: 'operator@standby.demo', parts: [3_100, 0, 6_400] },
    ],
  },
  {
    name: 'support-bot: EU region down', service: 'support-bot', disruption: 'regional_outage',
    scope: { kind: 'region', names: ['eu-west'] }, faults: [fault('target_down')], runbook: 'Regional outage',
    recurrenceDays: null, nextInDays: null, cadenceDays: 90,
    // Anthropic joined the chain after this run: the pass no longer proves today's failover path.
    runs: [{ daysAgo: 41, by: 'commander@standby.demo', parts: [5_600, 12_000, 8_100], chainThen: ['openai-gpt-4o-us-east', 'azure-gpt-4o-eu-west', 'vllm-llama-70b-on-prem'] }],
  },
  {
    name: 'code-assistant: Anthropic rate limits', service: 'code-assistant', disruption: 'capacity_loss',
    scope: { kind: 'targets', names: ['anthropic-sonnet-us-west'] }, faults: [fault('rate_limited', { retryAfterSeconds: 30 })], runbook: 'Rate limiting and capacity exhaustion',
    recurrenceDays: 30, nextInDays: 3, cadenceDays: 30,
    runs: [{ daysAgo: 9, by: 'operator@standby.demo', parts: [24_000, 0, 21_000] }],
  },
  {
    name: 'doc-summarizer: slow Gemini first token', service: 'doc-summarizer', disruption: 'provider_outage',
    scope: { kind: 'targets', names: ['gemini-flash-us-east'] }, faults: [fault('slow_first_token', { delayMs: 20_000 })], runbook: null,
    recurrenceDays: 90, nextInDays: 5, cadenceDays: 90, runs: [],
  },
];

const HALT = { maxErrorRate: 0.05, maxP95TtftMs: null, maxBurnRate: null, tierFloor: null };

async function seedPlan(tx: Tx, spec: PlanSpec, now: number) {
  const service = await tx.service.findUnique({ where: { name: spec.service }, select: { id: true } });
  const component = await tx.recoveryComponent.findFirst({ where: { name: routingComponentName(spec.service), retiredAt: null }, select: { id: true } });
  if (!service || !component) return false;
  const named = spec.scope.kind === 'targets' ? tx.target.findMany({ where: { name: { in: spec.scope.names } } }) : spec.scope.kind === 'provider' ? tx.provider.findMany({ where: { name: { in: spec.scope.names } } }) : tx.region.findMany({ where: { code: { in: spec.scope.names } } });
  const scope: PlanScope = { kind: spec.scope.kind, ids: (await named).map((x) => x.id) };
  const runbook = spec.runbook ? await tx.runbook.findFirst({ where: { name: spec.runbook, archivedAt: null }, select: { id: true } }) : null;
  const objective = await tx.recoveryObjective.findUnique({ where: { componentId_disruption: { componentId: component.id, disruption: spec.disruption } }, select: { rtoMs: true } });
  const day = (offset: number) => new Date(Math.floor(now / DAY) * DAY + offset * DAY + 10 * 3_600_000);
  const plan = await tx.drillPlan.create({
    data: {
      name: spec.name, description: NOTE, componentId: component.id, disruption: spec.disruption, serviceId: service.id, scope: scope as Prisma.InputJsonValue,
      trafficMode: 'synthetic', syntheticRps: 5, faults: spec.faults as Prisma.InputJsonValue, haltConditions: HALT, durationMs: 5 * MINUTE,
      runbookId: runbook?.id ?? null, recurrenceDays: spec.recurrenceDays, cadenceDays: spec.cadenceDays, nextRunAt: spec.nextInDays === null ? null : day(spec.nextInDays),
      createdBy: 'operator@standby.demo', createdAt: day(-(spec.runs[0]?.daysAgo ?? 2) - 1),
    },
    select: { id: true },
  });
  const current = await fingerprint(tx, { serviceId: service.id, runbookId: runbook?.id ?? null, scope });
  for (const run of spec.runs) {
    const startedAt = day(-run.daysAgo).getTime();
    const [detect, assess, activate] = run.parts;
    const rtoMs = detect + assess + activate;
    const result = judgeRun({ haltReason: null, objectiveRtoMs: objective?.rtoMs ?? null, faultsActive: false, episode: { kind: 'service_routing', rtoMs, status: 'recovered', parts: { tDetectMs: detect, tAssessMs: assess, tActivateMs: activate, tRestoreMs: 5 * MINUTE - rtoMs } } });
    const chainThen = run.chainThen ? await tx.target.findMany({ where: { name: { in: run.chainThen } }, select: { id: true, name: true } }).then((ts) => run.chainThen!.map((n) => ts.find((t) => t.name === n)!)) : null;
    const tested = chainThen ? { ...current, chain: chainThen.map((t) => t.id), chainNames: Object.fromEntries(chainThen.map((t) => [t.id, t.name])) } : current;
    const faultsEndAt = new Date(startedAt + 5 * MINUTE);
    const finishedAt = new Date(startedAt + 5 * MINUTE + 40 * SECOND);
    const created = await tx.drillRun.create({
      data: {
        planId: plan.id, status: result.status, startedAt: new Date(startedAt), startedBy: run.by, faultsEndAt, faultsEndedAt: faultsEndAt, finishedAt,
        tested: tested as unknown as Prisma.InputJsonValue, objectiveRtoMs: objective?.rtoMs ?? null, measuredRtoMs: result.measuredRtoMs, verdict: result.verdict, brokenPart: result.brokenPart,
        syntheticSent: 1_500, syntheticFailed: Math.round(detect / 200), createdAt: new Date(startedAt),
        faultLeases: { create: spec.faults.map((f) => ({ kind: f.kind, targetIds: current.targets.map((t) => t.id), drillOnly: true, params: f as Prisma.InputJsonValue, startsAt: new Date(startedAt), expiresAt: faultsEndAt, endedAt: faultsEndAt, endReason: 'expired' })) },
      },
      select: { id: true },
    });
    await tx.drillEvent.createMany({
      data: [
        { runId: created.id, at: new Date(startedAt), kind: 'started', text: `Started by ${run.by}: ${spec.faults.map((f) => f.kind.replace(/_/g, ' ')).join(', ')} on ${current.targets.map((t) => t.name).join(', ')} for synthetic requests only (5 per second).` },
        { runId: created.id, at: faultsEndAt, kind: 'faults_ended', text: 'Faults ended at their lease deadline.' },
        { runId: created.id, at: finishedAt, kind: result.status, text: result.verdict },
      ],
    });
  }
  return true;
}

/** Loads the demo's drills once; returns how many plans it added. */
export async function seedDrillsDemo(now = Date.now()): Promise<number> {
  return db().$transaction(async (tx) => {
    if ((await tx.auditLog.count({ where: { action: 'demo.seed_drills' } })) > 0) return 0;
    let plans = 0;
    for (const spec of PLANS) if (!(await tx.drillPlan.findUnique({ where: { name: spec.name }, select: { id: true } })) && (await seedPlan(tx, spec, now))) plans += 1;
    await recordAudit(tx, SYSTEM_ACTOR, { action: 'demo.seed_drills', entityType: 'estate', entityName: 'demo drills', after: { plans }, reason: 'demo drill history loaded (illustrative)' });
    return plans;
  }, { isolationLevel: 'ReadCommitted', timeout: 60_000, maxWait: 10_000 });
}
