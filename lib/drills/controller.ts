import 'server-only';
// The drill controller, a leader task (worker/control-loops.ts) that runs
// twice a second: it starts scheduled drills when due, sends each synthetic
// drill's marked requests through this replica's gateway, evaluates halt
// conditions from live telemetry (halt.ts) and ends every fault of a run at
// once when one trips, records leases that ended at their deadline, and
// judges each run once the episode detector (lib/recovery) has measured the
// disruption it caused. None of this is needed for a fault to end: the
// gateway ends each at its lease by its own clock (lib/gateway/inject-fault.ts),
// so a dead controller leaves nothing broken, only unrecorded until the next
// leader records it.
import { SYSTEM_ACTOR } from '@/lib/server/auth';
import { db, Prisma } from '@/lib/server/db';
import { inTransaction } from '@/lib/server/mutation';
import type { LeaderTask } from '@/lib/server/leader-tasks';
import type { SnapshotReader } from '@/lib/routing/model';
import { effectiveTier } from '@/lib/routing/tier';
import { recordEvidence } from '@/lib/recovery/evidence';
import type { DrillWindow } from '@/lib/recovery/detector';
import type { DisruptionKind } from '@/lib/recovery/model';
import type { GatewayDeps, GatewayState } from '@/lib/gateway/context';
import { createGatewayHandler, type GatewayHandler } from '@/lib/gateway/handler';
import { leaseInForce } from '@/lib/gateway/inject-fault';
import { evaluateHalt, HALT_WINDOW_MS, p95, type HaltConditions, type HaltTelemetry } from './halt';
import { addEvent, beginRun, endFaults, recordExpiredLeases, type PlanRow } from './runs';
import type { PlanScope } from '@/lib/recovery/drill-states';
import { checkResumeInDrill } from './resume';
import { checkRestores } from './restore';
import { judgeRun, withChecks } from './verdict';

/** Halt conditions are checked at least every second; twice a second keeps a halt within 1 s of its condition. */
export const CONTROLLER_INTERVAL_MS = 500;
/** With no episode this long after the faults ended, the drill caused no disruption the detector could see. */
export const NO_EPISODE_AFTER_MS = 45_000;
/** An episode not measured this long after the faults ended is judged as it stands. */
export const JUDGE_AFTER_MS = 120_000;
const MAX_IN_FLIGHT = 64;
/** The timeline entry of a run's session-resume check. */
const RESUME_EVENT = 'resume_check';
const DAY_MS = 86_400_000;

const SYNTHETIC_BODY = { messages: [{ role: 'user', content: 'Standby drill: synthetic request. Answer with one word.' }], max_tokens: 8 };

/** Per running run: requests scheduled so far (the rate is kept against the time since the run started, whatever the tick's length), and their outcomes. */
type Counters = { scheduled: number; sent: number; failed: number };

export type ControllerDeps = {
  snapshots: Pick<SnapshotReader, 'get'>;
  /** This replica's gateway, for synthetic requests; absent: synthetic drills send nothing (tests of the lease path). */
  complete?: GatewayHandler['complete'];
  now?: () => number;
  log?: (line: string) => void;
};

/** The fault windows of runs overlapping [from, to], for the episode detector: episodes of a target in scope, or of a service failing on one, are the drill's. */
export async function drillWindows(from: number, to: number): Promise<DrillWindow[]> {
  const runs = await db().drillRun.findMany({
    where: { startedAt: { not: null, lte: new Date(to) }, OR: [{ faultsEndedAt: null }, { faultsEndedAt: { gte: new Date(from) } }], faultLeases: { some: {} } },
    select: { id: true, startedAt: true, faultsEndedAt: true, faultsEndAt: true, plan: { select: { disruption: true } }, faultLeases: { select: { targetIds: true } } },
  });
  return runs.flatMap((r) => {
    const targets = [...new Set(r.faultLeases.flatMap((f) => f.targetIds))];
    const end = (r.faultsEndedAt ?? r.faultsEndAt)?.getTime() ?? null;
    return targets.map((targetId) => ({ drillRunId: r.id, serviceId: null, targetId, disruption: r.plan.disruption as DisruptionKind, from: r.startedAt!.getTime(), to: end }));
  });
}

export class DrillController {
  private readonly counters = new Map<string, Counters>();
  private readonly resumeChecked = new Set<string>();
  /** Runs whose resume check is still going: judged once it has said its part. */
  private readonly resumePending = new Set<string>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly now: () => number;

