// Step 2: from a decoded body to an answer. The request is validated, its
// service found and the token's scope checked; the tier it is served in is
// decided (a request the healthy targets have room for is served as in Full),
// and the exchange goes to the tier's policy (tiers.ts). Its outcome is
// recorded for the SLO once it is answered. The HTTP path (http.ts) and the
// retry queue's replay (queued.ts) both come through here.
import type { ServerResponse } from 'node:http';
import type { Tier } from '@/lib/routing/enums';
import type { RoutingSnapshot, SnapshotToken } from '@/lib/routing/model';
import { effectiveTier } from '@/lib/routing/tier';
import { tierForRequest } from '@/lib/degradation/overflow';
import { countsAsGood } from '@/lib/slo/good-request';
import { newRequestId, sendError, type Exchange, type Gateway, type Served } from './context';
import { parseChatRequest, type ChatRequest } from './openai-schema';
import { AnswerAssembler, answerFromCompletion } from './response-cache';
import { serveInTier } from './tiers';

/**
 * drillRunId: a drill's own synthetic request (lib/drills/controller.ts), which that run's drill-only faults catch; clients cannot set it.
 * `conversation`: the x-standby-conversation header of a live request (the retry queue's replay names none).
 */
export type ServeOptions = { wantsQueue: boolean; record: boolean; drillRunId?: string | null; conversation?: string | string[] };

/** A decoded body: validated, then served (serveChatRequest). */
export async function serveRequest(gw: Gateway, res: ServerResponse, snapshot: RoutingSnapshot, token: SnapshotToken, json: unknown, options: ServeOptions): Promise<Served | void> {
  const parsed = parseChatRequest(json);
  if (!parsed.ok) return sendError(res, 400, parsed.message, 'invalid_request_error', parsed.code ?? null, parsed.param);
  return serveChatRequest(gw, res, snapshot, token, parsed.request, json, options);
}

/** A valid chat request (`body` as it came, kept for the retry queue): its service, its tier, then the tier's policy. */
export async function serveChatRequest(
  gw: Gateway, res: ServerResponse, snapshot: RoutingSnapshot, token: SnapshotToken, request: ChatRequest, body: unknown, options: ServeOptions,
): Promise<Served | void> {
  const service = snapshot.services.get(request.model);
  if (!service || !service.enabled) {
    return sendError(res, 404, `The model \`${request.model}\` does not exist: name a Standby service (GET /api/v1/models lists them).`, 'not_found_error', 'model_not_found', 'model');
  }
  if (token.services.length > 0 && !token.services.includes(service.name)) {
    return sendError(res, 403, `This API token may not call the service ${service.name}.`, 'permission_error', 'service_not_allowed', 'model');
  }
  // Every answer from here on says which tier it was served in (x-standby-tier, among the headers each answer is
  // written with: a header set ahead with setHeader sends Node's writeHead down its slower merging path, decision 018):
  // a request the healthy targets have room for is served as in Full, whatever tier the overflow gets.
  const now = Date.now();
  const tier = tierForRequest(service.degradation, service.id, gw.state.overflow, now);
  gw.deps.metrics?.setServiceTier?.(service.name, effectiveTier(service.degradation, now));
  const startedAt = performance.now();
  // Hook of the conversation store: a named conversation's stored history goes upstream with the new message.
  const turn = gw.deps.conversations && options.conversation !== undefined ? await gw.deps.conversations.open({ conversation: options.conversation, service, token, request }) : null;
  if (turn?.kind === 'refused') return sendError(res, turn.status, turn.message, turn.type, turn.code, null, Object.assign({}, turn.headers, { 'x-standby-tier': tier }));
  for (const [name, value] of Object.entries(turn?.headers ?? {})) res.setHeader(name, value);
  const sent = turn?.request ?? request;
  const abort: Exchange['abort'] = { aborted: false, attempt: null };
  res.on('close', () => {
    if (res.writableEnded) return;
    abort.aborted = true;
    abort.attempt?.abort();
  });
  const exchange: Exchange = {
    res, requestId: newRequestId(), created: Math.floor(Date.now() / 1000), service, tier, request: sent,
    stream: sent.stream === true, includeUsage: sent.stream_options?.include_usage === true, abort, attempts: 0, sentText: '', headersSent: false, hasToolCalls: false,
    earlier: { completionTokens: 0, estimated: false }, answerUsage: null,
    assembler: turn && sent.stream === true ? new AnswerAssembler() : null, completion: null, drillRunId: options.drillRunId ?? null,
  };
  let served: Served;
  try {
    served = await serveInTier(gw, exchange, snapshot, tier, { wantsQueue: options.wantsQueue, tokenId: token.id, body });
  } catch (error) {
    // A failure of Standby's own (handler.ts answers 500): that answer says its tier too. setHeader only here, off the hot path.
    if (!res.headersSent) res.setHeader('x-standby-tier', tier);
    throw error;
  }
  // Hook of the conversation store: the answer the client received joins the history (written off the request path).
  turn?.finish(served.status === 200 ? (exchange.assembler?.answer() ?? answerFromCompletion(exchange.completion)) : null);
  if (options.record) recordOutcome(gw, exchange, tier, served, startedAt);
  return served;
}

function recordOutcome(gw: Gateway, x: Exchange, tier: Tier, served: Served, startedAt: number) {
  const { status, errorClass, servedBy, usage } = served;
  gw.deps.recorder.recordRequest({
    serviceId: x.service.id, at: Date.now(), requestId: x.requestId, ok: countsAsGood(status, errorClass, servedBy), status, errorClass,
    targetId: served.target?.id ?? null, attempts: x.attempts, latencyMs: Math.round(performance.now() - startedAt), ttftMs: served.ttftMs,
    stream: x.stream, tier, servedBy, promptTokens: usage?.prompt_tokens ?? null, completionTokens: usage?.completion_tokens ?? null,
  });
}
