// Step 5: one attempt on one target. The request is built for the target's
// API (adapters/), sent with its connect, header and total timeouts
// (upstream.ts), and its answer read: an error status is classified
// (classify-error.ts), a complete answer sent to the client as it is, a
// stream relayed (relay-stream.ts). Every attempt is recorded, whatever came of it.
import { limitInForce, type LimitBasis } from '@/lib/routing/adaptive-limits';
import type { ErrorClass } from '@/lib/routing/error-classes';
import type { SnapshotChainEntry, SnapshotFault, SnapshotTarget } from '@/lib/routing/model';
import { buildUpstreamRequest, parseUpstreamResponse, readUpstreamError, UnsupportedByTargetError, UpstreamResponseError, type UpstreamErrorDetail } from './adapters';
import { classifyHttpError, parseRetryAfter } from './classify-error';
import { sendJson, standbyHeaders, upstreamTargetOf, type Exchange, type Failure, type Gateway } from './context';
import type { Usage } from './openai-schema';
import { beforeResponse, faultedStream, pickFault } from './inject-fault';
import { relayStream, type OnUsage } from './relay-stream';
import { AttemptAbort, classifyTransportError, readableOf, readBody, sendUpstream, UpstreamFailure } from './upstream';

const MAX_UPSTREAM_BODY_BYTES = 16 * 1024 * 1024;

/** Waits `ms` unless the attempt is aborted first (its deadline, or the client gone): true when the wait ran out. */
function pause(ms: number, abort: AttemptAbort): Promise<boolean> {
  if (abort.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      abort.off('abort', onAbort);
      resolve(true);
    }, ms);
    abort.once('abort', onAbort);
  });
}

/** usage: the attempt's own, as its upstream reported it; deliveredTokens: the text it sent the client, estimated when a cut stream never reported it. */
export type AttemptResult = { failure: Failure | null; ttftMs: number | null; usage: Usage | null; deliveredTokens?: number | null };

/** Makes an attempt's failures on `target`. */
function failureFor(target: SnapshotTarget) {
  return (errorClass: ErrorClass, message: string, status: number | null = null, retryAfterMs: number | null = null, detail: UpstreamErrorDetail | null = null): Failure => ({
    errorClass, message, status, retryAfterMs, detail, target,
  });
}

/**
 * The first-token limit (a stream) or header limit (a complete answer) of one attempt, and why: the
 * step's fixed timeouts, or a multiple of the target's recent p99 (lib/routing/adaptive-limits.ts)
 * when the step asks for it and a later step could take the request over. `entry` is the one to attempt with.
 */
export type AttemptLimit = { entry: SnapshotChainEntry; limitMs: number; basis: LimitBasis };

export function attemptLimit(gw: Gateway, x: Exchange, entry: SnapshotChainEntry, target: SnapshotTarget, canFallBack: boolean): AttemptLimit {
  const fixedMs = x.stream ? entry.timeouts.firstTokenMs : Math.min(entry.timeouts.headerMs, entry.latencyLimitMs ?? Infinity);
  const setting = entry.adaptiveLimits;
  if (!setting || setting.multiplier === null) return { entry, limitMs: fixedMs, basis: 'fixed' };
  if (!canFallBack) return { entry, limitMs: fixedMs, basis: 'last_resort' };
  const limit = limitInForce(fixedMs, setting, gw.state.latency.stats(target.id, x.stream ? 'first_token' : 'complete', Date.now()));
  if (limit.basis !== 'measured') return { entry, limitMs: fixedMs, basis: limit.basis };
  // A stream's headers come no later than its first token: both wait at most the measured limit.
  const headerMs = Math.min(entry.timeouts.headerMs, limit.ms);
  const timeouts = x.stream ? { ...entry.timeouts, headerMs, firstTokenMs: limit.ms } : { ...entry.timeouts, headerMs };
  return { entry: { ...entry, timeouts }, limitMs: limit.ms, basis: 'measured' };
}

/** Recorded for every attempt, success or not; record() only appends to a buffer. A success joins the target's latency history. */
export function record(gw: Gateway, x: Exchange, target: SnapshotTarget, attempt: number, latencyMs: number, result: AttemptResult, limit: AttemptLimit) {
  const { failure, ttftMs, usage, deliveredTokens } = result;
  const ok = failure === null;
  const errorClass = failure?.errorClass ?? null;
  const statusCode = failure ? failure.status : 200;
  const at = Date.now();
  gw.deps.recorder.record({
    targetId: target.id, serviceId: x.service.id, source: 'traffic', at, ok, errorClass, statusCode, latencyMs, ttftMs,
    requestId: x.requestId, attempt, promptTokens: usage?.prompt_tokens ?? null, completionTokens: usage?.completion_tokens ?? deliveredTokens ?? null,
    limitMs: Number.isFinite(limit.limitMs) ? limit.limitMs : null, limitBasis: limit.basis,
  });
  if (ok) {
    if (!x.stream) gw.state.latency.record(target.id, 'complete', latencyMs, at);
    else if (ttftMs !== null) gw.state.latency.record(target.id, 'first_token', ttftMs, at);
  }
  gw.deps.metrics?.observeAttempt({ target: target.name, service: x.service.name, outcome: ok ? 'success' : 'error', errorClass, latencyMs, ttftMs });
}

