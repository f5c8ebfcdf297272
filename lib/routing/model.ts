// The routing model: the routing snapshot, everything the gateway needs to
// route a request, held in memory by every replica and refreshed on Postgres
// NOTIFY (channel standby_routing; lib/gateway/snapshot.ts). The hot path reads
// only this, never the database. The dashboard plans with the same shapes
// (planning-inputs.ts), and failover, degradation, SLOs, recovery and the
// monitor all speak them: this folder depends on no domain (docs/architecture.md).
import type { AdaptiveLimitSetting } from './adaptive-limits';
import type { ApiStyle, BreakerState, DrillFaultKind, OverrideKind, ProviderKind, QualityClass, Tier } from './enums';
import type { ErrorClass } from './error-classes';

export type BreakerConfig = {
  /** 0..1: CLOSED opens when failures / total reaches this. */
  failureRateThreshold: number;
  /** Below this many requests in the window the rate is not trusted. */
  minimumRequests: number;
  /** Rolling window for the failure rate, kept in BREAKER_BUCKETS buckets (lib/gateway/breaker.ts). */
  windowMs: number;
  /** OPEN moves to HALF_OPEN after this long. */
  openMs: number;
  /** Successful probes that close a HALF_OPEN breaker. */
  halfOpenSuccesses: number;
  /** Probes allowed at once while HALF_OPEN. */
  halfOpenMaxInFlight: number;
  /** CLOSED also opens after this many failures in a row (at least 1), whatever the window holds. */
  consecutiveFailures: number;
};

/** Retries on one target of a chain (lib/gateway/retry-policy.ts). */
export type TargetBudget = { maxRetries: number; baseBackoffMs: number; maxBackoffMs: number };

/** An operator's hold of a service in a tier (lib/degradation/mutations.ts). */
export type TierOverride = { tier: Tier; reason: string; by: string; at: number; expiresAt: number | null };

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
  qualityClass: QualityClass;
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
  /** First-token and header limits that follow the target's measured latency (adaptive-limits.ts); absent: the fixed timeouts. */
  adaptiveLimits?: AdaptiveLimitSetting;
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

/** What the gateway does in each tier (prisma DegradationPolicy; defaults in defaults.ts). */
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
  /** Drill faults whose lease has not ended, by target id (lib/gateway/inject-fault.ts); none when absent. */
  faults?: ReadonlyMap<string, readonly SnapshotFault[]>;
};

/**
 * A drill's fault as a lease (issue 14): the gateway applies it from startsAt
 * to expiresAt by its own clock, so it ends at its deadline even when the
 * controller, its replica or the database is gone.
 */
export type SnapshotFault = {
  id: string;
  runId: string;
  kind: DrillFaultKind;
  /** 0..1: the share of matching attempts it catches. */
  share: number;
  /** Only the run's own synthetic requests. */
  drillOnly: boolean;
  startsAt: number;
  expiresAt: number;
  params: FaultParams;
};

/** error_status: status; rate_limited: retryAfterSeconds (null: none); added_latency, slow_first_token: delayMs; stream_cut, stream_stall: afterChunks. */
export type FaultParams = { status?: number; retryAfterSeconds?: number | null; delayMs?: number; afterChunks?: number };

/** What a planner sees of breakers: the replica's live view, which follows the shared state. */
export type BreakerView = (targetId: string) => BreakerState;

/** What a replica's background work reads of its routing snapshot (lib/gateway/snapshot.ts SnapshotSource). */
export type SnapshotReader = {
  get(): RoutingSnapshot | null;
  onChange(subscriber: (snapshot: RoutingSnapshot) => void): () => void;
};

/** How a request was answered (prisma RequestRecord.servedBy): what the SLO counts (lib/slo/good-request.ts). */
export type ServedBy = 'upstream' | 'cache' | 'rule' | 'refused' | 'maintenance' | 'queued';
