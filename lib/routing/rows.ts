// How routing rows read from PostgreSQL become the snapshot's shapes: one
// place for the gateway's loader (snapshot.ts) and the dashboard's planning
// copy (planning-inputs.ts), so that the page plans with exactly what the
// gateway routes with. Pure; the selects are Prisma select objects.
import type { BreakerState, DrillFaultKind } from './enums';
import { isErrorClass } from './error-classes';
import type { FaultParams, SnapshotChainEntry, SnapshotFault, SnapshotOverride, SnapshotTarget } from './model';

/** The target columns both loaders read (the gateway adds the credential). */
export const TARGET_SELECT = {
  id: true, name: true, model: true, endpointUrl: true, enabled: true, contextWindow: true, rpm: true, tpm: true, qualityClass: true,
  breakerFailureRate: true, breakerMinimumRequests: true, breakerWindowMs: true, breakerOpenMs: true, breakerHalfOpenSuccesses: true, breakerConsecutiveFailures: true, probeIntervalMs: true,
  provider: { select: { name: true, kind: true, apiStyle: true, failureDomain: true, enabled: true } },
  region: { select: { code: true, enabled: true } },
} as const;

type TargetRow = {
  id: string; name: string; model: string; endpointUrl: string; enabled: boolean; contextWindow: number; rpm: number; tpm: number; qualityClass: SnapshotTarget['qualityClass'];
  breakerFailureRate: number; breakerMinimumRequests: number; breakerWindowMs: number; breakerOpenMs: number; breakerHalfOpenSuccesses: number; breakerConsecutiveFailures: number; probeIntervalMs: number;
  provider: { name: string; kind: SnapshotTarget['providerKind']; apiStyle: SnapshotTarget['apiStyle']; failureDomain: string | null; enabled: boolean };
  region: { code: string; enabled: boolean };
};

/** A target as routed: usable only if it, its provider and its region are all enabled. */
export function toSnapshotTarget(t: TargetRow, apiKey: string | null): SnapshotTarget {
  return {
    id: t.id, name: t.name, providerName: t.provider.name, providerKind: t.provider.kind, apiStyle: t.provider.apiStyle, failureDomain: t.provider.failureDomain,
    regionCode: t.region.code, endpointUrl: t.endpointUrl, model: t.model, apiKey,
    enabled: t.enabled && t.provider.enabled && t.region.enabled,
    contextWindow: t.contextWindow, rpm: t.rpm, tpm: t.tpm, qualityClass: t.qualityClass,
    breaker: {
      failureRateThreshold: t.breakerFailureRate, minimumRequests: t.breakerMinimumRequests, windowMs: t.breakerWindowMs,
      openMs: t.breakerOpenMs, halfOpenSuccesses: t.breakerHalfOpenSuccesses, halfOpenMaxInFlight: 1, consecutiveFailures: t.breakerConsecutiveFailures,
    },
    probeIntervalMs: t.probeIntervalMs,
  };
}

type ChainRow = {
  targetId: string; position: number; failoverOn: string[]; latencyLimitMs: number | null; maxRetries: number; baseBackoffMs: number; maxBackoffMs: number;
  connectTimeoutMs: number; headerTimeoutMs: number; firstTokenTimeoutMs: number; streamIdleTimeoutMs: number; totalTimeoutMs: number;
  adaptiveLimitMultiplier: number | null; adaptiveLimitFloorMs: number;
};

/** A chain entry as routed; error classes this version does not know are left out. */
export function toSnapshotChainEntry(e: ChainRow): SnapshotChainEntry {
  return {
    targetId: e.targetId, position: e.position, failoverOn: e.failoverOn.filter(isErrorClass), latencyLimitMs: e.latencyLimitMs,
    budget: { maxRetries: e.maxRetries, baseBackoffMs: e.baseBackoffMs, maxBackoffMs: e.maxBackoffMs },
    timeouts: { connectMs: e.connectTimeoutMs, headerMs: e.headerTimeoutMs, firstTokenMs: e.firstTokenTimeoutMs, streamIdleMs: e.streamIdleTimeoutMs, totalMs: e.totalTimeoutMs },
    adaptiveLimits: { multiplier: e.adaptiveLimitMultiplier, floorMs: e.adaptiveLimitFloorMs },
  };
}

type OverrideRow = { id: string; kind: SnapshotOverride['kind']; serviceId: string | null; targetId: string | null; reason: string; createdBy: string; createdAt: Date; expiresAt: Date | null };

export function toSnapshotOverride(o: OverrideRow): SnapshotOverride {
  return { id: o.id, kind: o.kind, serviceId: o.serviceId, targetId: o.targetId, reason: o.reason, createdBy: o.createdBy, createdAt: o.createdAt.getTime(), expiresAt: o.expiresAt?.getTime() ?? null };
}

/** The shared breaker rows, by target. */
export function toBreakerMap(rows: { targetId: string; state: BreakerState; since: Date; version: number; replica: string | null }[]) {
  return new Map(rows.map((b) => [b.targetId, { state: b.state, since: b.since.getTime(), version: b.version, replica: b.replica }]));
}

/** A fault lease as the snapshot carries it; params are kept to the numbers each kind reads. */
export function toSnapshotFault(f: { id: string; runId: string; kind: DrillFaultKind; share: number; drillOnly: boolean; startsAt: Date; expiresAt: Date; params: unknown }): SnapshotFault {
  const raw = (typeof f.params === 'object' && f.params !== null ? f.params : {}) as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const params: FaultParams = { status: num(raw.status), retryAfterSeconds: raw.retryAfterSeconds === null ? null : num(raw.retryAfterSeconds), delayMs: num(raw.delayMs), afterChunks: num(raw.afterChunks) };
  return { id: f.id, runId: f.runId, kind: f.kind, share: f.share, drillOnly: f.drillOnly, startsAt: f.startsAt.getTime(), expiresAt: f.expiresAt.getTime(), params };
}
