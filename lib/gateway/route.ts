// Step 4: routing along the service's failover chain. The planner
// (lib/routing/plan.ts) orders the targets that may serve; each is tried within
// its breaker, its retries and the request's deadline (attempt.ts), and a
// failure moves on as the chain entry and the retry policy say
// (retry-policy.ts). A target asked to wait by Retry-After is not called
// before then, by any request of this replica. When nothing is left, the
// final error is sent (final-error.ts).
import type { RoutingSnapshot, SnapshotTarget } from '@/lib/routing/model';
import { planRoute } from '@/lib/routing/plan';
import { supportsAssistantPrefill, UnsupportedByTargetError } from './adapters';
import { attempt, attemptLimit, record, type AttemptResult } from './attempt';
import { countsAsBreakerFailure } from './breaker';
import { CLIENT_CLOSED, upstreamTargetOf, type Exchange, type Failure, type Gateway, type RouteOutcome } from './context';
import { finalError } from './final-error';
import { decideAfterFailure, needsLargerContext } from './retry-policy';
import { preferTarget } from './tier-policy';

const coolingUntil = (gw: Gateway, targetId: string) => gw.state.coolingDown.get(targetId)?.until ?? 0;

/** Whether candidate i may be tried at `at`: its context is large enough, and it is not asked to wait while a later one could serve. */
function eligible(gw: Gateway, candidates: readonly { target: SnapshotTarget }[], i: number, minContext: number, at: number): boolean {
  const { target } = candidates[i];
  if (target.contextWindow <= minContext) return false;
  return !(coolingUntil(gw, target.id) > at && candidates.slice(i + 1).some((c) => c.target.contextWindow > minContext && !(coolingUntil(gw, c.target.id) > at)));
}

/** `degraded`: the Degraded tier's preferred target (moved to the head of the chain), or null in Full. */
export async function route(gw: Gateway, x: Exchange, snapshot: RoutingSnapshot, degraded: { targetId: string | null } | null = null): Promise<RouteOutcome> {
  const now = Date.now();
  const plan = planRoute(preferTarget(x.service, degraded?.targetId ?? null), snapshot.targets, snapshot.overrides, gw.deps.breakers.view, now);
  gw.deps.metrics?.setActiveTarget(x.service.name, plan.candidates[0]?.target.name ?? null);
  if (plan.candidates.length === 0) {
    const why = plan.skipped.map((s) => `${s.targetName}: ${s.reason.replace(/_/g, ' ')}`).join('; ');
    return finalError(gw, x, null, `No target of service ${x.service.name} can take traffic now${why ? ` (${why})` : ''}.`);
  }
  const deadlineAt = now + plan.candidates[0].entry.timeouts.totalMs;
  let lastFailure: Failure | null = null;
  let minContext = 0;
  const candidates = plan.candidates;

  for (let i = 0; i < candidates.length; i += 1) {
    if (x.abort.aborted) return CLIENT_CLOSED;
    const { entry, target } = candidates[i];
    if (!eligible(gw, candidates, i, minContext, Date.now())) continue;
    if (x.headersSent && !supportsAssistantPrefill(upstreamTargetOf(target))) continue;
    for (let onTarget = 1; ; onTarget += 1) {
      // Still asked to wait, and nothing else can serve (eligible() skipped it otherwise).
      const cooling = gw.state.coolingDown.get(target.id);
      const waitMs = cooling ? cooling.until - Date.now() : 0;
      if (cooling && waitMs > 0) {
        if (waitMs > entry.budget.maxBackoffMs || Date.now() + waitMs >= deadlineAt) {
          lastFailure = { ...cooling.failure, retryAfterMs: waitMs };
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, waitMs));
        if (x.abort.aborted) return CLIENT_CLOSED;
      }
      const acquiredAt = Date.now();
      const lastResort = x.attempts === 0 && i === candidates.length - 1;
      if (!gw.deps.breakers.acquire(target.id, acquiredAt) && !lastResort) break;
      x.attempts += 1;
      // Set before the attempt writes its headers, so that it names the target that answered.
      if (degraded && !x.headersSent) x.res.setHeader('x-standby-degraded', target.id === degraded.targetId ? 'smaller-model' : 'max-tokens');
      // A limit that follows the target's latency only where a later step can take the request over.
      const canFallBack = entry.adaptiveLimits?.multiplier != null && candidates.some((c, j) => j > i && eligible(gw, candidates, j, minContext, acquiredAt));
      const limit = attemptLimit(gw, x, entry, target, canFallBack);
      const startedAt = performance.now();
      let result: AttemptResult;
      try {
        result = await attempt(gw, x, limit.entry, target, deadlineAt);
      } catch (error) {
        if (error instanceof UnsupportedByTargetError) {
          x.attempts -= 1;
          gw.deps.breakers.report(target.id, true, acquiredAt);
          break;
        }
        throw error;
      }
      // Recorded for every attempt, success or not; record() only appends to a buffer.
      record(gw, x, target, x.attempts, Math.round(performance.now() - startedAt), result, limit);
      const failure = result.failure;
      if (!failure) {
        gw.deps.breakers.report(target.id, true, acquiredAt);
        gw.deps.metrics?.observeRequest({ service: x.service.name, status: 200, attempts: x.attempts });
        return { status: 200, errorClass: null, target, ttftMs: result.ttftMs, usage: x.answerUsage ?? result.usage };
      }
      gw.deps.breakers.report(target.id, !countsAsBreakerFailure(failure.errorClass), acquiredAt);
      lastFailure = failure;
      if (x.abort.aborted) return CLIENT_CLOSED;
      if (needsLargerContext(failure.errorClass)) minContext = Math.max(minContext, target.contextWindow);
      const at = Date.now();
      if (failure.retryAfterMs !== null && failure.retryAfterMs > 0) gw.state.coolingDown.set(target.id, { until: at + failure.retryAfterMs, failure });
      // Only the error classes the chain entry lists move traffic on (DEFAULT_FAILOVER_ON leaves out content_policy).
      const movesOn = entry.failoverOn.includes(failure.errorClass);
      const later = movesOn ? candidates.findIndex((c, j) => j > i && eligible(gw, candidates, j, minContext, at)) : -1;
      // Mid-answer, only a target that accepts the part already sent as a prefill can go on; others are left, not absent.
      const next = later === -1 || !x.headersSent ? later : candidates.findIndex((c, j) => j > i && eligible(gw, candidates, j, minContext, at) && supportsAssistantPrefill(upstreamTargetOf(c.target)));
      const decision = decideAfterFailure(
        { errorClass: failure.errorClass, retryAfterMs: failure.retryAfterMs, responseStarted: x.headersSent },
        { attemptOnTarget: onTarget, budget: entry.budget, hasNextTarget: later !== -1, now: at, random: gw.random, deadlineAt, canContinueMidStream: next !== -1 && !x.hasToolCalls },
      );
      if (decision.kind === 'retry_same') {
        await new Promise((resolve) => setTimeout(resolve, decision.delayMs));
        if (x.abort.aborted) return CLIENT_CLOSED;
        continue;
      }
      if (decision.kind === 'next_target') break;
      return finalError(gw, x, failure, decision.reason);
    }
  }
  return finalError(gw, x, lastFailure, `Every target of ${x.service.name} failed`);
}