  constructor(private readonly deps: ControllerDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** One tick: every step, each on its own so that one failing does not stop the others. */
  async tick(): Promise<void> {
    for (const step of [() => this.startDue(), () => this.recordExpired(), () => this.watchRunning(), () => this.judgeEnded()]) {
      try {
        await step();
      } catch (error) {
        this.deps.log?.(`drills: ${error instanceof Error ? error.message.split('\n').at(-1) : String(error)}`);
      }
    }
  }

  /** Scheduled drills whose time has come: a run each, and the next one booked for recurring plans. */
  async startDue(): Promise<void> {
    const now = new Date(this.now());
    const due = await db().drillPlan.findMany({ where: { nextRunAt: { lte: now }, archivedAt: null }, select: { id: true, name: true, nextRunAt: true, recurrenceDays: true } });
    for (const p of due) {
      await inTransaction(async (tx) => {
        const [locked] = await tx.$queryRaw<{ nextRunAt: Date | null }[]>(Prisma.sql`SELECT "nextRunAt" FROM "DrillPlan" WHERE id = ${p.id}::uuid FOR UPDATE`);
        if (!locked?.nextRunAt || locked.nextRunAt > now) return; // started by another leader, or rescheduled
        let next = p.recurrenceDays ? locked.nextRunAt.getTime() + p.recurrenceDays * DAY_MS : null;
        while (next !== null && next <= now.getTime()) next += p.recurrenceDays! * DAY_MS; // missed while no leader ran: the next one ahead
        await tx.drillPlan.update({ where: { id: p.id }, data: { nextRunAt: next === null ? null : new Date(next) } });
        const plan = await tx.drillPlan.findUniqueOrThrow({ where: { id: p.id } });
        const busy = await tx.drillRun.findFirst({ where: { planId: p.id, status: 'running' }, select: { id: true } });
        if (busy) {
          await addEvent(tx, busy.id, 'skipped', `The scheduled run of ${now.toISOString().slice(0, 16)} UTC was skipped: this run was still going.`);
          return;
        }
        const run = await tx.drillRun.create({ data: { planId: p.id, status: 'scheduled', scheduledFor: locked.nextRunAt }, select: { id: true } });
        await beginRun(tx, plan as unknown as PlanRow, SYSTEM_ACTOR, run.id);
        this.deps.log?.(`drills: ${p.name} started on schedule`);
      });
    }
  }

  /** Leases past their deadline: the gateway stopped applying them then; their ending is recorded now. */
  async recordExpired(): Promise<void> {
    const now = new Date(this.now());
    await inTransaction(async (tx) => {
      const ended = await recordExpiredLeases(tx, now);
      const byRun = new Map<string, { kinds: string[]; at: Date }>();
      for (const e of ended) byRun.set(e.runId, { kinds: [...(byRun.get(e.runId)?.kinds ?? []), e.kind], at: e.expiresAt });
      for (const [runId, e] of byRun) {
        await addEvent(tx, runId, 'faults_ended', `Faults ended at their lease deadline: ${e.kinds.map((k) => k.replace(/_/g, ' ')).join(', ')}.`, {}, e.at);
        await tx.drillRun.updateMany({ where: { id: runId, faultsEndedAt: null }, data: { faultsEndedAt: e.at } });
      }
    });
  }

  /** Running drills: halt conditions, then synthetic traffic for this second. */
  async watchRunning(): Promise<void> {
    const runs = await db().drillRun.findMany({
      where: { status: 'running', faultsEndedAt: null },
      select: { id: true, startedAt: true, syntheticSent: true, syntheticFailed: true, plan: { select: { name: true, serviceId: true, haltConditions: true, trafficMode: true, syntheticRps: true, scope: true } } },
    });
    const live = new Set(runs.map((r) => r.id));
    for (const id of this.counters.keys()) if (!live.has(id)) this.counters.delete(id);
    for (const run of runs) {
      const trip = evaluateHalt(run.plan.haltConditions as HaltConditions, await this.telemetry([run.plan.serviceId], run.startedAt!.getTime()));
      if (trip) {
        await this.halt(run.id, trip.reason);
        continue;
      }
      // Started before the drill's own requests open the primary's breaker (its first turn must still reach the primary),
      // and not waited for: halt checks go on twice a second while it waits for its history to be stored.
      this.checkResume(run.id, run.plan.serviceId);
      if (run.plan.trafficMode === 'synthetic') await this.sendSynthetic(run.id, run.startedAt!.getTime(), run.syntheticSent, run.syntheticFailed, run.plan.serviceId, run.plan.syntheticRps);
    }
  }

  /**
   * Once per run of a service that keeps conversations, as soon as this replica applies the run's faults: does a
   * conversation continue with its whole history across the failover (resume.ts)? Its result goes on the timeline,
   * and a failed check fails the drill when it is judged.
   */
  private checkResume(runId: string, serviceId: string): void {
    const complete = this.deps.complete;
    if (!complete || this.resumeChecked.has(runId)) return;
    const now = this.now();
    const live = [...(this.deps.snapshots.get()?.faults?.values() ?? [])].flat().some((f) => f.runId === runId && leaseInForce(f, now));
    if (!live) return;
    this.resumeChecked.add(runId);
    const check = (async () => {
      const service = await db().service.findUnique({ where: { id: serviceId }, select: { id: true, name: true, conversationStore: true } });
      if (!service?.conversationStore) return;
      // Another leader's controller may have run it before this one took over.
      if (await db().drillEvent.findFirst({ where: { runId, kind: RESUME_EVENT }, select: { id: true } })) return;
      const outcome = await checkResumeInDrill(complete, service, runId);
      await addEvent(db(), runId, RESUME_EVENT, outcome.text, { ok: outcome.ok, failedOver: outcome.failedOver });
    })().catch((error: unknown) => this.deps.log?.(`drills: resume check of run ${runId}: ${error instanceof Error ? error.message.split('\n').at(-1) : String(error)}`));
    this.inFlight.add(check);
    this.resumePending.add(runId);
    void check.finally(() => {
      this.inFlight.delete(check);
      this.resumePending.delete(runId);
    });
  }

  /** Ends every fault of the run at once and marks it halted, with the condition's words on its timeline. */
  async halt(runId: string, reason: string): Promise<void> {
    const now = new Date(this.now());
    await inTransaction(async (tx) => {
      const updated = await tx.drillRun.updateMany({ where: { id: runId, status: 'running' }, data: { status: 'halted', haltReason: reason, verdict: `Halted: ${reason}`, faultsEndedAt: now, finishedAt: now, version: { increment: 1 } } });
      if (updated.count === 0) return;
      const ended = await endFaults(tx, runId, 'halted', now);
      await addEvent(tx, runId, 'halted', `Halt condition tripped: ${reason} ${ended} fault${ended === 1 ? '' : 's'} ended at once.`, {}, now);
    });
    this.deps.log?.(`drills: run ${runId} halted: ${reason}`);
  }

  /**
   * Live telemetry of the services in scope over the last HALT_WINDOW_MS, and never from before the run started: errors
   * the service had before the drill are not the drill's doing, and would halt it the moment it starts.
   */
  async telemetry(serviceIds: string[], runStartedAt: number): Promise<HaltTelemetry> {
    const since = new Date(Math.max(this.now() - HALT_WINDOW_MS, runStartedAt));
    const [rows, services] = await Promise.all([
      db().requestRecord.findMany({ where: { serviceId: { in: serviceIds }, at: { gt: since } }, select: { ok: true, ttftMs: true, stream: true } }),
      db().service.findMany({ where: { id: { in: serviceIds } }, select: { name: true, sloTarget: true } }),
    ]);
    const snapshot = this.deps.snapshots.get();
    const tiers = services.map((s) => {
      const live = snapshot?.services.get(s.name);
      return { service: s.name, tier: live ? effectiveTier(live.degradation, this.now()) : ('full' as const) };
    });
    return {
      requests: rows.length, failed: rows.filter((r) => !r.ok).length,
      p95TtftMs: p95(rows.filter((r) => r.stream && r.ttftMs !== null).map((r) => r.ttftMs!)),
      sloTarget: services.length ? Math.max(...services.map((s) => s.sloTarget)) : null, tiers,
    };
  }

  /** The marked requests a synthetic drill is due since the last tick, spread over the next second, never more than MAX_IN_FLIGHT at once. */
  private async sendSynthetic(runId: string, startedAt: number, sent: number, failed: number, serviceId: string, rps: number): Promise<void> {
    const complete = this.deps.complete;
    if (!complete) return;
    const service = await db().service.findUnique({ where: { id: serviceId }, select: { name: true } });
    if (!service) return;
    const dueNow = Math.floor(((this.now() - startedAt) / 1000) * rps);
    // A controller that took over mid-run (a new leader) carries on from now, without a burst for the time it missed.
    const counters = this.counters.get(runId) ?? { scheduled: dueNow, sent, failed };
    this.counters.set(runId, counters);
    const whole = Math.max(0, dueNow - counters.scheduled);
    counters.scheduled += whole;
    for (let i = 0; i < whole; i += 1) {
      if (this.inFlight.size >= MAX_IN_FLIGHT) break;
      const delay = Math.floor((i * CONTROLLER_INTERVAL_MS) / Math.max(1, whole));
      const request = new Promise((resolve) => setTimeout(resolve, delay))
        .then(() => complete(service.name, SYNTHETIC_BODY, null, { runId }))
        .then((r) => {
          counters.sent += 1;
          if (r.status !== 200) counters.failed += 1;
        })
        .catch(() => {
          counters.sent += 1;
          counters.failed += 1;
        });
      this.inFlight.add(request);
      void request.finally(() => this.inFlight.delete(request));
    }
    await db().drillRun.update({ where: { id: runId }, data: { syntheticSent: counters.sent, syntheticFailed: counters.failed } });
  }

  /** Runs whose faults have ended: scored once the detector has measured the episode they caused. */
  async judgeEnded(): Promise<void> {
    const now = this.now();
    const runs = await db().drillRun.findMany({
      where: { status: 'running', faultsEndedAt: { not: null } },
      select: {
        id: true, faultsEndedAt: true, objectiveRtoMs: true, startedAt: true, faultLeases: { select: { targetIds: true } },
        plan: { select: { name: true, disruption: true, cadenceDays: true, component: { select: { name: true } } } },
      },
    });
    for (const run of runs) {
      if (this.resumePending.has(run.id)) continue;
      const episode = await db().disruptionEpisode.findFirst({
        where: { drillRunId: run.id, component: { kind: 'service_routing' } },
        orderBy: { startedAt: 'asc' },
        select: { id: true, status: true, rtoMs: true, tDetectMs: true, tAssessMs: true, tActivateMs: true, tRestoreMs: true },
      });
      const since = now - run.faultsEndedAt!.getTime();
      const measured = episode !== null && (episode.rtoMs !== null || episode.status === 'recovered');
      if (!measured && !(episode === null && since >= NO_EPISODE_AFTER_MS) && !(since >= JUDGE_AFTER_MS)) continue;
      const resume = await db().drillEvent.findFirst({ where: { runId: run.id, kind: RESUME_EVENT }, select: { text: true, data: true } });
      const restore = await checkRestores([...new Set(run.faultLeases.flatMap((f) => f.targetIds))], run.plan.cadenceDays, now);
      const result = withChecks(
        judgeRun({
          haltReason: null, faultsActive: false, objectiveRtoMs: run.objectiveRtoMs,
          episode: episode && { kind: 'service_routing', rtoMs: episode.rtoMs, status: episode.status, parts: { tDetectMs: episode.tDetectMs, tAssessMs: episode.tAssessMs, tActivateMs: episode.tActivateMs, tRestoreMs: episode.tRestoreMs } },
        }),
        [resume && { ok: (resume.data as { ok?: boolean }).ok === true, text: resume.text }, restore],
      );
      const finishedAt = new Date(now);
      const updated = await inTransaction(async (tx) => {
        const { count } = await tx.drillRun.updateMany({
          where: { id: run.id, status: 'running' },
          data: { status: result.status, verdict: result.verdict, brokenPart: result.brokenPart, measuredRtoMs: result.measuredRtoMs, episodeId: episode?.id ?? null, finishedAt, version: { increment: 1 } },
        });
        if (count && restore) await addEvent(tx, run.id, 'restore_check', restore.text, { ok: restore.ok }, finishedAt);
        if (count) await addEvent(tx, run.id, result.status, result.verdict, { episodeId: episode?.id ?? null }, finishedAt);
        return count > 0;
      });
      if (!updated) continue;
      // A passed or failed drill is evidence for the component's objective (lib/recovery compliance); a halted one proves nothing.
      await recordEvidence([{
        component: run.plan.component.name, kind: 'drill', ok: result.status === 'passed', observedAt: run.startedAt!.getTime(),
        restoreMs: result.measuredRtoMs ?? undefined, disruption: run.plan.disruption, reference: run.id, detail: `${run.plan.name}: ${result.verdict}`,
      }], 'standby').catch((error: unknown) => this.deps.log?.(`drills: evidence of run ${run.id} not recorded: ${error instanceof Error ? error.message : String(error)}`));
      this.deps.log?.(`drills: ${run.plan.name} ${result.status}: ${result.verdict}`);
    }
  }

  /** Waits for the synthetic requests in flight (tests, shutdown). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }
}

/** The leader task, with a gateway handler of its own over the replica's snapshot, breakers, recorder and state, as the retry queue's replay has. */
export function drillControllerTask(deps: { snapshots: Pick<SnapshotReader, 'get'>; breakers: GatewayDeps['breakers']; recorder: GatewayDeps['recorder']; state?: GatewayState; conversations?: GatewayDeps['conversations'] }): LeaderTask {
  let controller: DrillController | null = null;
  return {
    name: 'drill-controller',
    intervalMs: CONTROLLER_INTERVAL_MS,
    run: async ({ log }) => {
      if (!controller) {
        const gateway = createGatewayHandler({ snapshot: () => deps.snapshots.get(), breakers: deps.breakers, recorder: deps.recorder, state: deps.state, conversations: deps.conversations });
        controller = new DrillController({ snapshots: deps.snapshots, complete: gateway.complete, log });
      }
      await controller.tick();
    },
  };
}

export type { PlanScope };
