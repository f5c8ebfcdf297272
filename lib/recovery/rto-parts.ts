// RTO = T_detect + T_assess + T_activate + T_restore (DESIGN.md), per episode.
// Pure: the detector, the incident flow (which sets assessment when an
// incident is acknowledged) and the drills compute the parts with this one
// function, so they always agree.
import type { RecoveryComponentKind } from './model';

export type Milestones = {
  startedAt: number;
  detectedAt: number | null;
  assessedAt: number | null;
  activatedAt: number | null;
  restoredAt: number | null;
};

export type RtoParts = { tDetectMs: number | null; tAssessMs: number | null; tActivateMs: number | null; tRestoreMs: number | null };

/**
 * The four parts, each from the milestone before it. Milestones are not
 * always there or in order: recovery can be automatic (nobody assesses: that
 * part is zero), the gateway's per-request failover can answer callers from a
 * fallback before the breaker has opened, nothing in Standby may have raised
 * the alarm, and a target without a fallback is only activated by its own
 * restoration. So a missing assessment counts as reached with the detection,
 * and any other milestone that is missing, or later than the one after it,
 * counts as reached when the next one was. The parts never go negative and
 * always add up to the measured times: start to activation (what callers
 * felt) and start to restoration. Parts after the last milestone reached are
 * null (not yet known).
 */
export function rtoParts(m: Milestones): RtoParts {
  const later = m.activatedAt !== null || m.restoredAt !== null;
  const points = [m.startedAt, m.detectedAt, m.assessedAt ?? (later ? m.detectedAt : null), m.activatedAt, m.restoredAt];
  // Backward pass: each point is at most the next known one.
  const filled: (number | null)[] = [...points];
  let next: number | null = null;
  for (let i = filled.length - 1; i >= 1; i -= 1) {
    const own = filled[i];
    if (own !== null && (next === null || own <= next)) next = own;
    filled[i] = next;
  }
  const part = (i: number) => {
    const value = filled[i];
    const previous = filled[i - 1];
    return value === null || previous === null ? null : Math.max(0, value - previous);
  };
  return { tDetectMs: part(1), tAssessMs: part(2), tActivateMs: part(3), tRestoreMs: part(4) };
}

/** Callers were without answers from the start until activation (the operator's flip or the first answer from elsewhere). */
export const routingRtoMs = (m: Milestones) => (m.activatedAt === null ? null : Math.max(0, Math.min(m.activatedAt, m.restoredAt ?? Infinity) - m.startedAt));

/** The component served again only once restored. */
export const servingRtoMs = (m: Milestones) => (m.restoredAt === null ? null : Math.max(0, m.restoredAt - m.startedAt));

/** The measured RTO of an episode for its component: routing counts to activation, everything else to restoration. */
export const measuredRtoMs = (kind: RecoveryComponentKind, m: Milestones) => (kind === 'service_routing' ? routingRtoMs(m) : servingRtoMs(m));

export const PART_LABELS = { tDetectMs: 'Detect', tAssessMs: 'Assess', tActivateMs: 'Activate', tRestoreMs: 'Restore' } as const;

const ALL_PARTS = Object.keys(PART_LABELS) as (keyof RtoParts)[];
const TO_ACTIVATION: readonly (keyof RtoParts)[] = ['tDetectMs', 'tAssessMs', 'tActivateMs'];

/**
 * The parts a component's measured RTO is made of (measuredRtoMs): routing is recovered once callers are answered
 * from elsewhere, so its restoration comes after its RTO; every other kind is recovered when restored.
 */
export const partsInRto = (kind: RecoveryComponentKind): readonly (keyof RtoParts)[] => (kind === 'service_routing' ? TO_ACTIVATION : ALL_PARTS);

/**
 * The part of the RTO that took longest, to say where the time went: among the parts the component's RTO is made of
 * (a routing episode's restoration, however long, is not what made callers wait).
 */
export function slowestPart(parts: RtoParts, kind: RecoveryComponentKind): keyof RtoParts | null {
  let best: keyof RtoParts | null = null;
  for (const key of partsInRto(kind)) {
    const value = parts[key];
    if (value !== null && value > 0 && (best === null || value > (parts[best] ?? 0))) best = key;
  }
  return best;
}
