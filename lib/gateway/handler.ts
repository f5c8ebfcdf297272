// POST /api/v1/chat/completions and GET /api/v1/models: the OpenAI-compatible
// gateway, served by the lean front door (docs/decisions/002), never by Next's
// router. It routes a request for a *service* along that service's failover
// chain (lib/failover/plan.ts) with retries, breakers and timeouts, reading only
// the in-memory routing snapshot and recording attempts without waiting.
import { randomBytes } from 'node:crypto';
import { IncomingMessage, type ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { planRoute } from '@/lib/failover/plan';
import {
  buildUpstreamRequest, createStreamTranslator, parseUpstreamResponse, readUpstreamError, supportsAssistantPrefill, UnsupportedByTargetError, UpstreamResponseError,
  type UpstreamErrorDetail, type UpstreamTarget,
} from './adapters';
import { countsAsBreakerFailure } from './breaker';
import { classifyHttpError, parseRetryAfter, type ErrorClass } from './error-classes';
import { isClientDisconnect } from '@/lib/server/disconnects';
import { containsNul, MAX_JSON_DEPTH, nestsDeeperThan } from './json-limits';
import { continuedUsage, estimateTokens, openAiError, parseChatRequest, usageChunk, type ChatCompletionChunk, type ChatRequest, type OpenAiErrorType, type Usage } from './openai-schema';
import { decideAfterFailure, needsLargerContext } from './retry-policy';
import type { RoutingSnapshot, SnapshotChainEntry, SnapshotService, SnapshotTarget, SnapshotToken, BreakerView } from './snapshot-types';
import type { RequestOutcome, SampleRecord, ServedBy } from './recorder';
import { OverflowGate, tierForRequest } from '@/lib/degradation/overflow';
import { effectiveTier, type Tier } from '@/lib/degradation/tier';
import { countsAsGood } from '@/lib/slo/good-request';
import { BufferedResponse } from './buffered-response';
import { AnswerAssembler, answerFromCompletion, cacheKey, completionFromAnswer, ResponseCache, sseFromAnswer, type CachedAnswer } from './response-cache';
import type { GatewayQueue, QueuedRequestView } from './retry-queue';
import { matchRule, ruleAnswer } from './rules';
import { capMaxTokens, decideTier, preferTarget, refusalMessage, wantsQueue } from './tier-policy';
import { createSseParser, type SseEvent } from './sse';
import { hashToken, parseBearer } from '@/lib/access/tokens';
import { AttemptAbort, readBody, sendUpstream, UpstreamFailure, classifyTransportError, type UpstreamResponse } from './upstream';
import type { ConversationHook } from '@/lib/conversations/store';

export type GatewayMetrics = {
  observeAttempt(a: { target: string; service: string; outcome: 'success' | 'error'; errorClass: string | null; latencyMs: number; ttftMs: number | null }): void;
  observeRequest(r: { service: string; status: number; attempts: number }): void;
  setActiveTarget(service: string, target: string | null): void;
  setServiceTier?(service: string, tier: Tier): void;
};

export type GatewayDeps = {
  snapshot: () => RoutingSnapshot | null;
  breakers: { acquire(targetId: string, now?: number): boolean; report(targetId: string, ok: boolean, acquiredAt: number, now?: number): void; view: BreakerView };
  recorder: { record(sample: SampleRecord): void; recordRequest(outcome: RequestOutcome): void; tokenUsed(tokenId: string, at: number): void };
  metrics?: GatewayMetrics;
  /** The Emergency tier's retry queue (retry-queue.ts); without it, queueing is refused as unavailable. */
  queue?: GatewayQueue;
  /** The Minimal tier's response cache; one per handler (per replica) by default. */
  cache?: ResponseCache;
  /** The conversation store (lib/conversations/store.ts): a named conversation's history goes upstream, its answer is kept. */
  conversations?: ConversationHook;
  maxBodyBytes?: number;
  random?: () => number;
  /** A client that went away before its request body was complete: counted and logged as one line by the data plane. */
  onClientDisconnect?: (where: string) => void;
};

const MAX_UPSTREAM_BODY_BYTES = 16 * 1024 * 1024;
/** Paths under /api/v1/ that Next.js answers (machine APIs of the control plane). */
const CONTROL_PLANE_APIS = ['/api/v1/recovery/', '/api/v1/backups/', '/api/v1/conversations'];
const JSON_HEADERS = { 'content-type': 'application/json' };
/** After a finish_reason, how long a stream may take to send its usage and end marker before it is finished for it. */
const FINISH_GRACE_MS = 1_000;

/** A chunk with something of the answer in it: text, a tool call, a refusal, reasoning, or the finish. */
function carriesToken(chunk: ChatCompletionChunk): boolean {
  return chunk.choices.some(
    (choice) =>
      choice.finish_reason != null ||
      Object.entries(choice.delta).some(([key, value]) => key !== 'role' && value != null && value !== '' && !(Array.isArray(value) && value.length === 0)),
  );
}

type Failure = {
  errorClass: ErrorClass;
  status: number | null;
  retryAfterMs: number | null;
  detail: UpstreamErrorDetail | null;
  message: string;
  target: SnapshotTarget;
};

/** usage: the attempt's own, as its upstream reported it; deliveredTokens: the text it sent the client, estimated when a cut stream never reported it. */
type AttemptResultLike = { failure: Failure | null; ttftMs: number | null; usage: Usage | null; deliveredTokens?: number | null };

/** How a request ended, for its RequestOutcome: the status the SLO sees, and who answered. */
type RouteOutcome = { status: number; errorClass: string | null; target: SnapshotTarget | null; ttftMs: number | null; usage: Usage | null };
type Served = RouteOutcome & { servedBy: ServedBy };

/** What the replay of a queued request produced (createGatewayHandler's complete()). */
export type CompletedRequest = { status: number; body: unknown; headers: Record<string, string>; servedBy: ServedBy | null };

type OnUsage = (usage: Usage | null, deliveredTokens?: number | null) => void;

type Exchange = {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  created: number;
  service: SnapshotService;
  request: ChatRequest;
  stream: boolean;
  includeUsage: boolean;
  /** Set when the client goes away before its answer is complete. A flag, not an AbortController: a signal costs tens of µs a request. */
  abort: { aborted: boolean };
  attempts: number;
  /** Text the client has already received, for continuation on another target. */
  sentText: string;
  /** Completion tokens of the part of the answer earlier targets sent (a continued stream), and whether any of it was estimated. */
  earlier: { completionTokens: number; estimated: boolean };
  /** Usage of the whole answer the client received, once complete (set for streams; a completion's own usage otherwise). */
  answerUsage: Usage | null;
  headersSent: boolean;
  hasToolCalls: boolean;
  /** For the response cache, when the service's policy keeps answers: the streamed chunks as they go out. */
  assembler: AnswerAssembler | null;
  /** For the response cache: the chat completion sent, when the answer was not streamed. */
  completion: unknown;
};

/**
 * Targets asked to wait by Retry-After, replica-wide: until when (epoch ms), and
 * the failure that asked. No request calls such a target before then: it is
 * skipped while another target can serve, and otherwise waited for (within the
 * entry's backoff budget) or answered with that failure without a call.
 */
const coolingDown = new Map<string, { until: number; failure: Failure }>();
const coolingUntil = (targetId: string) => coolingDown.get(targetId)?.until ?? 0;

/** Whether candidate i may be tried at `at`: its context is large enough, and it is not asked to wait while a later one could serve. */
function eligible(candidates: readonly { target: SnapshotTarget }[], i: number, minContext: number, at: number): boolean {
  const { target } = candidates[i];
  if (target.contextWindow <= minContext) return false;
  return !(coolingUntil(target.id) > at && candidates.slice(i + 1).some((c) => c.target.contextWindow > minContext && !(coolingUntil(c.target.id) > at)));
}

/** A client that went away before its answer: 499, as nginx counts it. */
const CLIENT_CLOSED: RouteOutcome = Object.freeze({ status: 499, errorClass: 'client_closed', target: null, ttftMs: null, usage: null });

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  // A length rather than chunked framing (writeHead before end would otherwise choose it).
  res.writeHead(status, { ...JSON_HEADERS, 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, message: string, type: OpenAiErrorType, code: string | null = null, param: string | null = null, headers: Record<string, string> = {}) {
  const error = openAiError(status, message, type, code, param);
  sendJson(res, error.status, error.body, headers);
}

/**
 * Request ids: a random prefix per process and a counter, unique across replicas without a
 * random draw per request (randomBytes costs more than the rest of the id by far).
 */
const REQUEST_ID_PREFIX = `chatcmpl-${randomBytes(9).toString('base64url')}`;
let requestCount = 0;
const newRequestId = () => `${REQUEST_ID_PREFIX}${(requestCount++).toString(36)}`;

/** Listeners rather than `for await`: the async iterator costs more than the read itself for a body of one chunk. */
function readRequestBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.resolve('too_large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    // Once settled, later events are ignored.
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) {
        // Read no more of it; the 413 closes the connection.
        settled = true;
        req.pause();
        resolve('too_large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    });
    req.on('error', (error) => {
      if (settled) return;
      settled = true;
      reject(error);
    });
    req.on('close', () => {
      if (settled) return;
      settled = true;
      reject(Object.assign(new Error('the client closed the connection before the request body was complete'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    });
  });
}

/**
 * SHA-256 of recently seen bearer tokens: a client sends the same token with every
 * request, and hashing it each time was a measurable share of the gateway's CPU.
 * Bounded, and it holds only what the snapshot already lets through or refuses.
 */
const tokenHashes = new Map<string, string>();
const TOKEN_HASH_CACHE_SIZE = 1_000;

function hashOfBearer(bearer: string): string {
  let hash = tokenHashes.get(bearer);
  if (hash === undefined) {
    hash = hashToken(bearer);
    if (tokenHashes.size >= TOKEN_HASH_CACHE_SIZE) tokenHashes.clear();
    tokenHashes.set(bearer, hash);
  }
  return hash;
}

function authenticate(req: IncomingMessage, snapshot: RoutingSnapshot, now: number) {
  const bearer = parseBearer(req.headers.authorization);
  if (!bearer) return null;
  const token = snapshot.tokens.get(hashOfBearer(bearer));
  if (!token || (token.expiresAt !== null && token.expiresAt <= now)) return null;
  return token;
}

/** Makes an attempt's failures on `target`. */
function failureFor(target: SnapshotTarget) {
  return (errorClass: ErrorClass, message: string, status: number | null = null, retryAfterMs: number | null = null, detail: UpstreamErrorDetail | null = null): Failure => ({
    errorClass, message, status, retryAfterMs, detail, target,
  });
}

const upstreamTargetOf = (t: SnapshotTarget): UpstreamTarget => ({ apiStyle: t.apiStyle, endpointUrl: t.endpointUrl, model: t.model, apiKey: t.apiKey, providerKind: t.providerKind });

export function createGatewayHandler(deps: GatewayDeps) {
  const random = deps.random ?? Math.random;
  const overflow = new OverflowGate();
  const maxBodyBytes = deps.maxBodyBytes ?? Number(process.env.STANDBY_GATEWAY_MAX_BODY_BYTES ?? 4 * 1024 * 1024);

  /** The request's API token, if valid; its use is noted for ApiToken.lastUsedAt (written with the next flush). */
  function authenticated(req: IncomingMessage, snapshot: RoutingSnapshot) {
    const now = Date.now();
    const token = authenticate(req, snapshot, now);
    if (token) deps.recorder.tokenUsed(token.id, now);
    return token;
  }

  function record(x: Exchange, target: SnapshotTarget, attempt: number, latencyMs: number, result: AttemptResultLike) {
    const { failure, ttftMs, usage, deliveredTokens } = result;
    const ok = failure === null;
    const errorClass = failure?.errorClass ?? null;
    const statusCode = failure ? failure.status : 200;
    deps.recorder.record({
      targetId: target.id, serviceId: x.service.id, source: 'traffic', at: Date.now(), ok, errorClass, statusCode, latencyMs, ttftMs,
      requestId: x.requestId, attempt, promptTokens: usage?.prompt_tokens ?? null, completionTokens: usage?.completion_tokens ?? deliveredTokens ?? null,
    });
    deps.metrics?.observeAttempt({ target: target.name, service: x.service.name, outcome: ok ? 'success' : 'error', errorClass, latencyMs, ttftMs });
  }

  function standbyHeaders(x: Exchange, target: SnapshotTarget): Record<string, string> {
    return { 'x-request-id': x.requestId, 'x-standby-service': x.service.name, 'x-standby-target': target.name, 'x-standby-attempts': String(x.attempts) };
  }

  /** One attempt on one target: failure null means the answer has been sent. */
  async function attempt(x: Exchange, entry: SnapshotChainEntry, target: SnapshotTarget, deadlineAt: number): Promise<AttemptResultLike> {
    let ttftMs: number | null = null;
    let usage: Usage | null = null;
    let deliveredTokens: number | null = null;
    const failure = await attemptInner(x, entry, target, deadlineAt, (t) => (ttftMs = t), (u, delivered = null) => ((usage = u), (deliveredTokens = delivered)));
    return { failure, ttftMs, usage, deliveredTokens };
  }

  async function attemptInner(
    x: Exchange, entry: SnapshotChainEntry, target: SnapshotTarget, deadlineAt: number, onTtft: (ms: number) => void, onUsage: OnUsage,
  ): Promise<Failure | null> {
    const startedAt = performance.now();
    const fail = failureFor(target);
    const upstreamTarget = upstreamTargetOf(target);
    const prefill = x.sentText ? x.sentText : undefined;
    const upstreamRequest = buildUpstreamRequest(upstreamTarget, x.request, { stream: x.stream, assistantPrefill: prefill });
    const attemptDeadline = Math.min(deadlineAt, Date.now() + entry.timeouts.totalMs);
    // An attempt gets a cheap emitter rather than an AbortSignal (upstream.ts). x.abort is set by the
    // response's 'close' listener, registered before any attempt's, so an attempt follows it from the same event.
    const controller = new AttemptAbort();
    controller.follow(x.res, 'close', x.abort);
    const deadlineTimer = setTimeout(() => controller.abort(), Math.max(1, attemptDeadline - Date.now()));
    // A non-streamed answer slower than the chain's latency limit moves on (DESIGN.md's fallback matrix).
    const headerMs = x.stream ? entry.timeouts.headerMs : Math.min(entry.timeouts.headerMs, entry.latencyLimitMs ?? Infinity);
    try {
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

      return await relayStream(x, entry, target, upstreamTarget, response.body, startedAt, fail, onTtft, onUsage);
    } catch (error) {
      if (error instanceof UnsupportedByTargetError) throw error;
      const failure = error instanceof UpstreamFailure ? error : classifyTransportError(error, controller);
      return fail(failure.errorClass, failure.message);
    } finally {
      clearTimeout(deadlineTimer);
      controller.unfollow('close');
    }
  }

  async function relayStream(
    x: Exchange, entry: SnapshotChainEntry, target: SnapshotTarget, upstreamTarget: UpstreamTarget, body: UpstreamResponse['body'],
    startedAt: number, fail: (c: ErrorClass, m: string, s?: number | null) => Failure, onTtft: (ms: number) => void, onUsage: OnUsage,
  ): Promise<Failure | null> {
    const parser = createSseParser();
    const translator = createStreamTranslator(upstreamTarget, { id: x.requestId, created: x.created, assistantPrefill: x.sentText || undefined });
    // Chunks that carry no token yet (OpenAI's role chunk, Anthropic's message_start) wait for the
    // first one, so that a target that never sends a token can still be left without the client
    // having seen anything: the first-token limit then fails over cleanly.
    const held: ChatCompletionChunk[] = [];
    // Continuing an answer begun elsewhere: the client has had its role chunk already.
    const continuing = x.headersSent;
    let gotFirst = false;
    let finished = false;
    let timer: NodeJS.Timeout | null = null;
    let armedMs = 0;
    let armedClass: ErrorClass = 'first_token_timeout';
    // Set from callbacks, hence typed by assertion (an initializer of null would narrow them to null).
    let timedOut = null as ErrorClass | null;
    // Re-armed on every piece of the body: the same limit again only restarts the running timer.
    const arm = (ms: number, errorClass: ErrorClass) => {
      armedClass = errorClass;
      if (timer && ms === armedMs) {
        timer.refresh();
        return;
      }
      if (timer) clearTimeout(timer);
      armedMs = ms;
      timer = setTimeout(() => {
        timedOut = armedClass;
        body.destroy(new UpstreamFailure(armedClass, armedClass));
      }, ms);
    };
    // The events of one piece of the upstream body go out in one write (the same bytes, far less work than a write each).
    let unsent = '';
    const write = (out: ChatCompletionChunk) => {
      if (!x.headersSent) {
        x.res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', trailer: 'x-standby-target, x-standby-attempts', ...standbyHeaders(x, target) });
        x.headersSent = true;
      }
      unsent += `data: ${JSON.stringify(out)}\n\n`;
      x.assembler?.push(out);
    };
    let upstreamError = null as { message: string; type: string } | null;
    /** Translates and relays events; true once the upstream said it is done (or failed). */
    const relay = (events: SseEvent[]): boolean => {
      try {
        return translate(events);
      } finally {
        if (unsent) x.res.write(unsent);
        unsent = '';
      }
    };
    const translate = (events: SseEvent[]): boolean => {
      for (const event of events) {
        const step = translator.push(event);
        if (step.error) {
          upstreamError = step.error;
          return true;
        }
        for (const out of step.chunks) {
          if (!gotFirst) {
            if (!carriesToken(out)) {
              held.push(out);
              continue;
            }
            gotFirst = true;
            onTtft(Math.round(performance.now() - startedAt));
            for (const early of held.splice(0)) if (!continuing) write(early);
          }
          write(out);
          if (out.choices.some((choice) => choice.finish_reason)) finished = true;
        }
        if (step.done) return true;
      }
      return false;
    };

    // The first-token limit runs from the start of the attempt's body and is not moved by
    // keep-alives; once tokens flow, the idle limit restarts with every piece of the body.
    arm(entry.timeouts.firstTokenMs, 'first_token_timeout');
    // Listeners rather than `for await`: leaving that loop when the upstream says it is done destroys
    // the body with an AbortError whose stack Node reads (with source maps, a tenth of a millisecond).
    // Here the body is left to end by itself, and destroyed only if it does not within FINISH_GRACE_MS.
    const cut = await new Promise<boolean>((resolve) => {
      let settled = false;
      const settle = (wasCut: boolean) => {
        settled = true;
        if (timer) clearTimeout(timer);
        resolve(wasCut);
      };
      if (body.destroyed) return settle(true);
      body.on('data', (chunk: Buffer) => {
        if (settled) return;
        try {
          if (relay(parser.push(chunk))) {
            settle(false);
            if (!body.readableEnded) {
              const grace = setTimeout(() => body.destroy(), FINISH_GRACE_MS).unref();
              body.once('close', () => clearTimeout(grace));
            }
            return;
          }
        } catch {
          settle(true);
          body.destroy();
          return;
        }
        // After finish_reason only the usage chunk and the end marker are due: wait briefly for them.
        if (finished) arm(Math.min(entry.timeouts.streamIdleMs, FINISH_GRACE_MS), 'stream_stall');
        else if (gotFirst) arm(entry.timeouts.streamIdleMs, 'stream_stall');
      });
      body.on('end', () => {
        if (settled) return;
        try {
          // An event the body ended without its blank line still counts (sse.ts).
          relay(parser.end());
          settle(false);
        } catch {
          settle(true);
        }
      });
      // An error (a limit above, an abort) or a close before the end: the stream was cut.
      body.on('error', () => {
        if (!settled) settle(true);
      });
      body.on('close', () => {
        if (!settled) settle(true);
      });
    });
    const outcome = translator.finish();
    // This attempt's own part of the answer: what it sent beyond the prefill it continued from.
    const ownText = outcome.text.slice(x.sentText.length);
    x.sentText = outcome.text;
    x.hasToolCalls = outcome.hasToolCalls;
    const delivered = gotFirst ? (outcome.usage?.completion_tokens ?? estimateTokens(ownText)) : 0;
    onUsage(outcome.usage, delivered);
    if (upstreamError) {
      const errorClass = classifyHttpError(200, { error: upstreamError }, target.apiStyle);
      return fail(errorClass, upstreamError.message);
    }
    // An answer that has said how it finished is complete, whatever happens to the connection after.
    if (outcome.finishReason === null || !gotFirst || x.abort.aborted) {
      // The part sent stays with the client: a target that continues it reports only its own tokens.
      x.earlier = { completionTokens: x.earlier.completionTokens + delivered, estimated: x.earlier.estimated || (gotFirst && !outcome.usage) };
      if (cut) return fail(timedOut ?? (x.abort.aborted ? 'total_timeout' : 'stream_cut'), timedOut ? timedOut.replace(/_/g, ' ') : 'the upstream stream was cut');
      return fail('stream_cut', outcome.sawDone ? 'the stream ended without saying why' : 'the upstream stream ended early');
    }
    // Complete: usage of the whole answer when asked for, then [DONE] (even if the upstream never sent it), in one write.
    // The headers named the target that began the answer; the comment and the trailers name the one that finished it.
    x.answerUsage = outcome.usage && x.earlier.completionTokens > 0 ? continuedUsage(x.earlier.completionTokens, outcome.usage) : outcome.usage;
    const usage = x.includeUsage && x.answerUsage ? `data: ${JSON.stringify(usageChunk({ id: x.requestId, created: x.created }, outcome.model, x.answerUsage))}\n\n` : '';
    const estimated = x.earlier.estimated ? ' usage=estimated' : '';
    x.res.addTrailers({ 'x-standby-target': target.name, 'x-standby-attempts': String(x.attempts) });
    x.res.end(`${usage}: standby target=${target.name} attempts=${x.attempts}${estimated}\n\ndata: [DONE]\n\n`);
    return null;
  }

  function finalError(x: Exchange, failure: Failure | null, reason: string): RouteOutcome {
    const interrupted = x.headersSent;
    sendFinalError(x, failure, reason);
    // An interrupted stream went out as HTTP 200 but is no answer: the SLO counts it as the 502 it is.
    return { status: interrupted ? 502 : x.res.statusCode, errorClass: failure?.errorClass ?? (interrupted ? 'stream_cut' : 'no_target_available'), target: failure?.target ?? null, ttftMs: null, usage: null };
  }

  function sendFinalError(x: Exchange, failure: Failure | null, reason: string) {
    deps.metrics?.observeRequest({ service: x.service.name, status: failure?.status ?? 503, attempts: x.attempts });
    if (x.headersSent) {
      // Never present a truncated answer as a success: an error event and no [DONE].
      x.res.end(`data: ${JSON.stringify({ error: { message: `The answer was interrupted and could not be completed: ${reason}`, type: 'api_error', code: 'upstream_stream_interrupted', param: null } })}\n\n`);
      return;
    }
    const headers = { 'x-request-id': x.requestId, 'x-standby-service': x.service.name, 'x-standby-attempts': String(x.attempts), ...(failure ? { 'x-standby-target': failure.target.name } : {}) };
    if (!failure) return sendError(x.res, 503, reason, 'service_unavailable', 'no_target_available', null, headers);
    const providerMessage = failure.detail?.message ?? failure.message;
    switch (failure.errorClass) {
      case 'context_length':
        return sendError(x.res, 400, providerMessage, 'invalid_request_error', 'context_length_exceeded', 'messages', headers);
      case 'content_policy':
        return sendError(x.res, 400, providerMessage, 'invalid_request_error', failure.detail?.code ?? 'content_policy_violation', null, headers);
      case 'bad_request':
        return sendError(x.res, 400, providerMessage, 'invalid_request_error', failure.detail?.code ?? null, null, headers);
      case 'rate_limited':
        return sendError(x.res, 429, `Every target of ${x.service.name} is rate limited: ${providerMessage}`, 'rate_limit_error', 'rate_limit_exceeded', null, {
          ...headers, ...(failure.retryAfterMs !== null ? { 'retry-after': String(Math.max(1, Math.ceil(failure.retryAfterMs / 1000))) } : {}),
        });
      case 'header_timeout':
      case 'first_token_timeout':
      case 'total_timeout':
        return sendError(x.res, 504, `${reason} (last: ${failure.target.name}, ${failure.errorClass.replace(/_/g, ' ')})`, 'api_error', 'upstream_timeout', null, headers);
      default:
        return sendError(x.res, 502, `${reason} (last: ${failure.target.name}: ${providerMessage})`, 'api_error', 'upstream_error', null, headers);
    }
  }

  /** `degraded`: the Degraded tier's preferred target (moved to the head of the chain), or null in Full. */
  async function route(x: Exchange, snapshot: RoutingSnapshot, degraded: { targetId: string | null } | null = null): Promise<RouteOutcome> {
    const now = Date.now();
    const plan = planRoute(preferTarget(x.service, degraded?.targetId ?? null), snapshot.targets, snapshot.overrides, deps.breakers.view, now);
    deps.metrics?.setActiveTarget(x.service.name, plan.candidates[0]?.target.name ?? null);
    if (plan.candidates.length === 0) {
      const why = plan.skipped.map((s) => `${s.targetName}: ${s.reason.replace(/_/g, ' ')}`).join('; ');
      return finalError(x, null, `No target of service ${x.service.name} can take traffic now${why ? ` (${why})` : ''}.`);
    }
    const deadlineAt = now + plan.candidates[0].entry.timeouts.totalMs;
    let lastFailure: Failure | null = null;
    let minContext = 0;
    const candidates = plan.candidates;

    for (let i = 0; i < candidates.length; i += 1) {
      if (x.abort.aborted) return CLIENT_CLOSED;
      const { entry, target } = candidates[i];
      if (!eligible(candidates, i, minContext, Date.now())) continue;
      if (x.headersSent && !supportsAssistantPrefill(upstreamTargetOf(target))) continue;
      for (let onTarget = 1; ; onTarget += 1) {
        // Still asked to wait, and nothing else can serve (eligible() skipped it otherwise).
        const cooling = coolingDown.get(target.id);
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
        if (!deps.breakers.acquire(target.id, acquiredAt) && !lastResort) break;
        x.attempts += 1;
        // Set before the attempt writes its headers, so that it names the target that answered.
        if (degraded && !x.headersSent) x.res.setHeader('x-standby-degraded', target.id === degraded.targetId ? 'smaller-model' : 'max-tokens');
        const startedAt = performance.now();
        let result: AttemptResultLike;
        try {
          result = await attempt(x, entry, target, deadlineAt);
        } catch (error) {
          if (error instanceof UnsupportedByTargetError) {
            x.attempts -= 1;
            deps.breakers.report(target.id, true, acquiredAt);
            break;
          }
          throw error;
        }
        // Recorded for every attempt, success or not; record() only appends to a buffer.
        record(x, target, x.attempts, Math.round(performance.now() - startedAt), result);
        const failure = result.failure;
        if (!failure) {
          deps.breakers.report(target.id, true, acquiredAt);
          deps.metrics?.observeRequest({ service: x.service.name, status: 200, attempts: x.attempts });
          return { status: 200, errorClass: null, target, ttftMs: result.ttftMs, usage: x.answerUsage ?? result.usage };
        }
        deps.breakers.report(target.id, !countsAsBreakerFailure(failure.errorClass), acquiredAt);
        lastFailure = failure;
        if (x.abort.aborted) return CLIENT_CLOSED;
        if (needsLargerContext(failure.errorClass)) minContext = Math.max(minContext, target.contextWindow);
        const at = Date.now();
        if (failure.retryAfterMs !== null && failure.retryAfterMs > 0) coolingDown.set(target.id, { until: at + failure.retryAfterMs, failure });
        // Only the error classes the chain entry lists move traffic on (DEFAULT_FAILOVER_ON leaves out content_policy).
        const movesOn = entry.failoverOn.includes(failure.errorClass);
        const later = movesOn ? candidates.findIndex((c, j) => j > i && eligible(candidates, j, minContext, at)) : -1;
        // Mid-answer, only a target that accepts the part already sent as a prefill can go on; others are left, not absent.
        const next = later === -1 || !x.headersSent ? later : candidates.findIndex((c, j) => j > i && eligible(candidates, j, minContext, at) && supportsAssistantPrefill(upstreamTargetOf(c.target)));
        const decision = decideAfterFailure(
          { errorClass: failure.errorClass, retryAfterMs: failure.retryAfterMs, responseStarted: x.headersSent },
          { attemptOnTarget: onTarget, budget: entry.budget, hasNextTarget: later !== -1, now: at, random, deadlineAt, canContinueMidStream: next !== -1 && !x.hasToolCalls },
        );
        if (decision.kind === 'retry_same') {
          await new Promise((resolve) => setTimeout(resolve, decision.delayMs));
          if (x.abort.aborted) return CLIENT_CLOSED;
          continue;
        }
        if (decision.kind === 'next_target') break;
        return finalError(x, failure, decision.reason);
      }
    }
    return finalError(x, lastFailure, `Every target of ${x.service.name} failed`);
  }

  async function handleCompletions(req: IncomingMessage, res: ServerResponse) {
    const snapshot = deps.snapshot();
    if (!snapshot) return sendError(res, 503, 'Standby is starting and has no routing configuration yet. Retry shortly.', 'service_unavailable', 'not_ready', null, { 'retry-after': '1' });
    const token = authenticated(req, snapshot);
    if (!token) return sendError(res, 401, 'Incorrect or missing API key. Use a Standby API token (created by an admin) as the Bearer token.', 'authentication_error', 'invalid_api_key');
    const raw = await readRequestBody(req, maxBodyBytes);
    if (raw === 'too_large') {
      res.setHeader('connection', 'close');
      return sendError(res, 413, `The request body is larger than ${maxBodyBytes} bytes.`, 'invalid_request_error', 'request_too_large');
    }
    if (nestsDeeperThan(raw)) {
      return sendError(res, 400, `The request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep; Standby refuses deeper nesting.`, 'invalid_request_error', 'json_too_deep');
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      return sendError(res, 400, 'The request body is not valid JSON.', 'invalid_request_error', 'invalid_json');
    }
    await completeRequest(req, res, snapshot, token, json, { wantsQueue: wantsQueue(req.headers['x-standby-queue']), record: true });
  }

  /** From a decoded body to the answer: validation, the service, the tier, then routing. Shared by the HTTP path and complete(). */
  async function completeRequest(
    req: IncomingMessage, res: ServerResponse, snapshot: RoutingSnapshot, token: SnapshotToken, json: unknown, options: { wantsQueue: boolean; record: boolean },
  ) {
    const parsed = parseChatRequest(json);
    if (!parsed.ok) return sendError(res, 400, parsed.message, 'invalid_request_error', parsed.code ?? null, parsed.param);
    const service = snapshot.services.get(parsed.request.model);
    if (!service || !service.enabled) {
      return sendError(res, 404, `The model \`${parsed.request.model}\` does not exist: name a Standby service (GET /api/v1/models lists them).`, 'not_found_error', 'model_not_found', 'model');
    }
    if (token.services.length > 0 && !token.services.includes(service.name)) {
      return sendError(res, 403, `This API token may not call the service ${service.name}.`, 'permission_error', 'service_not_allowed', 'model');
    }
    // Every answer from here on says which tier it was served in: a request the healthy
    // targets have room for is served as in Full, whatever tier the overflow gets.
    const now = Date.now();
    const tier = tierForRequest(service.degradation, service.id, overflow, now);
    res.setHeader('x-standby-tier', tier);
    deps.metrics?.setServiceTier?.(service.name, effectiveTier(service.degradation, now));
    const startedAt = performance.now();
    // Hook of the conversation store: a named conversation's stored history goes upstream with the new message.
    const turn = deps.conversations && options.record ? await deps.conversations.open({ req, service, token, request: parsed.request }) : null;
    if (turn?.kind === 'refused') return sendError(res, turn.status, turn.message, turn.type, turn.code, null, turn.headers);
    for (const [name, value] of Object.entries(turn?.headers ?? {})) res.setHeader(name, value);
    const abort = { aborted: false };
    res.on('close', () => {
      if (!res.writableEnded) abort.aborted = true;
    });
    const request = turn?.request ?? parsed.request;
    const exchange: Exchange = {
      req, res, requestId: newRequestId(), created: Math.floor(Date.now() / 1000), service, request,
      stream: request.stream === true, includeUsage: request.stream_options?.include_usage === true, abort, attempts: 0, sentText: '', headersSent: false, hasToolCalls: false,
      earlier: { completionTokens: 0, estimated: false }, answerUsage: null,
      assembler: turn && request.stream === true ? new AnswerAssembler() : null, completion: null,
    };
    const served = await serveInTier(exchange, snapshot, tier, { wantsQueue: options.wantsQueue, tokenId: token.id, body: json });
    // Hook of the conversation store: the answer the client received joins the history (written off the request path).
    turn?.finish(served.status === 200 ? (exchange.assembler?.answer() ?? answerFromCompletion(exchange.completion)) : null);
    if (options.record) recordOutcome(exchange, tier, served, startedAt);
    return served;
  }

  function recordOutcome(x: Exchange, tier: Tier, served: Served, startedAt: number) {
    const { status, errorClass, servedBy, usage } = served;
    deps.recorder.recordRequest({
      serviceId: x.service.id, at: Date.now(), requestId: x.requestId, ok: countsAsGood(status, errorClass, servedBy), status, errorClass,
      targetId: served.target?.id ?? null, attempts: x.attempts, latencyMs: Math.round(performance.now() - startedAt), ttftMs: served.ttftMs,
      stream: x.stream, tier, servedBy, promptTokens: usage?.prompt_tokens ?? null, completionTokens: usage?.completion_tokens ?? null,
    });
  }

  // ---------------------------------------------------------------- degradation tiers (tier-policy.ts)

  const cache = deps.cache ?? new ResponseCache();

  /** The tier's policy: route (Full, Degraded), answer locally or refuse (Minimal), maintenance or queue (Emergency). */
  async function serveInTier(x: Exchange, snapshot: RoutingSnapshot, tier: Tier, ask: { wantsQueue: boolean; tokenId: string | null; body: unknown }): Promise<Served> {
    const policy = x.service.degradation.policy;
    const ttlMs = policy.cacheTtlSeconds * 1000;
    // Keyed on the request as the client sent it, before any tier changes it; hashed only when
    // looked up (Minimal) or once an answer is there to keep, after it has gone out.
    const asked = x.request;
    const decision = decideTier<CachedAnswer>(tier, policy, {
      cached: () => (ttlMs > 0 ? cache.get(cacheKey(x.service.name, asked), ttlMs, Date.now()) : null),
      rule: () => matchRule(policy.rules, x.request),
      wantsQueue: ask.wantsQueue,
    });
    switch (decision.kind) {
      case 'cache':
        answerLocally(x, decision.cached, { 'x-standby-cache': 'hit' });
        return servedLocally(x, 200, null, 'cache');
      case 'rule':
        answerLocally(x, ruleAnswer(decision.rule), { 'x-standby-rule': 'matched' });
        return servedLocally(x, 200, null, 'rule');
      case 'refuse':
        sendError(x.res, 503, refusalMessage(x.service.name, decision.retryAfterSeconds), 'service_unavailable', 'tier_minimal', null, {
          ...tierHeaders(x), 'retry-after': String(decision.retryAfterSeconds),
        });
        return servedLocally(x, 503, 'tier_minimal', 'refused');
      case 'maintenance': {
        const note = decision.queue === 'disabled' ? ' Queueing requests is turned off for this service.' : '';
        sendMaintenance(x, `${decision.message}${note}`, decision.retryAfterSeconds);
        return servedLocally(x, 503, 'maintenance', 'maintenance');
      }
      case 'queue':
        return servedLocally(x, ...(await queueRequest(x, ask, decision.ttlSeconds)));
      case 'route': {
        if (decision.maxTokens !== null) x.request = capMaxTokens(x.request, decision.maxTokens);
        if (ttlMs > 0 && x.stream) x.assembler = new AnswerAssembler();
        const outcome = await route(x, snapshot, tier === 'degraded' ? { targetId: decision.preferTargetId } : null);
        // Kept from the objects the answer was written from, not read back from the wire.
        if (ttlMs > 0 && outcome.status === 200) {
          const answer = x.assembler ? x.assembler.answer() : answerFromCompletion(x.completion);
          if (answer) cache.set(cacheKey(x.service.name, asked), answer, Date.now());
        }
        return { ...outcome, servedBy: 'upstream' };
      }
    }
  }

  /** The outcome of a request answered (or refused) without calling a target. */
  function servedLocally(x: Exchange, status: number, errorClass: string | null, servedBy: ServedBy): Served {
    deps.metrics?.observeRequest({ service: x.service.name, status, attempts: 0 });
    return { status, errorClass, target: null, ttftMs: null, usage: null, servedBy };
  }

  const tierHeaders = (x: Exchange): Record<string, string> => ({ 'x-request-id': x.requestId, 'x-standby-service': x.service.name, 'x-standby-attempts': String(x.attempts) });

  /** A cached or rule-based answer, as JSON or as a short stream, with a fresh id and created. */
  function answerLocally(x: Exchange, answer: CachedAnswer, headers: Record<string, string>) {
    const meta = { id: x.requestId, created: x.created };
    x.completion = completionFromAnswer(answer, meta);
    if (!x.stream) return sendJson(x.res, 200, x.completion, { ...tierHeaders(x), ...headers });
    x.res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...tierHeaders(x), ...headers });
    x.res.end(sseFromAnswer(answer, meta, x.includeUsage));
  }

  function sendMaintenance(x: Exchange, message: string, retryAfterSeconds: number) {
    sendError(x.res, 503, message, 'service_unavailable', 'maintenance', null, { ...tierHeaders(x), 'retry-after': String(retryAfterSeconds) });
  }

  /**
   * Emergency, and the client asked to be queued: one database write, bounded
   * in time (retry-queue.ts). Stored without streaming: the result is fetched
   * later as one chat completion.
   */
  async function queueRequest(x: Exchange, ask: { tokenId: string | null; body: unknown }, ttlSeconds: number): Promise<[number, string | null, ServedBy]> {
    const policy = x.service.degradation.policy;
    const unavailable = (): [number, string | null, ServedBy] => {
      sendMaintenance(x, `${policy.maintenanceMessage} The retry queue is unavailable right now, so this request was not queued.`, policy.retryAfterSeconds);
      return [503, 'maintenance', 'maintenance'];
    };
    if (!deps.queue) return unavailable();
    const { stream: _stream, stream_options: _streamOptions, ...body } = ask.body as Record<string, unknown>;
    // PostgreSQL's JSONB cannot hold the NUL character: say so rather than fail as "queue unavailable".
    if (containsNul(body)) {
      sendError(x.res, 400, 'This request contains a NUL character (\\u0000), which the retry queue cannot store. Remove it and send the request again.', 'invalid_request_error', 'unqueueable_nul', null, tierHeaders(x));
      return [400, 'bad_request', 'maintenance'];
    }
    let queued;
    try {
      queued = await deps.queue.enqueue({ serviceId: x.service.id, tokenId: ask.tokenId, body, ttlSeconds, now: Date.now() });
    } catch (error) {
      console.error('[standby] could not queue a request', { service: x.service.name, error: error instanceof Error ? error.message : String(error) });
      return unavailable();
    }
    const url = queuedUrl(queued.publicId);
    sendJson(
      x.res, 202,
      { id: queued.publicId, object: 'standby.queued_request', status: 'queued', model: x.service.name, created_at: toUnix(queued.createdAt), expires_at: toUnix(queued.expiresAt), url },
      { ...tierHeaders(x), location: url },
    );
    return [202, 'queued', 'queued'];
  }

  function handleModels(req: IncomingMessage, res: ServerResponse) {
    const snapshot = deps.snapshot();
    if (!snapshot) return sendError(res, 503, 'Standby is starting. Retry shortly.', 'service_unavailable', 'not_ready');
    const token = authenticated(req, snapshot);
    if (!token) return sendError(res, 401, 'Incorrect or missing API key.', 'authentication_error', 'invalid_api_key');
    const data = [...snapshot.services.values()]
      .filter((s) => s.enabled && (token.services.length === 0 || token.services.includes(s.name)))
      .map((s) => ({ id: s.name, object: 'model', created: 0, owned_by: 'standby' }));
    sendJson(res, 200, { object: 'list', data });
  }

  // GET /api/v1/queued/<id>: a queued request's status and, once replayed, the chat completion (or error) it produced.
  async function handleQueued(req: IncomingMessage, res: ServerResponse, publicId: string) {
    const snapshot = deps.snapshot();
    if (!snapshot) return sendError(res, 503, 'Standby is starting. Retry shortly.', 'service_unavailable', 'not_ready', null, { 'retry-after': '1' });
    const token = authenticated(req, snapshot);
    if (!token) return sendError(res, 401, 'Incorrect or missing API key.', 'authentication_error', 'invalid_api_key');
    const notFound = () => sendError(res, 404, `No queued request has the id ${publicId}.`, 'not_found_error', 'queued_request_not_found', 'id');
    if (!/^sbq_[A-Za-z0-9_-]{1,64}$/.test(publicId)) return notFound();
    if (!deps.queue) return sendError(res, 503, 'The retry queue is not available on this server.', 'service_unavailable', 'queue_unavailable');
    let row: QueuedRequestView | null;
    try {
      row = await deps.queue.find(publicId);
    } catch (error) {
      console.error('[standby] could not read a queued request', { error: error instanceof Error ? error.message : String(error) });
      return sendError(res, 503, 'The retry queue is unavailable right now. Retry shortly.', 'service_unavailable', 'queue_unavailable', null, { 'retry-after': '5' });
    }
    if (!row) return notFound();
    const service = [...snapshot.services.values()].find((s) => s.id === row.serviceId) ?? null;
    const allowed = row.tokenId === token.id || (service !== null && (token.services.length === 0 || token.services.includes(service.name)));
    if (!allowed) return sendError(res, 403, 'This API token may not read this queued request.', 'permission_error', 'queued_request_not_allowed', 'id');
    sendJson(res, 200, queuedRequestBody(row, service?.name ?? null), { 'cache-control': 'no-store' });
  }

  /**
   * Runs a request body through the same tiers and routing as the HTTP path,
   * in process, with a buffered answer: the retry queue's replay. tokenId is
   * the token that queued it, checked again now (it may have been revoked);
   * null runs it without a token's restrictions.
   */
  async function complete(serviceName: string, body: Record<string, unknown>, tokenId: string | null): Promise<CompletedRequest> {
    const failed = (status: number, message: string, type: OpenAiErrorType, code: string): CompletedRequest => ({ status, body: openAiError(status, message, type, code).body, headers: {}, servedBy: null });
    const snapshot = deps.snapshot();
    if (!snapshot) return failed(503, 'Standby has no routing configuration yet.', 'service_unavailable', 'not_ready');
    const now = Date.now();
    const token: SnapshotToken | undefined =
      tokenId === null ? { id: '', name: 'internal', services: [], expiresAt: null } : [...snapshot.tokens.values()].find((t) => t.id === tokenId);
    if (!token || (token.expiresAt !== null && token.expiresAt <= now)) return failed(401, 'The API token that queued this request is no longer valid.', 'authentication_error', 'invalid_api_key');
    const res = new BufferedResponse();
    const served = await completeRequest(new IncomingMessage(new Socket()), res.asServerResponse(), snapshot, token, { ...body, model: serviceName, stream: false }, { wantsQueue: false, record: false });
    let answer: unknown = res.body();
    try {
      answer = JSON.parse(res.body());
    } catch {
      /* kept as text */
    }
    return { status: res.statusCode, body: answer, headers: res.allHeaders(), servedBy: served?.servedBy ?? null };
  }

  /** Answers the gateway's paths; returns false for any other path. */
  async function handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
    if (pathname === '/api/v1/chat/completions' || pathname === '/v1/chat/completions') {
      if (req.method !== 'POST') {
        sendError(res, 405, 'Use POST for chat completions.', 'invalid_request_error', 'method_not_allowed', null, { allow: 'POST' });
        return true;
      }
      try {
        await handleCompletions(req, res);
      } catch (error) {
        if (isClientDisconnect(error, req)) {
          deps.onClientDisconnect?.(pathname);
          res.destroy();
        } else {
          console.error('[standby] gateway request failed', { error });
          if (!res.headersSent) sendError(res, 500, 'Standby failed to handle this request. It has been logged.', 'api_error', 'internal_error');
          else res.end();
        }
      }
      return true;
    }
    if (pathname === '/api/v1/models' || pathname === '/v1/models') {
      handleModels(req, res);
      return true;
    }
    const queued = /^\/(?:api\/)?v1\/queued\/([^/]+)$/.exec(pathname);
    if (queued) {
      if (req.method !== 'GET') {
        sendError(res, 405, 'Use GET to read a queued request.', 'invalid_request_error', 'method_not_allowed', null, { allow: 'GET' });
        return true;
      }
      try {
        await handleQueued(req, res, queued[1]);
      } catch (error) {
        console.error('[standby] reading a queued request failed', { error });
        if (!res.headersSent) sendError(res, 500, 'Standby failed to handle this request. It has been logged.', 'api_error', 'internal_error');
      }
      return true;
    }
    // Machine APIs of the control plane under /api/v1/ are Next.js routes (app/api/v1/recovery/..., backups/..., conversations/...).
    if (pathname.startsWith('/api/v1/') && !CONTROL_PLANE_APIS.some((prefix) => pathname.startsWith(prefix))) {
      sendError(res, 404, `Unknown endpoint ${pathname}. Standby serves /api/v1/chat/completions, /api/v1/models and /api/v1/queued/<id>.`, 'not_found_error', 'unknown_url');
      return true;
    }
    return false;
  }

  return Object.assign(handle, { complete, cache });
}

export type GatewayHandler = ReturnType<typeof createGatewayHandler>;

const toUnix = (date: Date) => Math.floor(date.getTime() / 1000);
const queuedUrl = (publicId: string) => `/api/v1/queued/${publicId}`;

/** A queued request as the client reads it: its state, and the completion or the error once there is one. */
function queuedRequestBody(row: QueuedRequestView, serviceName: string | null) {
  const stored = row.result as { error?: unknown } | null;
  let error: unknown = null;
  if (row.status === 'failed') error = stored?.error ?? { message: row.lastError ?? 'The request failed.', type: 'api_error', param: null, code: 'replay_failed' };
  if (row.status === 'expired') error = { message: row.lastError ?? 'The request expired before the service recovered.', type: 'service_unavailable', param: null, code: 'queue_expired' };
  return {
    id: row.publicId,
    object: 'standby.queued_request',
    status: row.status,
    model: serviceName,
    created_at: toUnix(row.createdAt),
    expires_at: toUnix(row.expiresAt),
    completed_at: row.completedAt ? toUnix(row.completedAt) : null,
    attempts: row.attempts,
    url: queuedUrl(row.publicId),
    status_code: row.resultStatus,
    result: row.status === 'succeeded' ? row.result : null,
    error,
    last_error: row.status === 'queued' || row.status === 'running' ? row.lastError : null,
  };
}

export type { SampleRecord };
