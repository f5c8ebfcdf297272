// Step 3: the degradation tier's policy (tier-policy.ts decides, this carries
// it out). Full and Degraded route along the chain (route.ts), Degraded with a
// smaller target first and max_tokens capped; Minimal answers from the response
// cache or a rule, or refuses; Emergency answers with the maintenance message,
// or queues the request for replay when the client asked for it.
import type { Tier } from '@/lib/routing/enums';
import type { RoutingSnapshot, ServedBy } from '@/lib/routing/model';
import { sendError, sendJson, standbyHeaders, type Exchange, type Gateway, type Served } from './context';
import { containsNul } from './json-limits';
import { AnswerAssembler, answerFromCompletion, cacheKey, completionFromAnswer, sseFromAnswer, type CachedAnswer } from './response-cache';
import { matchRule, ruleAnswer } from './rules';
import { route } from './route';
import { capMaxTokens, decideTier, refusalMessage } from './tier-policy';

/** The tier's policy: route (Full, Degraded), answer locally or refuse (Minimal), maintenance or queue (Emergency). */
export async function serveInTier(gw: Gateway, x: Exchange, snapshot: RoutingSnapshot, tier: Tier, ask: { wantsQueue: boolean; tokenId: string | null; body: unknown }): Promise<Served> {
  const policy = x.service.degradation.policy;
  const ttlMs = policy.cacheTtlSeconds * 1000;
  // Keyed on the request as the client sent it, before any tier changes it; hashed only when
  // looked up (Minimal) or once an answer is there to keep, after it has gone out.
  const asked = x.request;
  const decision = decideTier<CachedAnswer>(tier, policy, {
    cached: () => (ttlMs > 0 ? gw.state.cache.get(cacheKey(x.service.name, asked), ttlMs, Date.now()) : null),
    rule: () => matchRule(policy.rules, x.request),
    wantsQueue: ask.wantsQueue,
  });
  switch (decision.kind) {
    case 'cache':
      answerLocally(x, decision.cached, { 'x-standby-cache': 'hit' });
      return servedLocally(gw, x, 200, null, 'cache');
    case 'rule':
      answerLocally(x, ruleAnswer(decision.rule), { 'x-standby-rule': 'matched' });
      return servedLocally(gw, x, 200, null, 'rule');
    case 'refuse':
      sendError(x.res, 503, refusalMessage(x.service.name, decision.retryAfterSeconds), 'service_unavailable', 'tier_minimal', null, {
        ...standbyHeaders(x), 'retry-after': String(decision.retryAfterSeconds),
      });
      return servedLocally(gw, x, 503, 'tier_minimal', 'refused');
    case 'maintenance': {
      const note = decision.queue === 'disabled' ? ' Queueing requests is turned off for this service.' : '';
      sendMaintenance(x, `${decision.message}${note}`, decision.retryAfterSeconds);
      return servedLocally(gw, x, 503, 'maintenance', 'maintenance');
    }
    case 'queue':
      return servedLocally(gw, x, ...(await queueRequest(gw, x, ask, decision.ttlSeconds)));
    case 'route': {
      if (decision.maxTokens !== null) x.request = capMaxTokens(x.request, decision.maxTokens);
      if (ttlMs > 0 && x.stream) x.assembler = new AnswerAssembler();
      const outcome = await route(gw, x, snapshot, tier === 'degraded' ? { targetId: decision.preferTargetId } : null);
      // Kept from the objects the answer was written from, not read back from the wire.
      if (ttlMs > 0 && outcome.status === 200) {
        const answer = x.assembler ? x.assembler.answer() : answerFromCompletion(x.completion);
        if (answer) gw.state.cache.set(cacheKey(x.service.name, asked), answer, Date.now());
      }
      // Spelt out: a spread followed by a member the outcome lacks takes V8 a slow path (sendJson in context.ts).
      return { status: outcome.status, errorClass: outcome.errorClass, target: outcome.target, ttftMs: outcome.ttftMs, usage: outcome.usage, servedBy: 'upstream' };
    }
  }
}

/** The outcome of a request answered (or refused) without calling a target. */
function servedLocally(gw: Gateway, x: Exchange, status: number, errorClass: string | null, servedBy: ServedBy): Served {
  gw.deps.metrics?.observeRequest({ service: x.service.name, status, attempts: 0 });
  return { status, errorClass, target: null, ttftMs: null, usage: null, servedBy };
}


/** A cached or rule-based answer, as JSON or as a short stream, with a fresh id and created. */
function answerLocally(x: Exchange, answer: CachedAnswer, headers: Record<string, string>) {
  const meta = { id: x.requestId, created: x.created };
  x.completion = completionFromAnswer(answer, meta);
  // Object.assign rather than spreads: a spread copy that gains members costs V8 a slow path (sendJson in context.ts).
  if (!x.stream) return sendJson(x.res, 200, x.completion, Object.assign(standbyHeaders(x), headers));
  x.res.writeHead(200, Object.assign({ 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' }, standbyHeaders(x), headers));
  x.res.end(sseFromAnswer(answer, meta, x.includeUsage));
}

function sendMaintenance(x: Exchange, message: string, retryAfterSeconds: number) {
  sendError(x.res, 503, message, 'service_unavailable', 'maintenance', null, Object.assign(standbyHeaders(x), { 'retry-after': String(retryAfterSeconds) }));
}

/**
 * Emergency, and the client asked to be queued: one database write, bounded
 * in time (retry-queue.ts). Stored without streaming: the result is fetched
 * later as one chat completion.
 */
async function queueRequest(gw: Gateway, x: Exchange, ask: { tokenId: string | null; body: unknown }, ttlSeconds: number): Promise<[number, string | null, ServedBy]> {
  const policy = x.service.degradation.policy;
  const unavailable = (): [number, string | null, ServedBy] => {
    sendMaintenance(x, `${policy.maintenanceMessage} The retry queue is unavailable right now, so this request was not queued.`, policy.retryAfterSeconds);
    return [503, 'maintenance', 'maintenance'];
  };
  if (!gw.deps.queue) return unavailable();
  const { stream: _stream, stream_options: _streamOptions, ...body } = ask.body as Record<string, unknown>;
  // PostgreSQL's JSONB cannot hold the NUL character: say so rather than fail as "queue unavailable".
  if (containsNul(body)) {
    sendError(x.res, 400, 'This request contains a NUL character (\\u0000), which the retry queue cannot store. Remove it and send the request again.', 'invalid_request_error', 'unqueueable_nul', null, standbyHeaders(x));
    return [400, 'bad_request', 'maintenance'];
  }
  let queued;
  try {
    queued = await gw.deps.queue.enqueue({ serviceId: x.service.id, tokenId: ask.tokenId, body, ttlSeconds, now: Date.now() });
  } catch (error) {
    console.error('[standby] could not queue a request', { service: x.service.name, error: error instanceof Error ? error.message : String(error) });
    return unavailable();
  }
  const url = queuedUrl(queued.publicId);
  sendJson(
    x.res, 202,
    { id: queued.publicId, object: 'standby.queued_request', status: 'queued', model: x.service.name, created_at: toUnix(queued.createdAt), expires_at: toUnix(queued.expiresAt), url },
    Object.assign(standbyHeaders(x), { location: url }),
  );
  return [202, 'queued', 'queued'];
}

export const toUnix = (date: Date) => Math.floor(date.getTime() / 1000);

/** Where a queued request's state and result are read (GET, queued.ts). */
export const queuedUrl = (publicId: string) => `/api/v1/queued/${publicId}`;
