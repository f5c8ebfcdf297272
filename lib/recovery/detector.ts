// The disruption episode detector: a pure function over an ordered stream of
// what Standby already records (gateway attempts and probes, client requests,
// breaker transitions, tier changes, routing overrides, burn-rate alerts).
// The leader's background loop (detect-task.ts) reads those rows in batches,
// aggregated in SQL, and feeds them here; nothing runs on the request path.
// Drills (issue 14) pass their fault windows, and the episodes they cause are
// the same rows with source "drill".
//
// Two kinds of subject:
// - a target (its model serving): an episode opens when its breaker opens, or
//   on a burst of failed attempts and probes; it is restored once the target
//   answers again after its last failure with its breaker closed;
// - a service (its API routing): an episode opens on a burst of client-visible
//   errors, a tier below Full, an operator's forced failover, a burn-rate alert
//   during a failure run, or when the breaker of a target it was failing on
//   opens; activation is the first answer callers got from elsewhere (another
//   target, the cache, a rule) or the operator's flip; it is restored once the
//   targets it failed on answer it again, the tier is back at Full and no
//   forced failover is in force.
// Either ends after `quietMs` without a failure once restored: a flapping
// target stays one episode.
import type { DisruptionKind } from './model';

export type DetectorConfig = {
  /** A failure run becomes an episode on its own (no breaker, tier or operator) with this many failures… */
  burstMinFailures: number;
  /** …making up at least this share of what the run saw. */
  burstMinRatio: number;
  /** A run of failures that has not become an episode is forgotten after this long without a failure. */
  runResetMs: number;
  /** A restored episode ends after this long without a failure. */
  quietMs: number;
};

export const DEFAULT_DETECTOR_CONFIG: DetectorConfig = { burstMinFailures: 5, burstMinRatio: 0.5, runResetMs: 10_000, quietMs: 30_000 };

/** Error classes that say the provider refused for capacity rather than broke. */
const CAPACITY_CLASSES = new Set(['rate_limited', 'overloaded', 'refused']);

export type OverrideKind = 'force_failover' | 'pin' | 'drain';

export type DetectorEvent =
  /** Attempts on a target (serviceId null for probes), all ok or all failed, at one instant. */
  | { type: 'attempt'; at: number; targetId: string; serviceId: string | null; ok: boolean; n: number; errorClass: string | null }
  /** Client requests of a service answered (ok) or not by `targetId` (null: cache, rule, refusal or no upstream). */
  | { type: 'request'; at: number; serviceId: string; targetId: string | null; servedBy: string; ok: boolean; n: number; errorClass: string | null }
  | { type: 'breaker'; at: number; targetId: string; to: 'open' | 'half_open' | 'closed'; cause: string }
  | { type: 'tier'; at: number; serviceId: string; to: 'full' | 'degraded' | 'minimal' | 'emergency'; cause: string; actor: string }
  | { type: 'override'; at: number; action: 'start' | 'end'; kind: OverrideKind; serviceId: string | null; targetId: string | null; actor: string; reason: string }
  | { type: 'alert'; at: number; serviceId: string; rule: string };

/** What the detector needs to know of the estate: chains in order, and each target's provider, failure domain and region. */
export type Topology = {
  chains: ReadonlyMap<string, readonly string[]>;
  targets: ReadonlyMap<string, { provider: string; domain: string; region: string }>;
};

/** A drill's fault window (issue 14): episodes of its subject that start inside it are the drill's. */
export type DrillWindow = { drillRunId: string; serviceId: string | null; targetId: string | null; disruption: DisruptionKind; from: number; to: number | null };

export type SubjectKind = 'service' | 'target';

/** Who or what reached a milestone, for the episode's timeline. */
export type MilestoneCause =
  | { kind: 'breaker'; targetId: string; cause: string }
  | { kind: 'tier'; tier: string; actor: string }
  | { kind: 'alert'; rule: string }
  | { kind: 'operator'; action: OverrideKind; actor: string; reason: string }
  | { kind: 'answer'; targetId: string | null; servedBy: string }
  | { kind: 'recovered'; targetIds: string[]; tierFull: boolean; overrideEnded: boolean };

