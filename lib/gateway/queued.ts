// GET /api/v1/queued/<id>, and the replay of queued requests. A request
// queued in Emergency (tiers.ts) is kept in PostgreSQL; the leader replays it
// when its service recovers (queue-replay.ts) through complete(), which runs it
// through the same tiers and routing as live traffic (serveRequest), with its
// answer kept in memory rather than sent, and the client reads the result here.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SnapshotToken, ServedBy } from '@/lib/routing/model';
import { BufferedResponse } from './buffered-response';
import { sendError, sendJson, type Gateway } from './context';
import { authenticate } from './http';
import { openAiError, type OpenAiErrorType } from './openai-schema';
import type { QueuedRequestView } from './retry-queue';
import { serveRequest } from './request';
import { queuedUrl, toUnix } from './tiers';

/** What the replay of a queued request produced (complete()). */
export type CompletedRequest = { status: number; body: unknown; headers: Record<string, string>; servedBy: ServedBy | null };

// GET /api/v1/queued/<id>: a queued request's status and, once replayed, the chat completion (or error) it produced.
export async function handleQueued(gw: Gateway, req: IncomingMessage, res: ServerResponse, publicId: string) {
  const snapshot = gw.deps.snapshot();
  if (!snapshot) return sendError(res, 503, 'Standby is starting. Retry shortly.', 'service_unavailable', 'not_ready', null, { 'retry-after': '1' });
  const token = authenticate(gw, req, snapshot);
  if (!token) return sendError(res, 401, 'Incorrect or missing API key.', 'authentication_error', 'invalid_api_key');
  const notFound = () => sendError(res, 404, `No queued request has the id ${publicId}.`, 'not_found_error', 'queued_request_not_found', 'id');
  if (!/^sbq_[A-Za-z0-9_-]{1,64}$/.test(publicId)) return notFound();
  if (!gw.deps.queue) return sendError(res, 503, 'The retry queue is not available on this server.', 'service_unavailable', 'queue_unavailable');
  let row: QueuedRequestView | null;
  try {
    row = await gw.deps.queue.find(publicId);
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
/** The token id of requests run without a token (null): a UUID, since a conversation they keep is stored under it. */
export const INTERNAL_TOKEN_ID = '00000000-0000-0000-0000-000000000000';

/**
 * `drill`: a drill's synthetic request, recorded like client traffic so the episode detector sees it.
 * `conversation`: the conversation it continues, as the x-standby-conversation header names one (a drill's resume check).
 */
export async function complete(gw: Gateway, serviceName: string, body: Record<string, unknown>, tokenId: string | null, drill: { runId: string } | null = null, conversation?: string): Promise<CompletedRequest> {
  const failed = (status: number, message: string, type: OpenAiErrorType, code: string): CompletedRequest => ({ status, body: openAiError(status, message, type, code).body, headers: {}, servedBy: null });
  const snapshot = gw.deps.snapshot();
  if (!snapshot) return failed(503, 'Standby has no routing configuration yet.', 'service_unavailable', 'not_ready');
  const now = Date.now();
  const token: SnapshotToken | undefined =
    tokenId === null ? { id: INTERNAL_TOKEN_ID, name: 'internal', services: [], expiresAt: null } : [...snapshot.tokens.values()].find((t) => t.id === tokenId);
  if (!token || (token.expiresAt !== null && token.expiresAt <= now)) return failed(401, 'The API token that queued this request is no longer valid.', 'authentication_error', 'invalid_api_key');
  const res = new BufferedResponse();
  const served = await serveRequest(gw, res.asServerResponse(), snapshot, token, { ...body, model: serviceName, stream: false }, { wantsQueue: false, record: drill !== null, drillRunId: drill?.runId ?? null, conversation });
  let answer: unknown = res.body();
  try {
    answer = JSON.parse(res.body());
  } catch {
    /* kept as text */
  }
  return { status: res.statusCode, body: answer, headers: res.allHeaders(), servedBy: served?.servedBy ?? null };
}

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
