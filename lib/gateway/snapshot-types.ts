// The routing snapshot: everything the gateway needs to route a request, held
// in memory by every replica and refreshed on Postgres NOTIFY (channel
// standby_routing). The hot path reads only this, never the database.
import type { BreakerConfig, BreakerState } from './breaker';
import type { ErrorClass } from './error-classes';
import type { TargetBudget } from './retry-policy';

export type ProviderKind = 'openai' | 'anthropic' | 'google' | 'azure_openai' | 'self_hosted';
export type ApiStyle = 'openai_chat' | 'anthropic_messages';

export type SnapshotTarget = {
  id: string;
  name: string;
  providerName: string;
  providerKind: ProviderKind;
  apiStyle: ApiStyle;
  failureDomain: string | null;
  regionCode: string;
  endpointUrl: string;
  model: string;
  /** Decrypted in memory only; never logged, never sent to a browser. */
  apiKey: string | null;
  /** Target, its provider and its region all enabled. */
  enabled: boolean;
  contextWindow: number;
  rpm: number;
  tpm: number;
  qualityClass: 'frontier' | 'standard' | 'economy';
  breaker: BreakerConfig;
  probeIntervalMs: number;
};

export type Timeouts = { connectMs: number; headerMs: number; firstTokenMs: number; streamIdleMs: number; totalMs: number };

export type SnapshotChainEntry = {
  targetId: string;
  position: number;
  /** Error classes that move traffic on to the next target. */
  failoverOn: ErrorClass[];
  /** A complete (non-streamed) answer slower than this counts as a latency failure; null: no limit. */
  latencyLimitMs: number | null;
  budget: TargetBudget;
  timeouts: Timeouts;
};

export type SnapshotService = {
  id: string;
  name: string;
  enabled: boolean;
  routingVersion: number;
  /** Ordered by position. */
  chain: SnapshotChainEntry[];
};

export type OverrideKind = 'force_failover' | 'pin' | 'drain';

export type SnapshotOverride = {
  id: string;
  kind: OverrideKind;
  serviceId: string | null;
  targetId: string | null;
  reason: string;
  createdBy: string;
  createdAt: number;
  /** Epoch ms; null: until cleared. */
  expiresAt: number | null;
};

export type SnapshotToken = { id: string; name: string; services: string[]; expiresAt: number | null };

export type RoutingSnapshot = {
  loadedAt: number;
  services: Map<string, SnapshotService>; // by service name
  targets: Map<string, SnapshotTarget>; // by target id
  overrides: SnapshotOverride[]; // active (not cleared) ones; expiry is checked at use
  breakers: Map<string, { state: BreakerState; since: number; version: number }>; // shared state by target id
  tokens: Map<string, SnapshotToken>; // by SHA-256 hex of the token
};

/** What a planner sees of breakers: the replica's live view, which follows the shared state. */
export type BreakerView = (targetId: string) => BreakerState;