export type EpisodeDetails = {
  /** What opened it: errors, breaker, tier, override, alert. */
  opened: string;
  triggers: string[];
  /** Targets that failed (for a target episode, itself). */
  failingTargets: string[];
  errorClasses: Record<string, number>;
  detectedBy: MilestoneCause | null;
  assessedBy: MilestoneCause | null;
  activatedBy: MilestoneCause | null;
  restoredBy: MilestoneCause | null;
};

type Run = {
  startedAt: number;
  lastFailAt: number;
  failures: number;
  total: number;
  attemptFailures: Record<string, number>;
  classes: Record<string, number>;
  /** Callers were answered from elsewhere during the run, before it became an episode (per-request failover is that fast). */
  activated: { at: number; by: MilestoneCause } | null;
};

type OpenEpisode = {
  id: string;
  startedAt: number;
  detectedAt: number | null;
  assessedAt: number | null;
  activatedAt: number | null;
  /** Candidate: the first answer after the last failure (targets), or when every condition last became true (services). */
  restoredAt: number | null;
  lastFailAt: number;
  failed: number;
  total: number;
  disruption: DisruptionKind;
  source: 'traffic' | 'drill';
  drillRunId: string | null;
  /** Service episodes: per failing target, its first answer to this service after its last failure here. */
  targetBack: Record<string, number | null>;
  tierWasDown: boolean;
  tierFullAt: number | null;
  wasForced: boolean;
  overrideEndedAt: number | null;
  /** Service episodes with client-visible failures: the first answer after the last one. */
  answeredAfterFailure: number | null;
  details: EpisodeDetails;
};

type Subject = {
  run: Run | null;
  episode: OpenEpisode | null;
  breakerOpen: boolean;
  tierDown: boolean;
  forced: boolean;
};

export type DetectorState = {
  /** Keyed `service:<id>` or `target:<id>`. */
  subjects: Record<string, Subject>;
  /** The last answer of each target (epoch ms), to tell a regional outage from a provider's. */
  lastOkAt: Record<string, number>;
};

export const emptyDetectorState = (): DetectorState => ({ subjects: {}, lastOkAt: {} });

/** An episode as the detector last saw it, for the writer to upsert by id. */
export type EpisodeRecord = {
  id: string;
  subject: { kind: SubjectKind; id: string };
  status: 'open' | 'recovered';
  startedAt: number;
  detectedAt: number | null;
  assessedAt: number | null;
  activatedAt: number | null;
  restoredAt: number | null;
  failedRequests: number;
  totalRequests: number;
  disruption: DisruptionKind;
  source: 'traffic' | 'drill';
  drillRunId: string | null;
  details: EpisodeDetails;
};

export type DetectorInput = {
  state: DetectorState;
  /** Ordered by `at` (detect() sorts a copy if they are not). */
  events: readonly DetectorEvent[];
  /** Time the input is complete up to: quiet episodes are closed as of then. */
  upTo: number;
  topology: Topology;
  drills?: readonly DrillWindow[];
  config?: DetectorConfig;
  newId: () => string;
};

const key = (kind: SubjectKind, id: string) => `${kind}:${id}`;
const add = (counts: Record<string, number>, name: string | null, n: number) => {
  if (name) counts[name] = (counts[name] ?? 0) + n;
};

