// When Standby opens an incident by itself, and where a signal goes when one
// is open already. Pure; unit-tested beside it (rules.test.ts). The leader's
// incident loop (watch-task.ts) gathers the inputs and writes the result.
//
// Rules, each a signal with a key so that it is handled once:
//   page_alert       a page-level burn-rate alert opens          alert:<alert id>
//   primary_breaker  a service's primary has had its breaker out of
//                    closed (open, or half-open trials failing) for
//                    longer than primaryOpenMs (60 s)            primary_breaker:<service>:<target>:<left closed at>
//   unservable       no target of a service's chain can take a
//                    request (every one open, drained or
//                    disabled) for longer than unservableMs      unservable:<service>:<since>
// A signal joins the open incident of its service; failing that, an open
// incident about the same target (a shared primary); otherwise it opens one.
import type { FailureMode } from '@/lib/runbooks/model';

export type SignalRule = 'page_alert' | 'primary_breaker' | 'unservable';

export type Signal = {
  key: string;
  rule: SignalRule;
  serviceId: string;
  serviceName: string;
  targetId: string | null;
  at: number;
  text: string;
  failureMode: FailureMode | null;
};

export type RuleConfig = { primaryOpenMs: number; unservableMs: number };
export const DEFAULT_RULE_CONFIG: RuleConfig = { primaryOpenMs: 60_000, unservableMs: 5_000 };

export type WatchedService = { id: string; name: string; enabled: boolean; chainTargetIds: string[]; servable: boolean };
export type WatchedTarget = { id: string; name: string; selfHosted: boolean };
export type OpenAlert = { id: string; serviceId: string; severity: 'page' | 'ticket'; rule: string; openedAt: number; longBurn: number; shortBurn: number };

export type WatchInputs = {
  now: number;
  services: readonly WatchedService[];
  targets: ReadonlyMap<string, WatchedTarget>;
  /** Each breaker's state and when it last left closed: a flapping breaker (open, half-open, open...) has been out since then. */
  breakers: ReadonlyMap<string, { state: 'closed' | 'open' | 'half_open'; leftClosedAt: number }>;
  alerts: readonly OpenAlert[];
  /** When each service was first seen unservable by an earlier pass (the loop keeps it). */
  unservableSince: Readonly<Record<string, number>>;
};

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;
const burn = (x: number) => `${x >= 100 ? Math.round(x) : x.toFixed(1)}x`;

/** The signals standing now, and the services' unservable-since times to keep for the next pass. */
export function collectSignals(inputs: WatchInputs, config: RuleConfig = DEFAULT_RULE_CONFIG): { signals: Signal[]; unservableSince: Record<string, number> } {
  const signals: Signal[] = [];
  const unservableSince: Record<string, number> = {};
  const byId = new Map(inputs.services.map((s) => [s.id, s]));

  for (const alert of inputs.alerts) {
    const service = byId.get(alert.serviceId);
    if (alert.severity !== 'page' || !service) continue;
    signals.push({
      key: `alert:${alert.id}`, rule: 'page_alert', serviceId: service.id, serviceName: service.name, targetId: null, at: alert.openedAt, failureMode: null,
      text: `Page-level burn-rate alert ${alert.rule} on ${service.name}: the error budget burns ${burn(alert.longBurn)} over the long window and ${burn(alert.shortBurn)} over the short one`,
    });
  }

  for (const service of inputs.services) {
    if (!service.enabled || service.chainTargetIds.length === 0) continue;
    const primaryId = service.chainTargetIds[0];
    const primary = inputs.targets.get(primaryId);
    const breaker = inputs.breakers.get(primaryId);
    if (primary && breaker && breaker.state !== 'closed' && inputs.now - breaker.leftClosedAt >= config.primaryOpenMs) {
      signals.push({
        key: `primary_breaker:${service.id}:${primaryId}:${breaker.leftClosedAt}`, rule: 'primary_breaker', serviceId: service.id, serviceName: service.name, targetId: primaryId,
        at: breaker.leftClosedAt + config.primaryOpenMs, failureMode: primary.selfHosted ? 'gpu_node_failure' : 'provider_outage',
        text: `The breaker of ${primary.name}, primary of ${service.name}, has not closed for ${seconds(inputs.now - breaker.leftClosedAt)} (rule: open longer than ${seconds(config.primaryOpenMs)})`,
      });
    }
    if (!service.servable) {
      const since = inputs.unservableSince[service.id] ?? inputs.now;
      unservableSince[service.id] = since;
      if (inputs.now - since >= config.unservableMs) {
        signals.push({
          key: `unservable:${service.id}:${since}`, rule: 'unservable', serviceId: service.id, serviceName: service.name, targetId: primaryId, at: since, failureMode: 'provider_outage',
          text: `Nothing can serve ${service.name}: every target of its chain is open, drained or disabled`,
        });
      }
    }
  }
  return { signals: signals.sort((a, b) => a.at - b.at), unservableSince };
}

