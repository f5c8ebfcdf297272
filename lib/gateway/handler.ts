// POST /api/v1/chat/completions and GET /api/v1/models: the OpenAI-compatible
// gateway, served by the lean front door (docs/decisions/002), never by Next's
// router. It routes a request for a *service* along that service's failover
// chain (lib/failover/plan.ts) with retries, breakers and timeouts, reading only
// the in-memory routing snapshot and recording attempts without waiting.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { planRoute } from '@/lib/failover/plan';
import {
  buildUpstreamRequest, createStreamTranslator, parseUpstreamResponse, readUpstreamError, supportsAssistantPrefill, UnsupportedByTargetError, UpstreamResponseError,
  type UpstreamErrorDetail, type UpstreamTarget,
} from './adapters';
import { countsAsBreakerFailure } from './breaker';
import { classifyHttpError, parseRetryAfter, type ErrorClass } from './error-classes';
import { openAiError, parseChatRequest, usageChunk, type ChatCompletionChunk, type ChatRequest, type OpenAiErrorType, type Usage } from './openai-schema';
import { decideAfterFailure, needsLargerContext } from './retry-policy';
import type { RoutingSnapshot, SnapshotChainEntry, SnapshotService, SnapshotTarget, BreakerView } from './snapshot-types';
import type { SampleRecord } from './recorder';
import { createSseParser, type SseEvent } from './sse';
import { hashToken, parseBearer } from '@/lib/access/tokens';
import { readBody, sendUpstream, UpstreamFailure, classifyTransportError } from './upstream';

export type GatewayMetrics = {
  observeAttempt(a: { target: string; service: string; outcome: 'success' | 'error'; errorClass: string | null; latencyMs: number; ttftMs: number | null }): void;
  observeRequest(r: { service: string; status: number; attempts: number }): void;
  setActiveTarget(service: string, target: string | null): void;
};

export type GatewayDeps = {
  snapshot: () => RoutingSnapshot | null;
  breakers: { acquire(targetId: string, now?: number): boolean; report(targetId: string, ok: boolean, acquiredAt: number, now?: number): void; view: BreakerView };
  recorder: { record(sample: SampleRecord): void };
  metrics?: GatewayMetrics;
  maxBodyBytes?: number;
  random?: () => number;
};

const MAX_UPSTREAM_BODY_BYTES = 16 * 1024 * 1024;
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

type AttemptResultLike = { failure: Failure | null; ttftMs: number | null; usage: Usage | null };

type Exchange = {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  created: number;
  service: SnapshotService;
  request: ChatRequest;
  stream: boolean;
  includeUsage: boolean;
  abort: AbortController;
  attempts: number;
  /** Text the client has already received, for continuation on another target. */
  sentText: string;
  headersSent: boolean;
  hasToolCalls: boolean;
};

/**
 * Targets asked to wait by Retry-After, replica-wide: until when (epoch ms), and
 * the failure that asked. No request calls such a target before then: it is
 * skipped while another target can serve, and otherwise waited for (within the
 * entry's backoff budget) or answered with that failure without a call.
 */
const coolingDown = new Map<string, { until: number; failure: Failure }>();
const coolingUntil = (targetId: string) => coolingDown.get(targetId)?.until ?? 0;

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  if (res.headersSent) return;
  res.writeHead(status, { ...JSON_HEADERS, ...headers });
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, status: number, message: string, type: OpenAiErrorType, code: string | null = null, param: string | null = null, headers: Record<string, string> = {}) {
  const error = openAiError(status, message, type, code, param);
  sendJson(res, error.status, error.body, headers);
}

async function readRequestBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return 'too_large';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return 'too_large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function authenticate(req: IncomingMessage, snapshot: RoutingSnapshot, now: number) {
  const bearer = parseBearer(req.headers.authorization);
  if (!bearer) return null;
  const token = snapshot.tokens.get(hashToken(bearer));
  if (!token || (token.expiresAt !== null && token.expiresAt <= now)) return null;
  return token;
}

const upstreamTargetOf = (t: SnapshotTarget): UpstreamTarget => ({ apiStyle: t.apiStyle, endpointUrl: t.endpointUrl, model: t.model, apiKey: t.apiKey, providerKind: t.providerKind });