/** Runs the stream through the state; returns the new state and every episode that changed. The input state is not modified. */
export function detect(input: DetectorInput): { state: DetectorState; changed: EpisodeRecord[] } {
  const config = input.config ?? DEFAULT_DETECTOR_CONFIG;
  const state: DetectorState = structuredClone(input.state);
  const { topology } = input;
  const drills = input.drills ?? [];
  const dirty = new Map<string, EpisodeRecord>();
  const events = isSorted(input.events) ? input.events : [...input.events].sort((a, b) => a.at - b.at);

  const subject = (kind: SubjectKind, id: string): Subject => (state.subjects[key(kind, id)] ??= { run: null, episode: null, breakerOpen: false, tierDown: false, forced: false });
  const mark = (kind: SubjectKind, id: string, s: Subject, status: 'open' | 'recovered' = 'open') => {
    const e = s.episode;
    if (!e) return;
    dirty.set(e.id, {
      id: e.id, subject: { kind, id }, status, startedAt: e.startedAt, detectedAt: e.detectedAt, assessedAt: e.assessedAt,
      activatedAt: e.activatedAt, restoredAt: status === 'recovered' ? e.restoredAt : null, failedRequests: e.failed, totalRequests: e.total,
      disruption: e.disruption, source: e.source, drillRunId: e.drillRunId, details: structuredClone(e.details),
    });
  };

  /** Forgets a run that has been quiet for runResetMs (only runs that never became an episode). */
  const expire = (s: Subject, at: number) => {
    if (s.run && !s.episode && at - s.run.lastFailAt > config.runResetMs) s.run = null;
  };

  const failure = (s: Subject, at: number, n: number, errorClass: string | null, counts: boolean, failingTarget: string | null) => {
    const e = s.episode;
    if (e) {
      e.lastFailAt = Math.max(e.lastFailAt, at);
      if (counts) {
        e.failed += n;
        e.total += n;
      }
      add(e.details.errorClasses, errorClass, n);
      if (failingTarget && !e.details.failingTargets.includes(failingTarget)) e.details.failingTargets.push(failingTarget);
      if (failingTarget) e.targetBack[failingTarget] = null;
      e.restoredAt = null;
      return;
    }
    expire(s, at);
    s.run ??= { startedAt: at, lastFailAt: at, failures: 0, total: 0, attemptFailures: {}, classes: {}, activated: null };
    s.run.lastFailAt = Math.max(s.run.lastFailAt, at);
    if (counts) {
      s.run.failures += n;
      s.run.total += n;
    }
    if (failingTarget) s.run.attemptFailures[failingTarget] = (s.run.attemptFailures[failingTarget] ?? 0) + n;
    add(s.run.classes, errorClass, n);
  };

  const open = (kind: SubjectKind, id: string, s: Subject, at: number, trigger: string) => {
    if (s.episode) {
      if (!s.episode.details.triggers.includes(trigger)) s.episode.details.triggers.push(trigger);
      return s.episode;
    }
    const run = s.run;
    const startedAt = run ? Math.min(run.startedAt, at) : at;
    const failingTargets = kind === 'target' ? [id] : Object.keys(run?.attemptFailures ?? {});
    const drill = drills.find((d) => (d.serviceId === null || (kind === 'service' && d.serviceId === id)) && (d.targetId === null || (kind === 'target' && d.targetId === id) || failingTargets.includes(d.targetId)) && startedAt >= d.from && (d.to === null || startedAt <= d.to));
    s.episode = {
      id: input.newId(),
      startedAt,
      detectedAt: null,
      assessedAt: null,
      activatedAt: run?.activated?.at ?? null,
      restoredAt: null,
      lastFailAt: run?.lastFailAt ?? at,
      failed: run?.failures ?? 0,
      total: run?.total ?? 0,
      disruption: drill?.disruption ?? 'provider_outage',
      source: drill ? 'drill' : 'traffic',
      drillRunId: drill?.drillRunId ?? null,
      targetBack: Object.fromEntries(failingTargets.map((t) => [t, null])),
      tierWasDown: false,
      tierFullAt: null,
      wasForced: false,
      overrideEndedAt: null,
      answeredAfterFailure: null,
      details: {
        opened: trigger, triggers: [trigger], failingTargets, errorClasses: { ...(run?.classes ?? {}) },
        detectedBy: null, assessedBy: null, activatedBy: run?.activated?.by ?? null, restoredBy: null,
      },
    };
    s.run = null;
    return s.episode;
  };

  const detected = (e: OpenEpisode, at: number, by: MilestoneCause) => {
    if (e.detectedAt !== null) return;
    e.detectedAt = at;
    e.details.detectedBy = by;
  };
  const assessed = (e: OpenEpisode, at: number, by: MilestoneCause) => {
    if (e.assessedAt !== null) return;
    e.assessedAt = at;
    e.details.assessedBy = by;
  };
  const activated = (e: OpenEpisode, at: number, by: MilestoneCause) => {
    if (e.activatedAt !== null) return;
    e.activatedAt = at;
    e.details.activatedBy = by;
  };

  const isBurst = (run: Run | null) => run !== null && run.failures >= config.burstMinFailures && run.failures / Math.max(1, run.total) >= config.burstMinRatio;

  /** Services whose chain holds `targetId`, with its position there. */
  const servicesUsing = (targetId: string) => {
    const found: { serviceId: string; position: number }[] = [];
    for (const [serviceId, chain] of topology.chains) {
      const position = chain.indexOf(targetId);
      if (position >= 0) found.push({ serviceId, position });
    }
    return found;
  };

  for (const event of events) {
    switch (event.type) {
      case 'attempt': {
        const t = subject('target', event.targetId);
        if (event.ok) {
          state.lastOkAt[event.targetId] = Math.max(state.lastOkAt[event.targetId] ?? 0, event.at);
          expire(t, event.at);
          if (t.run) t.run.total += event.n;
          if (t.episode) {
            t.episode.total += event.n;
            t.episode.restoredAt ??= event.at;
            mark('target', event.targetId, t);
          }
        } else {
          failure(t, event.at, event.n, event.errorClass, true, null);
          if (!t.episode && isBurst(t.run)) open('target', event.targetId, t, event.at, 'errors');
          mark('target', event.targetId, t);
        }
        if (event.serviceId !== null) {
          const s = subject('service', event.serviceId);
          if (event.ok) {
            if (s.episode && event.targetId in s.episode.targetBack && s.episode.targetBack[event.targetId] === null) {
              s.episode.targetBack[event.targetId] = event.at;
              mark('service', event.serviceId, s);
            }
          } else {
            // A failed attempt the gateway may still have answered elsewhere: part of the run, not a client failure.
            failure(s, event.at, event.n, event.errorClass, false, event.targetId);
            if (s.episode) mark('service', event.serviceId, s);
          }
        }
        break;
      }
      case 'request': {
        const s = subject('service', event.serviceId);
        if (event.ok) {
          expire(s, event.at);
          const answer: MilestoneCause = { kind: 'answer', targetId: event.targetId, servedBy: event.servedBy };
          if (s.run) {
            s.run.total += event.n;
            if (event.targetId === null || !(event.targetId in s.run.attemptFailures)) s.run.activated ??= { at: event.at, by: answer };
          }
          const e = s.episode;
          if (e) {
            e.total += event.n;
            if (event.targetId === null || !e.details.failingTargets.includes(event.targetId)) activated(e, event.at, answer);
            if (e.failed > 0) e.answeredAfterFailure ??= event.at;
            mark('service', event.serviceId, s);
          }
          // Callers of a target in trouble were answered from elsewhere: that target's activation.
          const chain = topology.chains.get(event.serviceId) ?? [];
          for (const targetId of chain) {
            if (targetId === event.targetId) break; // only targets before the one that answered
            const t = state.subjects[key('target', targetId)];
            if (t?.episode && event.at >= t.episode.startedAt && t.episode.activatedAt === null) {
              activated(t.episode, event.at, answer);
              mark('target', targetId, t);
            } else if (t?.run && !t.episode && event.at >= t.run.startedAt) {
              t.run.activated ??= { at: event.at, by: answer };
            }
          }
        } else {
          failure(s, event.at, event.n, event.errorClass ?? event.servedBy, true, null);
          if (s.episode) s.episode.answeredAfterFailure = null;
          if (!s.episode && isBurst(s.run)) open('service', event.serviceId, s, event.at, 'errors');
          mark('service', event.serviceId, s);
        }
        break;
      }
      case 'breaker': {
        const t = subject('target', event.targetId);
        const cause: MilestoneCause = { kind: 'breaker', targetId: event.targetId, cause: event.cause };
        if (event.to === 'open') {
          t.breakerOpen = true;
          const e = open('target', event.targetId, t, event.at, 'breaker');
          detected(e, event.at, cause);
          mark('target', event.targetId, t);
          for (const { serviceId } of servicesUsing(event.targetId)) {
            const s = state.subjects[key('service', serviceId)];
            if (!s) continue;
            expire(s, event.at);
            const failedHere = (s.run?.attemptFailures[event.targetId] ?? 0) > 0 || (s.episode?.details.failingTargets.includes(event.targetId) ?? false);
            if (!failedHere) continue;
            const se = open('service', serviceId, s, event.at, 'breaker');
            detected(se, event.at, cause);
            mark('service', serviceId, s);
          }
        } else if (event.to === 'closed') {
          t.breakerOpen = false;
          mark('target', event.targetId, t);
        }
        break;
      }
      case 'tier': {
        const s = subject('service', event.serviceId);
        expire(s, event.at);
        const human = event.cause === 'override' || event.cause === 'override_cleared';
        if (event.to !== 'full') {
          s.tierDown = true;
          const e = open('service', event.serviceId, s, event.at, 'tier');
          e.tierWasDown = true;
          e.tierFullAt = null;
          const cause: MilestoneCause = { kind: 'tier', tier: event.to, actor: event.actor };
          detected(e, event.at, cause);
          if (human) assessed(e, event.at, cause);
          mark('service', event.serviceId, s);
        } else {
          s.tierDown = false;
          if (s.episode) {
            s.episode.tierFullAt = event.at;
            mark('service', event.serviceId, s);
          }
        }
        break;
      }
      case 'override': {
        const cause: MilestoneCause = { kind: 'operator', action: event.kind, actor: event.actor, reason: event.reason };
        if (event.kind === 'force_failover' && event.serviceId) {
          const s = subject('service', event.serviceId);
          expire(s, event.at);
          if (event.action === 'start') {
            s.forced = true;
            const e = open('service', event.serviceId, s, event.at, 'override');
            e.wasForced = true;
            e.overrideEndedAt = null;
            detected(e, event.at, cause);
            assessed(e, event.at, cause);
            activated(e, event.at, cause);
          } else {
            s.forced = false;
            if (s.episode) s.episode.overrideEndedAt = event.at;
          }
          mark('service', event.serviceId, s);
        } else if (event.action === 'start') {
          // A pin or a drain acts on an episode already open; on its own it is planned work, not a disruption.
          const touched: [SubjectKind, string][] = [];
          if (event.serviceId) touched.push(['service', event.serviceId]);
          if (event.kind === 'drain' && event.targetId) {
            touched.push(['target', event.targetId]);
            for (const { serviceId } of servicesUsing(event.targetId)) {
              if (state.subjects[key('service', serviceId)]?.episode?.details.failingTargets.includes(event.targetId)) touched.push(['service', serviceId]);
            }
          }
          for (const [kind, id] of touched) {
            const s = state.subjects[key(kind, id)];
            if (!s?.episode) continue;
            assessed(s.episode, event.at, cause);
            if (kind === 'service') activated(s.episode, event.at, cause);
            mark(kind, id, s);
          }
        }
        break;
      }
      case 'alert': {
        const s = subject('service', event.serviceId);
        expire(s, event.at);
        if (!s.episode && !s.run) break;
        const e = open('service', event.serviceId, s, event.at, 'alert');
        detected(e, event.at, { kind: 'alert', rule: event.rule });
        mark('service', event.serviceId, s);
        break;
      }
    }
  }

  // Close what has been restored and quiet for quietMs, as of upTo; infer the disruption of what changed.
  for (const [subjectKey, s] of Object.entries(state.subjects)) {
    const [kind, id] = subjectKey.split(':') as [SubjectKind, string];
    expire(s, input.upTo);
    const e = s.episode;
    if (!e) {
      if (!s.run && !s.breakerOpen && !s.tierDown && !s.forced) delete state.subjects[subjectKey];
      continue;
    }
    if (e.source === 'traffic') e.disruption = inferDisruption(kind, id, e, state, topology);
    const restoredAt = kind === 'target' ? (s.breakerOpen ? null : e.restoredAt) : serviceRestoredAt(e, s);
    if (restoredAt !== null && input.upTo - Math.max(restoredAt, e.lastFailAt) >= config.quietMs && restoredAt >= e.lastFailAt) {
      e.restoredAt = restoredAt;
      // Nothing answered from elsewhere first: callers waited for the original to come back.
      if (e.activatedAt === null) activated(e, restoredAt, { kind: 'answer', targetId: kind === 'target' ? id : (e.details.failingTargets[0] ?? null), servedBy: 'upstream' });
      e.details.restoredBy = { kind: 'recovered', targetIds: kind === 'target' ? [id] : Object.keys(e.targetBack), tierFull: e.tierWasDown, overrideEnded: e.wasForced };
      mark(kind, id, s, 'recovered');
      s.episode = null;
      if (!s.run && !s.breakerOpen && !s.tierDown && !s.forced) delete state.subjects[subjectKey];
    } else if (dirty.has(e.id)) {
      mark(kind, id, s);
    }
  }
  return { state, changed: [...dirty.values()] };
}

