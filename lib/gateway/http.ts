// Step 1 of a gateway request: reading it off the wire. The bearer token is
// checked against the routing snapshot (never the database), the body is read
// within its limit and decoded, and the decoded request goes on to
// serveRequest (request.ts). GET /api/v1/models answers here too.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RoutingSnapshot, SnapshotToken } from '@/lib/routing/model';
import { hashToken, parseBearer } from '@/lib/access/tokens';
import { sendError, sendJson, type Gateway } from './context';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-limits';
import { serveRequest } from './request';
import { wantsQueue } from './tier-policy';

const TOKEN_HASH_CACHE_SIZE = 1_000;

/**
 * The SHA-256 of the bearer token in an Authorization header, or null when it holds none. Remembered by the header's
 * whole value: a client sends the same header with every request, and parsing it (two regular expressions) and
 * hashing it cost more than the lookup (decision 018). Only well-formed tokens are remembered.
 */
function hashOfAuthorization(gw: Gateway, header: string | undefined): string | null {
  if (!header) return null;
  const hashes = gw.state.tokenHashes;
  let hash = hashes.get(header);
  if (hash === undefined) {
    const bearer = parseBearer(header);
    if (!bearer) return null;
    hash = hashToken(bearer);
    if (hashes.size >= TOKEN_HASH_CACHE_SIZE) hashes.clear();
    hashes.set(header, hash);
  }
  return hash;
}

/** The request's API token, if valid; its use is noted for ApiToken.lastUsedAt (written with the next flush). */
export function authenticate(gw: Gateway, req: IncomingMessage, snapshot: RoutingSnapshot): SnapshotToken | null {
  const hash = hashOfAuthorization(gw, req.headers.authorization);
  if (hash === null) return null;
  const now = Date.now();
  const token = snapshot.tokens.get(hash);
  if (!token || (token.expiresAt !== null && token.expiresAt <= now)) return null;
  gw.deps.recorder.tokenUsed(token.id, now);
  return token;
}

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

// POST /api/v1/chat/completions
export async function handleCompletions(gw: Gateway, req: IncomingMessage, res: ServerResponse) {
  const snapshot = gw.deps.snapshot();
  if (!snapshot) return sendError(res, 503, 'Standby is starting and has no routing configuration yet. Retry shortly.', 'service_unavailable', 'not_ready', null, { 'retry-after': '1' });
  const token = authenticate(gw, req, snapshot);
  if (!token) return sendError(res, 401, 'Incorrect or missing API key. Use a Standby API token (created by an admin) as the Bearer token.', 'authentication_error', 'invalid_api_key');
  const raw = await readRequestBody(req, gw.maxBodyBytes);
  if (raw === 'too_large') {
    res.setHeader('connection', 'close');
    return sendError(res, 413, `The request body is larger than ${gw.maxBodyBytes} bytes.`, 'invalid_request_error', 'request_too_large');
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
  await serveRequest(gw, res, snapshot, token, json, { wantsQueue: wantsQueue(req.headers['x-standby-queue']), record: true, conversation: req.headers['x-standby-conversation'] });
}

// GET /api/v1/models: the services this token may call, as OpenAI lists models.
export function handleModels(gw: Gateway, req: IncomingMessage, res: ServerResponse) {
  const snapshot = gw.deps.snapshot();
  if (!snapshot) return sendError(res, 503, 'Standby is starting. Retry shortly.', 'service_unavailable', 'not_ready');
  const token = authenticate(gw, req, snapshot);
  if (!token) return sendError(res, 401, 'Incorrect or missing API key.', 'authentication_error', 'invalid_api_key');
  const data = [...snapshot.services.values()]
    .filter((s) => s.enabled && (token.services.length === 0 || token.services.includes(s.name)))
    .map((s) => ({ id: s.name, object: 'model', created: 0, owned_by: 'standby' }));
  sendJson(res, 200, { object: 'list', data });
}
