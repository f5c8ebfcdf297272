// Small routing snapshots for the failover unit tests (plan.test.ts, impact.test.ts).
import { DEFAULT_BREAKER_CONFIG, UNDEGRADED } from '@/lib/routing/defaults';
import type { BreakerState } from '@/lib/routing/enums';
import type { SnapshotChainEntry, SnapshotOverride, SnapshotService, SnapshotTarget } from '@/lib/routing/model';

export const NOW = 1_800_000_000_000;

export function target(id: string, extra: Partial<SnapshotTarget> = {}): SnapshotTarget {
  return {
    id, name: `t-${id}`, providerName: 'openai', providerKind: 'openai', apiStyle: 'openai_chat', failureDomain: null, regionCode: 'us-east',
    endpointUrl: 'https://api.example.com/v1', model: 'gpt-4o', apiKey: null, enabled: true, contextWindow: 128_000, rpm: 1_000, tpm: 100_000,
    qualityClass: 'frontier', breaker: DEFAULT_BREAKER_CONFIG, probeIntervalMs: 15_000, ...extra,
  };
}

export function entry(targetId: string, position: number): SnapshotChainEntry {
  return {
    targetId, position, failoverOn: ['server_error'], latencyLimitMs: null, budget: { maxRetries: 2, baseBackoffMs: 200, maxBackoffMs: 5_000 },
    timeouts: { connectMs: 3_000, headerMs: 30_000, firstTokenMs: 15_000, streamIdleMs: 20_000, totalMs: 120_000 },
  };
}

export function service(id: string, targetIds: string[]): SnapshotService {
  return { id, name: `svc-${id}`, enabled: true, routingVersion: 1, degradation: UNDEGRADED, chain: targetIds.map((t, i) => entry(t, i + 1)) };
}

let overrideCount = 0;
export function override(kind: SnapshotOverride['kind'], fields: Partial<SnapshotOverride> = {}): SnapshotOverride {
  overrideCount += 1;
  return { id: `o${overrideCount}`, kind, serviceId: null, targetId: null, reason: 'test', createdBy: 'op@test', createdAt: NOW - 60_000, expiresAt: null, ...fields };
}

export const targetsOf = (...list: SnapshotTarget[]) => new Map(list.map((t) => [t.id, t]));
export const breakers = (states: Record<string, BreakerState> = {}) => (id: string) => states[id] ?? 'closed';

