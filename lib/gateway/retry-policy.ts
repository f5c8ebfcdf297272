// What the gateway does after a failed upstream attempt: DESIGN.md, "What the
// gateway does when an upstream misbehaves". Pure (retry-policy.test.ts): time
// and randomness are passed in.
import { describeErrorClass, type ErrorClass } from '@/lib/routing/error-classes';
import type { TargetBudget } from '@/lib/routing/model';

export type AttemptFailure = {
  errorClass: ErrorClass;
  retryAfterMs: number | null;
  /** Any bytes of the answer already sent to the client. */
  responseStarted: boolean;
};

export type Decision =
  | { kind: 'retry_same'; delayMs: number }
  | { kind: 'next_target'; avoidTargetUntil?: number }
  | { kind: 'fail'; reason: string };

export type RetryContext = {
  /** Attempts already made on this target, including the one that just failed (1-based). */
  attemptOnTarget: number;
  budget: TargetBudget;
  /** Whether a usable target is left in the chain, after the caller's filtering (see needsLargerContext). */
  hasNextTarget: boolean;
  now: number;
  random: () => number;
  /** Epoch ms at which the request's total timeout expires. */
  deadlineAt: number;
  /** The next target can carry on an answer already begun (it accepts an assistant prefill). */
  canContinueMidStream?: boolean;
};

/** No retry on the same target ever comes sooner than this, whatever the budget or the random draw. */
export const MIN_BACKOFF_MS = 50;

/**
 * Full-jitter exponential backoff before retry number `attempt` (1-based):
 * random() * min(maxBackoffMs, baseBackoffMs * 2^(attempt - 1)), never below MIN_BACKOFF_MS.
 */
export function jitteredBackoff(attempt: number, budget: TargetBudget, random: () => number): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  const ceiling = Math.min(budget.maxBackoffMs, budget.baseBackoffMs * 2 ** exponent);
  const draw = Math.min(1, Math.max(0, random()));
  return Math.max(MIN_BACKOFF_MS, Math.round(draw * ceiling));
}

/** Only a target with a larger context window can help; the caller drops the others before asking for the next one. */
export function needsLargerContext(errorClass: ErrorClass): boolean {
  return errorClass === 'context_length';
}

const fail = (reason: string): Decision => ({ kind: 'fail', reason });

function nextTargetOr(ctx: RetryContext, reason: string, avoidTargetUntil?: number): Decision {
  if (!ctx.hasNextTarget) return fail(reason);
  return avoidTargetUntil === undefined ? { kind: 'next_target' } : { kind: 'next_target', avoidTargetUntil };
}

function seconds(ms: number): string {
  return ms < 1000 || ms % 100 !== 0 ? `${ms} ms` : `${ms / 1000} s`;
}

function retriesLeft(ctx: RetryContext): boolean {
  return ctx.attemptOnTarget <= ctx.budget.maxRetries;
}

function fitsDeadline(ctx: RetryContext, delayMs: number): boolean {
  return ctx.now + delayMs < ctx.deadlineAt;
}

// The upstream said how long to wait. With somewhere else to go, going there
// now beats waiting; alone, wait at least that long (plus up to one base
// interval of jitter, so that callers told the same instant do not return
// together), but only within the budget and the deadline.
function afterRetryAfter(failure: AttemptFailure, retryAfterMs: number, ctx: RetryContext): Decision {
  const what = describeErrorClass(failure.errorClass).toLowerCase();
  if (ctx.hasNextTarget) return { kind: 'next_target', ...(retryAfterMs > 0 ? { avoidTargetUntil: ctx.now + retryAfterMs } : {}) };
  if (!retriesLeft(ctx)) return fail(`${what}; ${ctx.budget.maxRetries} retries used and no other target is left`);
  if (retryAfterMs > ctx.budget.maxBackoffMs) {
    return fail(`${what}; the upstream asked to wait ${seconds(retryAfterMs)}, more than the ${seconds(ctx.budget.maxBackoffMs)} this target may wait, and no other target is left`);
  }
  const spread = Math.min(ctx.budget.baseBackoffMs, ctx.budget.maxBackoffMs - retryAfterMs);
  const delayMs = Math.max(MIN_BACKOFF_MS, retryAfterMs + Math.round(Math.min(1, Math.max(0, ctx.random())) * spread));
  if (!fitsDeadline(ctx, delayMs)) return fail(`${what}; waiting ${seconds(retryAfterMs)} would pass the request's deadline and no other target is left`);
  return { kind: 'retry_same', delayMs };
}

