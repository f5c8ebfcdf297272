// POST /api/v1/chat/completions and GET /api/v1/models: the OpenAI-compatible
// gateway, served by the lean front door (docs/decisions/002), never by Next's
// router. It routes a request for a *service* along that service's failover
// chain with retries, breakers and timeouts, reading only the in-memory routing
// snapshot and recording attempts without waiting.
//
// A request meets these files in this order (docs/architecture.md):
//   handler.ts       which path is asked for                      (this file)
//   http.ts          the token, the body, the JSON                handleCompletions
//   request.ts       validation, the service, the tier            serveRequest
//   tiers.ts         the tier's policy: route, cache, rule, queue  serveInTier
//   route.ts         the failover chain, retries, breakers        route
//   attempt.ts       one attempt on one target                    attempt
//   relay-stream.ts  a streamed answer, token by token            relayStream
//   final-error.ts   the answer when no target could give one     finalError
// queued.ts serves GET /api/v1/queued/<id> and the retry queue's replay;
// context.ts holds what every step receives.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isClientDisconnect } from '@/lib/server/disconnects';
import { createGatewayState, DEFAULT_MAX_BODY_BYTES, sendError, type Gateway, type GatewayDeps } from './context';
import { handleCompletions, handleModels } from './http';
import { complete, handleQueued } from './queued';

/** Paths under /api/v1/ that Next.js answers (machine APIs of the control plane). */
const CONTROL_PLANE_APIS = ['/api/v1/recovery/', '/api/v1/backups/', '/api/v1/conversations'];

export function createGatewayHandler(deps: GatewayDeps) {
  const gw: Gateway = {
    deps,
    state: deps.state ?? createGatewayState(),
    maxBodyBytes: deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    random: deps.random ?? Math.random,
  };

  /** Answers the gateway's paths; returns false for any other path. */
  async function handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
    if (pathname === '/api/v1/chat/completions' || pathname === '/v1/chat/completions') {
      if (req.method !== 'POST') {
        sendError(res, 405, 'Use POST for chat completions.', 'invalid_request_error', 'method_not_allowed', null, { allow: 'POST' });
        return true;
      }
      try {
        await handleCompletions(gw, req, res);
      } catch (error) {
        if (isClientDisconnect(error, req)) {
          gw.deps.onClientDisconnect?.(pathname);
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
      handleModels(gw, req, res);
      return true;
    }
    const queued = /^\/(?:api\/)?v1\/queued\/([^/]+)$/.exec(pathname);
    if (queued) {
      if (req.method !== 'GET') {
        sendError(res, 405, 'Use GET to read a queued request.', 'invalid_request_error', 'method_not_allowed', null, { allow: 'GET' });
        return true;
      }
      try {
        await handleQueued(gw, req, res, queued[1]);
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

  return Object.assign(handle, {
    complete: (serviceName: string, body: Record<string, unknown>, tokenId: string | null, drill: { runId: string } | null = null, conversation?: string) => complete(gw, serviceName, body, tokenId, drill, conversation),
  });
}

export type GatewayHandler = ReturnType<typeof createGatewayHandler>;