/** One attempt on one target: failure null means the answer has been sent. */
export async function attempt(gw: Gateway, x: Exchange, entry: SnapshotChainEntry, target: SnapshotTarget, deadlineAt: number): Promise<AttemptResult> {
  let ttftMs: number | null = null;
  let usage: Usage | null = null;
  let deliveredTokens: number | null = null;
  const fault = pickFault(gw.deps.snapshot()?.faults, target.id, x.drillRunId, Date.now(), gw.random);
  const failure = await attemptInner(x, entry, target, deadlineAt, fault, (t) => (ttftMs = t), (u, delivered = null) => ((usage = u), (deliveredTokens = delivered)));
  return { failure, ttftMs, usage, deliveredTokens };
}

async function attemptInner(
  x: Exchange, entry: SnapshotChainEntry, target: SnapshotTarget, deadlineAt: number, fault: SnapshotFault | null, onTtft: (ms: number) => void, onUsage: OnUsage,
): Promise<Failure | null> {
  const startedAt = performance.now();
  const fail = failureFor(target);
  const upstreamTarget = upstreamTargetOf(target);
  const prefill = x.sentText ? x.sentText : undefined;
  const upstreamRequest = buildUpstreamRequest(upstreamTarget, x.request, { stream: x.stream, assistantPrefill: prefill });
  const attemptDeadline = Math.min(deadlineAt, Date.now() + entry.timeouts.totalMs);
  // An attempt gets a cheap emitter rather than an AbortSignal (upstream.ts). The response's one 'close'
  // listener (request.ts) aborts the attempt in progress, so an attempt adds no listener of its own.
  const controller = new AttemptAbort();
  if (x.abort.aborted) controller.abort();
  else x.abort.attempt = controller;
  const deadlineTimer = setTimeout(() => controller.abort(), Math.max(1, attemptDeadline - Date.now()));
  // A non-streamed answer slower than the chain's latency limit moves on (DESIGN.md's fallback matrix).
  let headerMs = x.stream ? entry.timeouts.headerMs : Math.min(entry.timeouts.headerMs, entry.latencyLimitMs ?? Infinity);
  try {
    if (fault) {
      // A drill's fault acts here, where a real upstream would (inject-fault.ts).
      const before = beforeResponse(fault, x.stream, headerMs);
      if (before.kind === 'status') {
        const body = { error: { message: before.message, type: before.status === 429 ? 'rate_limit_error' : 'server_error' } };
        return fail(classifyHttpError(before.status, body, target.apiStyle), before.message, before.status, before.retryAfterMs);
      }
      const waitMs = before.kind === 'transport' ? before.afterMs : before.kind === 'delay' ? before.delayMs : 0;
      if (waitMs > 0 && !(await pause(waitMs, controller))) return fail(classifyTransportError(controller.reason, controller).errorClass, 'the request ran out of time');
      if (before.kind === 'transport') return fail(before.errorClass, before.message);
      if (before.kind === 'delay') headerMs -= before.delayMs;
    }
    let response;
    try {
      response = await sendUpstream(upstreamRequest, { connectMs: entry.timeouts.connectMs, headerMs }, controller);
    } catch (error) {
      const failure = error instanceof UpstreamFailure ? error : classifyTransportError(error, controller);
      return fail(failure.errorClass, failure.message);
    }

    if (response.status >= 400) {
      const text = await readBody(response.body, 1024 * 1024, entry.timeouts.streamIdleMs).catch(() => '');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* plain-text error bodies are classified as text */
      }
      const errorClass = classifyHttpError(response.status, body, target.apiStyle);
      const detail = readUpstreamError(body);
      return fail(errorClass, detail?.message ?? `HTTP ${response.status}`, response.status, parseRetryAfter(response.headers, Date.now()), detail);
    }

    if (!x.stream) {
      const text = await readBody(response.body, MAX_UPSTREAM_BODY_BYTES, entry.timeouts.streamIdleMs);
      let completion;
      try {
        completion = parseUpstreamResponse(upstreamTarget, response.status, JSON.parse(text), { id: x.requestId, created: x.created });
      } catch (error) {
        if (error instanceof UpstreamResponseError && error.kind === 'error_response') {
          const errorClass = classifyHttpError(error.status >= 400 ? error.status : 200, { error: error.detail ?? { message: error.message } }, target.apiStyle);
          return fail(errorClass, error.detail?.message ?? error.message, error.status, null, error.detail);
        }
        return fail('malformed_response', 'the upstream answer could not be read');
      }
      onUsage((completion.usage as Usage | undefined) ?? null);
      x.answerUsage = (completion.usage as Usage | undefined) ?? null;
      x.completion = completion;
      sendJson(x.res, 200, completion, standbyHeaders(x, target));
      return null;
    }

    const body = (fault && faultedStream(fault, () => readableOf(response.body))) || response.body;
    return await relayStream(x, entry, target, upstreamTarget, body, startedAt, fail, onTtft, onUsage);
  } catch (error) {
    if (error instanceof UnsupportedByTargetError) throw error;
    const failure = error instanceof UpstreamFailure ? error : classifyTransportError(error, controller);
    return fail(failure.errorClass, failure.message);
  } finally {
    clearTimeout(deadlineTimer);
    x.abort.attempt = null;
  }
}
