// The routing snapshot: everything the gateway needs to route a request, held
// in memory by every replica and refreshed on Postgres NOTIFY (channel
// standby_routing). The hot path reads only this, never the database.
import type { BreakerConfig, BreakerState } from './breaker';
import type { ErrorClass } from './error-classes';
import type { TargetBudget } from './retry-policy';
import type { Tier, TierOverride } from '@/lib/degradation/tier';

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
  degradation: SnapshotDegradation;
  /** The conversation store (lib/conversations): named conversations are kept and sent upstream whole. */
  conversations?: { store: boolean; retentionDays: number };
};

/** A rule-based answer of the Minimal tier: the first rule matching the last user message answers. */
export type TierRule = { match: 'contains' | 'regex'; pattern: string; answer: string };

/** What the gateway does in each tier (prisma DegradationPolicy; defaults in lib/degradation/schemas.ts). */
export type TierPolicy = {
  /** Degraded: this (smaller or cheaper) target is tried first, then the chain. */
  degradedTargetId: string | null;
  /** Degraded: max_tokens (and max_completion_tokens) are capped to this. */
  degradedMaxTokens: number;
  /** Minimal: successful answers are cached this long, keyed on the normalised request. */
  cacheTtlSeconds: number;
  rules: TierRule[];
  /** Minimal and Emergency: the Retry-After of a refusal. */
  retryAfterSeconds: number;
  maintenanceMessage: string;
  /** Emergency: clients sending `x-standby-queue: true` are queued for replay. */
  queueEnabled: boolean;
  queueTtlSeconds: number;
};

export type SnapshotDegradation = {
  policy: TierPolicy;
  automaticTier: Tier;
  override: TierOverride | null;
  /**
   * The share of requests the healthy targets have room for (min(1, D), 1 when
   * nothing is measured): served as in Full whatever the automatic tier. Only
   * the overflow gets the tier's behaviour (lib/degradation/overflow.ts).
   */
  servedShare: number;
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
  breakers: Map<string, { state: BreakerState; since: number; version: number; replica: string | null }>; // shared state by target id, and the replica that wrote it
  tokens: Map<string, SnapshotToken>; // by SHA-256 hex of the token
  /** Admin → Settings: the non-public networks targets may point at (lib/server/endpoint-policy.ts); none when absent. */
  privateNetworks?: string[];
};

/** What a planner sees of breakers: the replica's live view, which follows the shared state. */
export type BreakerView = (targetId: string) => BreakerState;
