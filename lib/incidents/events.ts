// How what Standby records elsewhere reads on an incident's timeline: breaker
// transitions, tier changes, steering overrides, burn-rate alerts and the
// milestones of linked disruption episodes, each at its real time with a key
// naming its row (so it is written once). Pure; unit-tested beside it.
import { TIER_LABELS } from '@/lib/routing/tier';
import type { Tier } from '@/lib/routing/enums';
import { DISRUPTION_LABELS, type DisruptionKind } from '@/lib/recovery/model';

export type Watched = { incidentId: string; from: number; serviceIds: ReadonlySet<string>; targetIds: ReadonlySet<string> };

export type BreakerRow = { id: bigint | number | string; targetId: string; from: string; to: string; at: Date; cause: string; replica: string };
export type TierRow = { id: bigint | number | string; serviceId: string; from: Tier; to: Tier; at: Date; cause: string; level: number | null; actor: string; reason: string | null };
export type OverrideRow = { id: string; kind: 'force_failover' | 'pin' | 'drain'; serviceId: string | null; targetId: string | null; reason: string; createdBy: string; createdAt: Date; expiresAt: Date | null; clearedAt: Date | null; clearedBy: string | null };
export type AlertRow = { id: string; serviceId: string; rule: string; severity: string; openedAt: Date; resolvedAt: Date | null; longBurn: number; shortBurn: number };
export type EpisodeRow = { id: string; incidentId: string | null; componentName: string; disruption: DisruptionKind; startedAt: Date; detectedAt: Date | null; activatedAt: Date | null; restoredAt: Date | null; failedRequests: number };

export type Names = { service: (id: string | null) => string; target: (id: string | null) => string };

export type DerivedEntry = { incidentId: string; at: Date; kind: string; actor: string; text: string; curated: boolean; sourceKey: string; data: Record<string, unknown> };

const burn = (x: number) => `${x >= 100 ? Math.round(x) : x.toFixed(1)}x`;

function tierCause(t: TierRow): string {
  switch (t.cause) {
    case 'automatic':
      return `automatic${t.level !== null ? `, D = ${t.level.toFixed(2)}` : ''}`;
    case 'override':
      return `held by ${t.actor}${t.reason ? `: ${t.reason}` : ''}`;
    case 'override_cleared':
      return `hold cleared by ${t.actor}`;
    default:
      return 'hold expired';
  }
}

function overrideText(o: OverrideRow, names: Names, end: boolean): string {
  const service = names.service(o.serviceId);
  const target = names.target(o.targetId);
  if (end) {
    const who = o.clearedBy ?? 'expiry';
    const what = o.kind === 'drain' ? `the drain of ${target}` : o.kind === 'pin' ? `the pin of ${service} to ${target}` : `the forced failover of ${service}`;
    return o.clearedBy ? `${who} ended ${what}` : `${what[0].toUpperCase()}${what.slice(1)} expired`;
  }
  const why = o.reason ? `: ${o.reason}` : '';
  if (o.kind === 'drain') return `${o.createdBy} drained ${target} (every service using it)${why}`;
  if (o.kind === 'pin') return `${o.createdBy} pinned ${service} to ${target}${why}`;
  return `${o.createdBy} forced ${service} to fail over${o.targetId ? ` away from ${target}` : ''}${why}`;
}

/** The timeline entries these rows give each watched incident (from its own start of interest). */
export function deriveEntries(
  watched: readonly Watched[],
  rows: { breakers: BreakerRow[]; tiers: TierRow[]; overrides: OverrideRow[]; alerts: AlertRow[]; episodes: EpisodeRow[] },
  names: Names,
  now: number,
): DerivedEntry[] {
  const out: DerivedEntry[] = [];
  for (const w of watched) {
    const push = (at: Date, kind: string, actor: string, text: string, curated: boolean, sourceKey: string, data: Record<string, unknown> = {}) => {
      if (at.getTime() >= w.from) out.push({ incidentId: w.incidentId, at, kind, actor, text, curated, sourceKey, data });
    };
    for (const b of rows.breakers) {
      if (!w.targetIds.has(b.targetId)) continue;
      const state = b.to === 'open' ? 'opened' : b.to === 'half_open' ? 'is half-open: trying the target again' : 'closed';
      // The story is the first opening and the closing; a flapping breaker's reopenings stay in the full view.
      const curated = (b.from === 'closed' && b.to === 'open') || b.to === 'closed';
      push(b.at, 'breaker', 'standby', `Breaker of ${names.target(b.targetId)} ${state}${b.cause ? ` (${b.cause})` : ''}`, curated, `breaker:${b.id}`, { targetId: b.targetId, to: b.to, replica: b.replica });
    }
    for (const t of rows.tiers) {
      if (!w.serviceIds.has(t.serviceId)) continue;
      push(t.at, 'tier', t.actor, `${names.service(t.serviceId)}: tier ${TIER_LABELS[t.from]} → ${TIER_LABELS[t.to]} (${tierCause(t)})`, true, `tier:${t.id}`, { serviceId: t.serviceId, from: t.from, to: t.to });
    }
    for (const o of rows.overrides) {
      const touches = (o.serviceId !== null && w.serviceIds.has(o.serviceId)) || (o.kind === 'drain' && o.targetId !== null && w.targetIds.has(o.targetId));
      if (!touches) continue;
      push(o.createdAt, 'override', o.createdBy, overrideText(o, names, false), true, `override:${o.id}:start`, { kind: o.kind });
      const ended = o.clearedAt ?? (o.expiresAt && o.expiresAt.getTime() <= now ? o.expiresAt : null);
      if (ended) push(ended, 'override', o.clearedBy ?? 'standby', overrideText(o, names, true), true, `override:${o.id}:end`, { kind: o.kind });
    }
    for (const a of rows.alerts) {
      if (!w.serviceIds.has(a.serviceId)) continue;
      push(a.openedAt, 'alert', 'standby', `Burn-rate alert ${a.rule} (${a.severity}) fired on ${names.service(a.serviceId)}: budget burning ${burn(a.longBurn)} over the long window, ${burn(a.shortBurn)} over the short one`, a.severity === 'page', `alert:${a.id}:open`, { serviceId: a.serviceId });
      if (a.resolvedAt) push(a.resolvedAt, 'alert', 'standby', `Burn-rate alert ${a.rule} on ${names.service(a.serviceId)} resolved`, a.severity === 'page', `alert:${a.id}:resolved`, { serviceId: a.serviceId });
    }
    for (const e of rows.episodes) {
      if (e.incidentId !== w.incidentId) continue;
      const what = `${e.componentName} (${DISRUPTION_LABELS[e.disruption].toLowerCase()})`;
      push(e.startedAt, 'episode', 'standby', `Disruption began on ${what}: the first failed request`, true, `episode:${e.id}:start`, { episodeId: e.id });
      if (e.detectedAt) push(e.detectedAt, 'episode', 'standby', `Disruption on ${what} detected`, false, `episode:${e.id}:detect`, { episodeId: e.id });
      if (e.activatedAt) push(e.activatedAt, 'episode', 'standby', `${e.componentName}: callers answered again (activation)`, true, `episode:${e.id}:activate`, { episodeId: e.id });
      if (e.restoredAt) push(e.restoredAt, 'episode', 'standby', `${e.componentName}: restored (${e.failedRequests.toLocaleString('en-US')} requests failed during the disruption)`, true, `episode:${e.id}:restore`, { episodeId: e.id });
    }
  }
  return out;
}
