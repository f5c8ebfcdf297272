// Step 7: the answer when no target could give one. Before any byte went out,
// an OpenAI-shaped error that passes the provider's reason on (context length,
// content policy and bad requests as 400, rate limits as 429 with Retry-After,
// timeouts as 504, the rest as 502). Mid-stream, an error event and no [DONE]:
// a truncated answer is never presented as a success.
import { sendError, standbyHeaders, type Exchange, type Failure, type Gateway, type RouteOutcome } from './context';

export function finalError(gw: Gateway, x: Exchange, failure: Failure | null, reason: string): RouteOutcome {
  const interrupted = x.headersSent;
  sendFinalError(gw, x, failure, reason);
  // An interrupted stream went out as HTTP 200 but is no answer: the SLO counts it as the 502 it is.
  const status = interrupted ? 502 : x.res.statusCode;
  // Counted with the status the client got (a provider's 503 reaches it as a 502): what its logs show.
  gw.deps.metrics?.observeRequest({ service: x.service.name, status, attempts: x.attempts });
  return { status, errorClass: failure?.errorClass ?? (interrupted ? 'stream_cut' : 'no_target_available'), target: failure?.target ?? null, ttftMs: null, usage: null };
}

function sendFinalError(gw: Gateway, x: Exchange, failure: Failure | null, reason: string) {
  if (x.headersSent) {
    // Never present a truncated answer as a success: an error event and no [DONE].
    x.res.end(`data: ${JSON.stringify({ error: { message: `The answer was interrupted and could not be completed: ${reason}`, type: 'api_error', code: 'upstream_stream_interrupted', param: null } })}\n\n`);
    return;
  }
  const headers = standbyHeaders(x, failure?.target);
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