function retryWithBackoff(failure: AttemptFailure, ctx: RetryContext, maxRetries: number): Decision {
  const what = describeErrorClass(failure.errorClass).toLowerCase();
  if (ctx.attemptOnTarget <= maxRetries) {
    // A Retry-After is honoured whatever the error class it came with.
    const delayMs = Math.max(jitteredBackoff(ctx.attemptOnTarget, ctx.budget, ctx.random), failure.retryAfterMs ?? 0);
    if (fitsDeadline(ctx, delayMs)) return { kind: 'retry_same', delayMs };
    return nextTargetOr(ctx, `${what}; no time left before the request's deadline for another try`);
  }
  const tries = ctx.attemptOnTarget === 1 ? '1 attempt' : `${ctx.attemptOnTarget} attempts`;
  return nextTargetOr(ctx, `${what} after ${tries} and no other target is left`);
}

// Bytes already reached the client: repeating the request would repeat the
// answer, so the only honest moves are continuing elsewhere or a clear error.
function afterMidStreamFailure(failure: AttemptFailure, ctx: RetryContext): Decision {
  const what = describeErrorClass(failure.errorClass).toLowerCase();
  if (ctx.canContinueMidStream && ctx.hasNextTarget) return { kind: 'next_target' };
  const why = ctx.hasNextTarget ? 'the remaining targets cannot continue a partial answer' : 'no other target is left';
  return fail(`${what} after part of the answer was sent; the answer is incomplete (${why})`);
}

export function decideAfterFailure(failure: AttemptFailure, ctx: RetryContext): Decision {
  const { errorClass } = failure;
  if (errorClass === 'total_timeout' || ctx.now >= ctx.deadlineAt) {
    return fail(`the request's total time budget ran out (last error: ${describeErrorClass(errorClass).toLowerCase()})`);
  }
  if (failure.responseStarted) return afterMidStreamFailure(failure, ctx);

  switch (errorClass) {
    case 'context_length':
      return nextTargetOr(ctx, 'the prompt exceeds the context window and no larger-context target is left');
    case 'content_policy':
      return nextTargetOr(ctx, "the provider refused the request under its content policy and no other target is left");
    case 'bad_request':
      // The client's fault: another provider would refuse it too.
      return fail('the upstream rejected the request as invalid');
    case 'auth_failed':
      return nextTargetOr(ctx, "the target's credential was rejected (or its account is out of quota) and no other target is left");
    case 'not_found':
      return nextTargetOr(ctx, "the target's model or endpoint was not found and no other target is left");
    case 'rate_limited':
    case 'overloaded':
    case 'server_error':
      if (failure.retryAfterMs !== null) return afterRetryAfter(failure, Math.max(0, failure.retryAfterMs), ctx);
      return retryWithBackoff(failure, ctx, ctx.budget.maxRetries);
    case 'connection_reset':
    case 'stream_cut':
      // Nothing reached the client yet: one clean retry, as for a single 5xx.
      return retryWithBackoff(failure, ctx, Math.min(1, ctx.budget.maxRetries));
    case 'connect_failed':
    case 'header_timeout':
    case 'first_token_timeout':
    case 'stream_stall':
      // The target has already cost us its timeout once; never wait on it again.
      return nextTargetOr(ctx, `${describeErrorClass(errorClass).toLowerCase()} and no other target is left`);
    case 'malformed_response':
      return nextTargetOr(ctx, 'the upstream sent a malformed response and no other target is left');
  }
}