/** A service is restored once every target it failed on answers it again, the tier is Full and no forced failover holds. */
function serviceRestoredAt(e: OpenEpisode, s: Subject): number | null {
  if (s.tierDown || s.forced) return null;
  const times: number[] = [];
  for (const back of Object.values(e.targetBack)) {
    if (back === null) return null;
    times.push(back);
  }
  if (e.tierWasDown) {
    if (e.tierFullAt === null) return null;
    times.push(e.tierFullAt);
  }
  if (e.wasForced) {
    if (e.overrideEndedAt === null) return null;
    times.push(e.overrideEndedAt);
  }
  if (e.failed > 0 && Object.keys(e.targetBack).length === 0) {
    if (e.answeredAfterFailure === null) return null;
    times.push(e.answeredAfterFailure);
  }
  return times.length ? Math.max(...times) : null;
}

/**
 * The kind of disruption, from what failed: refusals for capacity (rate
 * limits, overload, a tier shedding load) are capacity loss; an operator
 * moving traffic off a model that was not failing is a retirement; a failing
 * target while another of the same provider in another region answered, or
 * targets of several failure domains failing in one region, is a regional
 * outage; anything else a provider outage.
 */
export function inferDisruption(kind: SubjectKind, id: string, e: Pick<OpenEpisode, 'failed' | 'startedAt' | 'wasForced' | 'tierWasDown' | 'details'>, state: Pick<DetectorState, 'lastOkAt'>, topology: Topology): DisruptionKind {
  const classes = e.details.errorClasses;
  const failures = Object.values(classes).reduce((sum, n) => sum + n, 0);
  const capacity = Object.entries(classes).reduce((sum, [name, n]) => sum + (CAPACITY_CLASSES.has(name) ? n : 0), 0);
  const failingTargets = kind === 'target' ? [id] : e.details.failingTargets;
  if (failures === 0 && failingTargets.length === 0) return e.wasForced && !e.tierWasDown ? 'model_retirement' : 'capacity_loss';
  if (failures > 0 && capacity / failures >= 0.5) return 'capacity_loss';
  const places = failingTargets.map((t) => topology.targets.get(t)).filter((p): p is { provider: string; domain: string; region: string } => p !== undefined);
  for (const region of new Set(places.map((p) => p.region))) {
    if (new Set(places.filter((p) => p.region === region).map((p) => p.domain)).size >= 2) return 'regional_outage';
  }
  for (const place of places) {
    for (const [other, where] of topology.targets) {
      if (failingTargets.includes(other) || where.provider !== place.provider || where.region === place.region) continue;
      if ((state.lastOkAt[other] ?? 0) >= e.startedAt) return 'regional_outage';
    }
  }
  return 'provider_outage';
}

function isSorted(events: readonly DetectorEvent[]): boolean {
  for (let i = 1; i < events.length; i += 1) if (events[i].at < events[i - 1].at) return false;
  return true;
}
