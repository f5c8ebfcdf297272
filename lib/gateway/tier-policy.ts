// What the gateway does with a request in each degradation tier (DESIGN.md,
// "Degradation level"): Full routes as usual; Degraded tries the service's
// smaller or cheaper target first and caps the answer's length; Minimal
// answers from the response cache or a rule, else refuses with Retry-After;
// Emergency answers with the maintenance message, or queues the request for
// replay when the client asks. Pure (tier-policy.test.ts): no I/O, no clock.
import type { Tier } from '@/lib/routing/enums';
import { TIER_LABELS } from '@/lib/routing/tier';
import type { ChatRequest } from './openai-schema';
import type { SnapshotService, TierPolicy, TierRule } from '@/lib/routing/model';

export type TierDecision<Cached> =
  | { kind: 'route'; preferTargetId: string | null; maxTokens: number | null }
  | { kind: 'cache'; cached: Cached }
  | { kind: 'rule'; rule: TierRule }
  | { kind: 'refuse'; retryAfterSeconds: number }
  | { kind: 'maintenance'; retryAfterSeconds: number; message: string; queue: 'not_asked' | 'disabled' }
  | { kind: 'queue'; ttlSeconds: number };

/**
 * Lookups are thunks so that a tier which does not use them (every tier but
 * Minimal) costs nothing: no key hashing, no rule matching.
 */
export type TierLookups<Cached> = { cached: () => Cached | null; rule: () => TierRule | null; wantsQueue: boolean };

export function decideTier<Cached>(tier: Tier, policy: TierPolicy, lookups: TierLookups<Cached>): TierDecision<Cached> {
  switch (tier) {
    case 'full':
      return { kind: 'route', preferTargetId: null, maxTokens: null };
    case 'degraded':
      return { kind: 'route', preferTargetId: policy.degradedTargetId, maxTokens: policy.degradedMaxTokens };
    case 'minimal': {
      const cached = lookups.cached();
      if (cached !== null) return { kind: 'cache', cached };
      const rule = lookups.rule();
      if (rule) return { kind: 'rule', rule };
      return { kind: 'refuse', retryAfterSeconds: policy.retryAfterSeconds };
    }
    case 'emergency':
      if (lookups.wantsQueue && policy.queueEnabled) return { kind: 'queue', ttlSeconds: policy.queueTtlSeconds };
      return { kind: 'maintenance', retryAfterSeconds: policy.retryAfterSeconds, message: policy.maintenanceMessage, queue: lookups.wantsQueue ? 'disabled' : 'not_asked' };
  }
}

/**
 * The Degraded tier's length cap: a lower value the client asked for is kept.
 * A request that names no limit gets `max_tokens`, the field every
 * OpenAI-compatible server and the Anthropic adapter understand.
 */
export function capMaxTokens(request: ChatRequest, cap: number): ChatRequest {
  // Object.assign, not a spread: a spread copy that gains a member (max_tokens) costs V8 a slow path (sendJson in context.ts).
  const capped: ChatRequest = Object.assign({}, request);
  if (request.max_tokens != null) capped.max_tokens = Math.min(request.max_tokens, cap);
  if (request.max_completion_tokens != null) capped.max_completion_tokens = Math.min(request.max_completion_tokens, cap);
  if (request.max_tokens == null && request.max_completion_tokens == null) capped.max_tokens = cap;
  return capped;
}

/**
 * The service as the Degraded tier routes it: the degraded target moved to the
 * head of the chain (or added there, with the first entry's triggers and
 * timeouts, when the chain does not list it). The planner then applies what it
 * applies to any target: disabled, drained, forced away and open-breaker
 * targets are skipped, and a pin still wins, because an operator's pin is a
 * stronger instruction than a tier's preference.
 */
export function preferTarget(service: SnapshotService, targetId: string | null): SnapshotService {
  if (targetId === null || service.chain.length === 0) return service;
  const ordered = [...service.chain].sort((a, b) => a.position - b.position);
  if (ordered[0].targetId === targetId) return service;
  const listed = ordered.find((entry) => entry.targetId === targetId);
  const head = listed ?? { ...ordered[0], targetId };
  const rest = ordered.filter((entry) => entry.targetId !== targetId);
  return { ...service, chain: [head, ...rest].map((entry, position) => ({ ...entry, position })) };
}

export const refusalMessage = (serviceName: string, retryAfterSeconds: number) =>
  `${serviceName} is in the ${TIER_LABELS.minimal} tier (major outage): only cached and rule-based answers are served, and this request has neither. Retry after ${retryAfterSeconds} s.`;

/** `x-standby-queue: true` (or 1, yes): the client asks to be queued rather than refused in Emergency. */
export function wantsQueue(header: string | string[] | undefined): boolean {
  const value = (Array.isArray(header) ? header[0] : header)?.trim().toLowerCase();
  return value === 'true' || value === '1' || value === 'yes';
}