export type OpenIncidentRef = { id: string; serviceId: string | null; targetIds: readonly string[] };

export type SignalDecision =
  | { kind: 'open'; signal: Signal; joined: Signal[] }
  | { kind: 'join'; incidentId: string; signal: Signal };

/**
 * What to do with each signal not handled yet: join the open incident of its
 * service, else one about the same target, else open one (and later signals
 * of this pass for the same service or target join the one it opens).
 */
export function planSignals(signals: readonly Signal[], open: readonly OpenIncidentRef[], handled: ReadonlySet<string>): SignalDecision[] {
  const decisions: SignalDecision[] = [];
  const opening: Extract<SignalDecision, { kind: 'open' }>[] = [];
  for (const signal of signals) {
    if (handled.has(signal.key)) continue;
    const sameService = open.find((i) => i.serviceId === signal.serviceId);
    const sameTarget = signal.targetId ? open.find((i) => i.targetIds.includes(signal.targetId!)) : undefined;
    const existing = sameService ?? sameTarget;
    if (existing) {
      decisions.push({ kind: 'join', incidentId: existing.id, signal });
      continue;
    }
    const pending = opening.find((o) => o.signal.serviceId === signal.serviceId) ?? (signal.targetId ? opening.find((o) => o.signal.targetId === signal.targetId || o.joined.some((j) => j.targetId === signal.targetId)) : undefined);
    if (pending) pending.joined.push(signal);
    else {
      const decision = { kind: 'open' as const, signal, joined: [] as Signal[] };
      opening.push(decision);
      decisions.push(decision);
    }
  }
  return decisions;
}

const TITLES: Record<SignalRule, (s: Signal, targetName: string | null) => string> = {
  page_alert: (s) => `${s.serviceName}: error budget burning fast`,
  primary_breaker: (s, target) => `${s.serviceName}: primary ${target ?? 'target'} down`,
  unservable: (s) => `${s.serviceName}: nothing can serve it`,
};

export const titleOf = (signal: Signal, targetName: string | null) => TITLES[signal.rule](signal, targetName);

/** A drill running (or ended within the lead-up) that may cause signals: its incident, its service and the targets its faults hit. */
export type DrillInScope = { incidentId: string; serviceId: string; targetIds: string[]; startedAt: number };

/**
 * Signals a drill caused (on its service or a target it faults, since it
 * started) join its drill incident and never open a real one (issue 14);
 * the rest go through the rules as before.
 */
export function partitionDrillSignals(signals: readonly Signal[], drills: readonly DrillInScope[]): { real: Signal[]; drill: { signal: Signal; incidentId: string }[] } {
  const real: Signal[] = [];
  const drill: { signal: Signal; incidentId: string }[] = [];
  for (const s of signals) {
    const d = drills.find((x) => s.at >= x.startedAt && (x.serviceId === s.serviceId || (s.targetId !== null && x.targetIds.includes(s.targetId))));
    if (d) drill.push({ signal: s, incidentId: d.incidentId });
    else real.push(s);
  }
  return { real, drill };
}