export function createGatewayHandler(deps: GatewayDeps) {
  const random = deps.random ?? Math.random;
  const maxBodyBytes = deps.maxBodyBytes ?? Number(process.env.STANDBY_GATEWAY_MAX_BODY_BYTES ?? 4 * 1024 * 1024);

  function record(x: Exchange, target: SnapshotTarget, attempt: number, latencyMs: number, result: AttemptResultLike) {
    const { failure, ttftMs, usage } = result;
    const ok = failure === null;
    const errorClass = failure?.errorClass ?? null;
    const statusCode = failure ? failure.status : 200;
    deps.recorder.record({
      targetId: target.id, serviceId: x.service.id, source: 'traffic', at: Date.now(), ok, errorClass, statusCode, latencyMs, ttftMs,
      requestId: x.requestId, attempt, promptTokens: usage?.prompt_tokens ?? null, completionTokens: usage?.completion_tokens ?? null,
    });
    deps.metrics?.observeAttempt({ target: target.name, service: x.service.name, outcome: ok ? 'success' : 'error', errorClass, latencyMs, ttftMs });
  }

  function standbyHeaders(x: Exchange, target: SnapshotTarget): Record<string, string> {
    return { 'x-request-id': x.requestId, 'x-standby-service': x.service.name, 'x-standby-target': target.name, 'x-standby-attempts': String(x.attempts) };
  }

  type AttemptResult = { failure: Failure | null; ttftMs: number | null; usage: Usage | null };

  /** One attempt on one target: failure null means the answer has been sent. */
  async function attempt(x: Exchange, entry: SnapshotChainEntry, target: SnapshotTarget, deadlineAt: number): Promise<AttemptResult> {
    let ttftMs: number | null = null;
    let usage: Usage | null = null;
    const failure = await attemptInner(x, entry, target, deadlineAt, (t) => (ttftMs = t), (u) => (usage = u));
    return { failure, ttftMs, usage };
  }

  async function attemptInner(
    x: Exchange, entry: SnapshotChainEntry, target: SnapshotTarget, deadlineAt: number, onTtft: (ms: number) => void, onUsage: (u: Usage | null) => void,
  ): Promise<Failure | null> {
    const startedAt = performance.now();
    const fail = (errorClass: ErrorClass, message: string, status: number | null = null, retryAfterMs: number | null = null, detail: UpstreamErrorDetail | null = null): Failure => ({
      errorClass, message, status, retryAfterMs, detail, target,
    });
    const upstreamTarget = upstreamTargetOf(target);
    const prefill = x.sentText ? x.sentText : undefined;
    const upstreamRequest = buildUpstreamRequest(upstreamTarget, x.request, { stream: x.stream, assistantPrefill: prefill });
    const attemptDeadline = Math.min(deadlineAt, Date.now() + entry.timeouts.totalMs);
    const controller = new AbortController();
    const onClientAbort = () => controller.abort();
    x.abort.signal.addEventListener('abort', onClientAbort);
    const deadlineTimer = setTimeout(() => controller.abort(), Math.max(1, attemptDeadline - Date.now()));
    // A non-streamed answer slower than the chain's latency limit moves on (DESIGN.md's fallback matrix).
    const headerMs = x.stream ? entry.timeouts.headerMs : Math.min(entry.timeouts.headerMs, entry.latencyLimitMs ?? Infinity);
    try {
      let response;
      try {
        response = await sendUpstream(upstreamRequest, { connectMs: entry.timeouts.connectMs, headerMs }, controller.signal);
      } catch (error) {
        const failure = error instanceof UpstreamFailure ? error : classifyTransportError(error, controller.signal);
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
        sendJson(x.res, 200, completion, standbyHeaders(x, target));
        return null;
      }

      return await relayStream(x, entry, target, upstreamTarget, response.body, startedAt, fail, onTtft, onUsage);
    } catch (error) {
      if (error instanceof UnsupportedByTargetError) throw error;
      const failure = error instanceof UpstreamFailure ? error : classifyTransportError(error, controller.signal);
      return fail(failure.errorClass, failure.message);
    } finally {
      clearTimeout(deadlineTimer);
      x.abort.signal.removeEventListener('abort', onClientAbort);
    }
  }

  async function relayStream(
    x: Exchange, entry: SnapshotChainEntry, target: SnapshotTarget, upstreamTarget: UpstreamTarget, body: NodeJS.ReadableStream & { destroy(error?: Error): void },
    startedAt: number, fail: (c: ErrorClass, m: string, s?: number | null) => Failure, onTtft: (ms: number) => void, onUsage: (u: Usage | null) => void,
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
    // Set from callbacks, hence typed by assertion (an initializer of null would narrow them to null).
    let timedOut = null as ErrorClass | null;
    const arm = (ms: number, errorClass: ErrorClass) => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = errorClass;
        body.destroy(new UpstreamFailure(errorClass, errorClass));
      }, ms);
    };
    const write = (out: ChatCompletionChunk) => {
      if (!x.headersSent) {
        x.res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', ...standbyHeaders(x, target) });
        x.headersSent = true;
      }
      x.res.write(`data: ${JSON.stringify(out)}\n\n`);
    };
    let upstreamError = null as { message: string; type: string } | null;
    /** Translates and relays events; true once the upstream said it is done (or failed). */
    const relay = (events: SseEvent[]): boolean => {
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
    let cut = false;
    try {
      let ended = false;
      for await (const chunk of body) {
        if (relay(parser.push(chunk as Buffer))) {
          ended = true;
          break;
        }
        // After finish_reason only the usage chunk and the end marker are due: wait briefly for them.
        if (finished) arm(Math.min(entry.timeouts.streamIdleMs, FINISH_GRACE_MS), 'stream_stall');
        else if (gotFirst) arm(entry.timeouts.streamIdleMs, 'stream_stall');
      }
      // An event the body ended without its blank line still counts (sse.ts).
      if (!ended) relay(parser.end());
    } catch {
      cut = true;
    } finally {
      if (timer) clearTimeout(timer);
    }
    const outcome = translator.finish();
    x.sentText = outcome.text;
    x.hasToolCalls = outcome.hasToolCalls;
    onUsage(outcome.usage);
    if (upstreamError) {
      const errorClass = classifyHttpError(200, { error: upstreamError }, target.apiStyle);
      return fail(errorClass, upstreamError.message);
    }
    // An answer that has said how it finished is complete, whatever happens to the connection after.
    if (outcome.finishReason === null || !gotFirst || x.abort.signal.aborted) {
      if (cut) return fail(timedOut ?? (x.abort.signal.aborted ? 'total_timeout' : 'stream_cut'), timedOut ? timedOut.replace(/_/g, ' ') : 'the upstream stream was cut');
      return fail('stream_cut', outcome.sawDone ? 'the stream ended without saying why' : 'the upstream stream ended early');
    }
    // Complete: usage when asked for, then [DONE] (even if the upstream never sent it).
    if (x.includeUsage && outcome.usage) x.res.write(`data: ${JSON.stringify(usageChunk({ id: x.requestId, created: x.created }, outcome.model, outcome.usage))}\n\n`);
    x.res.write(`: standby target=${target.name} attempts=${x.attempts}\n\n`);
    x.res.end('data: [DONE]\n\n');
    return null;
  }

  function finalError(x: Exchange, failure: Failure | null, reason: string) {
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

  async function route(x: Exchange, snapshot: RoutingSnapshot) {
    const now = Date.now();
    const plan = planRoute(x.service, snapshot.targets, snapshot.overrides, deps.breakers.view, now);
    deps.metrics?.setActiveTarget(x.service.name, plan.candidates[0]?.target.name ?? null);
    if (plan.candidates.length === 0) {
      const why = plan.skipped.map((s) => `${s.targetName}: ${s.reason.replace(/_/g, ' ')}`).join('; ');
      return finalError(x, null, `No target of service ${x.service.name} can take traffic now${why ? ` (${why})` : ''}.`);
    }
    const deadlineAt = now + plan.candidates[0].entry.timeouts.totalMs;
    let lastFailure: Failure | null = null;
    let minContext = 0;
    const candidates = plan.candidates;

    const eligible = (i: number, at: number) => {
      const { target } = candidates[i];
      if (target.contextWindow <= minContext) return false;
      // A target asked to wait is skipped while any later one could serve.
      return !(coolingUntil(target.id) > at && candidates.slice(i + 1).some((c) => c.target.contextWindow > minContext && !(coolingUntil(c.target.id) > at)));
    };

    for (let i = 0; i < candidates.length; i += 1) {
      if (x.abort.signal.aborted) return;
      const { entry, target } = candidates[i];
      if (!eligible(i, Date.now())) continue;
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
          if (x.abort.signal.aborted) return;
        }
        const acquiredAt = Date.now();
        const lastResort = x.attempts === 0 && i === candidates.length - 1;
        if (!deps.breakers.acquire(target.id, acquiredAt) && !lastResort) break;
        x.attempts += 1;
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
          return;
        }
        deps.breakers.report(target.id, !countsAsBreakerFailure(failure.errorClass), acquiredAt);
        lastFailure = failure;
        if (x.abort.signal.aborted) return;
        if (needsLargerContext(failure.errorClass)) minContext = Math.max(minContext, target.contextWindow);
        const at = Date.now();
        if (failure.retryAfterMs !== null && failure.retryAfterMs > 0) coolingDown.set(target.id, { until: at + failure.retryAfterMs, failure });
        // Only the error classes the chain entry lists move traffic on (DEFAULT_FAILOVER_ON leaves out content_policy).
        const movesOn = entry.failoverOn.includes(failure.errorClass);
        const next = movesOn ? candidates.findIndex((c, j) => j > i && eligible(j, at) && (!x.headersSent || supportsAssistantPrefill(upstreamTargetOf(c.target)))) : -1;
        const decision = decideAfterFailure(
          { errorClass: failure.errorClass, retryAfterMs: failure.retryAfterMs, responseStarted: x.headersSent },
          { attemptOnTarget: onTarget, budget: entry.budget, hasNextTarget: next !== -1, now: at, random, deadlineAt, canContinueMidStream: next !== -1 && !x.hasToolCalls },
        );
        if (decision.kind === 'retry_same') {
          await new Promise((resolve) => setTimeout(resolve, decision.delayMs));
          if (x.abort.signal.aborted) return;
          continue;
        }
        if (decision.kind === 'next_target') break;
        return finalError(x, failure, decision.reason);
      }
    }
    finalError(x, lastFailure, `Every target of ${x.service.name} failed`);
  }

  async function handleCompletions(req: IncomingMessage, res: ServerResponse) {
    const snapshot = deps.snapshot();
    if (!snapshot) return sendError(res, 503, 'Standby is starting and has no routing configuration yet. Retry shortly.', 'service_unavailable', 'not_ready', null, { 'retry-after': '1' });
    const token = authenticate(req, snapshot, Date.now());
    if (!token) return sendError(res, 401, 'Incorrect or missing API key. Use a Standby API token (created by an admin) as the Bearer token.', 'authentication_error', 'invalid_api_key');
    const raw = await readRequestBody(req, maxBodyBytes);
    if (raw === 'too_large') {
      res.setHeader('connection', 'close');
      return sendError(res, 413, `The request body is larger than ${maxBodyBytes} bytes.`, 'invalid_request_error', 'request_too_large');
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      return sendError(res, 400, 'The request body is not valid JSON.', 'invalid_request_error', 'invalid_json');
    }
    const parsed = parseChatRequest(json);
    if (!parsed.ok) return sendError(res, 400, parsed.message, 'invalid_request_error', parsed.code ?? null, parsed.param);
    const service = snapshot.services.get(parsed.request.model);
    if (!service || !service.enabled) {
      return sendError(res, 404, `The model \`${parsed.request.model}\` does not exist: name a Standby service (GET /api/v1/models lists them).`, 'not_found_error', 'model_not_found', 'model');
    }
    if (token.services.length > 0 && !token.services.includes(service.name)) {
      return sendError(res, 403, `This API token may not call the service ${service.name}.`, 'permission_error', 'service_not_allowed', 'model');
    }
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableEnded) abort.abort();
    });
    const request = parsed.request;
    const exchange: Exchange = {
      req, res, requestId: `chatcmpl-${randomBytes(12).toString('base64url')}`, created: Math.floor(Date.now() / 1000), service, request,
      stream: request.stream === true, includeUsage: request.stream_options?.include_usage === true, abort, attempts: 0, sentText: '', headersSent: false, hasToolCalls: false,
    };
    await route(exchange, snapshot);
  }

  function handleModels(req: IncomingMessage, res: ServerResponse) {
    const snapshot = deps.snapshot();
    if (!snapshot) return sendError(res, 503, 'Standby is starting. Retry shortly.', 'service_unavailable', 'not_ready');
    const token = authenticate(req, snapshot, Date.now());
    if (!token) return sendError(res, 401, 'Incorrect or missing API key.', 'authentication_error', 'invalid_api_key');
    const data = [...snapshot.services.values()]
      .filter((s) => s.enabled && (token.services.length === 0 || token.services.includes(s.name)))
      .map((s) => ({ id: s.name, object: 'model', created: 0, owned_by: 'standby' }));
    sendJson(res, 200, { object: 'list', data });
  }

  /** Answers the gateway's paths; returns false for any other path. */
  return async function handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
    if (pathname === '/api/v1/chat/completions' || pathname === '/v1/chat/completions') {
      if (req.method !== 'POST') {
        sendError(res, 405, 'Use POST for chat completions.', 'invalid_request_error', 'method_not_allowed', null, { allow: 'POST' });
        return true;
      }
      try {
        await handleCompletions(req, res);
      } catch (error) {
        console.error('[standby] gateway request failed', { error });
        if (!res.headersSent) sendError(res, 500, 'Standby failed to handle this request. It has been logged.', 'api_error', 'internal_error');
        else res.end();
      }
      return true;
    }
    if (pathname === '/api/v1/models' || pathname === '/v1/models') {
      handleModels(req, res);
      return true;
    }
    if (pathname.startsWith('/api/v1/')) {
      sendError(res, 404, `Unknown endpoint ${pathname}. Standby serves /api/v1/chat/completions and /api/v1/models.`, 'not_found_error', 'unknown_url');
      return true;
    }
    return false;
  };
}

export type { SampleRecord };
