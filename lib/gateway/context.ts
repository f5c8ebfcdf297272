// What every step of a gateway request works with (docs/architecture.md, "The
// gateway, in request order"): the gateway of one replica (its dependencies and
// the state its requests share) and the exchange of one request (what it asked,
// where its answer goes, what has been sent so far), and how answers are written.
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { LatencyHistory } from '@/lib/routing/adaptive-limits';
import type { Tier } from '@/lib/routing/enums';
import type { ErrorClass } from '@/lib/routing/error-classes';
import type { BreakerView, RoutingSnapshot, ServedBy, SnapshotService, SnapshotTarget, SnapshotToken } from '@/lib/routing/model';
import { OverflowGate } from '@/lib/degradation/overflow';
import type { UpstreamErrorDetail, UpstreamTarget } from './adapters';
import { openAiError, type ChatRequest, type OpenAiErrorType, type Usage } from './openai-schema';
import type { RequestOutcome, SampleRecord } from './recorder';
import { AnswerAssembler, ResponseCache, type CachedAnswer } from './response-cache';
import type { GatewayQueue } from './retry-queue';

export type GatewayMetrics = {
  observeAttempt(a: { target: string; service: string; outcome: 'success' | 'error'; errorClass: string | null; latencyMs: number; ttftMs: number | null }): void;
  observeRequest(r: { service: string; status: number; attempts: number }): void;
  setActiveTarget(service: string, target: string | null): void;
  setServiceTier?(service: string, tier: Tier): void;
};

/** The default limit of a request body; lib/server/env.ts STANDBY_GATEWAY_MAX_BODY_BYTES sets another. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

export type GatewayDeps = {
  snapshot: () => RoutingSnapshot | null;
  breakers: { acquire(targetId: string, now?: number): boolean; report(targetId: string, ok: boolean, acquiredAt: number, now?: number): void; view: BreakerView };
  recorder: { record(sample: SampleRecord): void; recordRequest(outcome: RequestOutcome): void; tokenUsed(tokenId: string, at: number): void };
  metrics?: GatewayMetrics;
  /** The Emergency tier's retry queue (retry-queue.ts); without it, queueing is refused as unavailable. */
  queue?: GatewayQueue;
  /** What the requests of this replica share (createGatewayState); a handler of its own gets a fresh one. */
  state?: GatewayState;
  maxBodyBytes?: number;
  random?: () => number;
  /** A client that went away before its request body was complete: counted and logged as one line by the data plane. */
  onClientDisconnect?: (where: string) => void;
  /** The conversation store (lib/conversations/store.ts): a named conversation's history goes upstream, its answer is kept. */
  conversations?: ConversationHook;
};

/**
 * What the gateway asks of a conversation store, for a request that may name a
 * conversation (request.ts): the request to send instead (its stored history
 * before the new messages) and a callback for the answer, or a refusal.
 */
export type ConversationHook = {
  open(input: { conversation: string | string[] | undefined; service: SnapshotService; token: SnapshotToken; request: ChatRequest }): Promise<ConversationOpening | null>;
};

export type ConversationOpening =
  | { kind: 'turn'; request: ChatRequest; headers: Record<string, string>; finish: (answer: CachedAnswer | null) => void }
  | { kind: 'refused'; status: number; message: string; type: 'invalid_request_error' | 'service_unavailable'; code: string; headers: Record<string, string> };

/** A failed attempt on one target. */
export type Failure = {
  errorClass: ErrorClass;
  status: number | null;
  retryAfterMs: number | null;
  detail: UpstreamErrorDetail | null;
  message: string;
  target: SnapshotTarget;
};

/**
 * What the requests of one replica share, and nothing else does: one per
 * replica, made by its bootstrap (lib/gateway/runtime.ts) and handed to its
 * live handler and to the retry queue's replay alike.
 */
export type GatewayState = {
  /**
   * Targets asked to wait by Retry-After: until when (epoch ms), and the
   * failure that asked. No request calls such a target before then: it is
   * skipped while another target can serve, and otherwise waited for (within
   * the entry's backoff budget) or answered with that failure without a call.
   */
  coolingDown: Map<string, { until: number; failure: Failure }>;
  /**
   * SHA-256 of the bearer token in recently seen Authorization headers (by the
   * header's value): a client sends the same header with every request, and
   * parsing and hashing it each time was a measurable share of the gateway's
   * CPU. Bounded, and it holds only what the snapshot already lets through or
   * refuses.
   */
  tokenHashes: Map<string, string>;
  /** Which requests of a service in a tier are overflow (lib/degradation/overflow.ts). */
  overflow: OverflowGate;
  /** The Minimal tier's response cache. */
  cache: ResponseCache;
  /** Recent successful attempts per target, for limits that follow them (lib/routing/adaptive-limits.ts). */
  latency: LatencyHistory;
};

export function createGatewayState(cache: ResponseCache = new ResponseCache()): GatewayState {
  return { coolingDown: new Map(), tokenHashes: new Map(), overflow: new OverflowGate(), cache, latency: new LatencyHistory() };
}

/** One replica's gateway, as every step receives it. */
export type Gateway = {
  deps: GatewayDeps;
  state: GatewayState;
  maxBodyBytes: number;
  random: () => number;
};

/** One request on its way through the steps. */
export type Exchange = {
  res: ServerResponse;
  requestId: string;
  created: number;
  service: SnapshotService;
  /** The tier the request is served in (x-standby-tier on every answer). */
  tier: Tier;
  request: ChatRequest;
  stream: boolean;
  includeUsage: boolean;
  /**
   * Set when the client goes away before its answer is complete, and the attempt then in progress aborted. A flag,
   * not an AbortController: a signal costs tens of µs a request.
   */
  abort: { aborted: boolean; attempt: { abort(): void } | null };
  attempts: number;
  /** Text the client has already received, for continuation on another target. */
  sentText: string;
  /** Completion tokens of the part of the answer earlier targets sent (a continued stream), and whether any of it was estimated. */
  earlier: { completionTokens: number; estimated: boolean };
  /** Usage of the whole answer the client received, once complete (set for streams; a completion's own usage otherwise). */
  answerUsage: Usage | null;
  headersSent: boolean;
  hasToolCalls: boolean;
  /** For the response cache (when the service's policy keeps answers) and the conversation store: the streamed chunks as they go out. */
  assembler: AnswerAssembler | null;
  /** For the response cache and the conversation store: the chat completion sent, when the answer was not streamed. */
  completion: unknown;
  /** Set on a drill's synthetic request: the run whose drill-only faults may catch it (inject-fault.ts). */
  drillRunId: string | null;
};

/** How a request ended, for its RequestOutcome: the status the SLO sees, and who answered. */
export type RouteOutcome = { status: number; errorClass: string | null; target: SnapshotTarget | null; ttftMs: number | null; usage: Usage | null };
export type Served = RouteOutcome & { servedBy: ServedBy };

/** A client that went away before its answer: 499, as nginx counts it. */
export const CLIENT_CLOSED: RouteOutcome = Object.freeze({ status: 499, errorClass: 'client_closed', target: null, ttftMs: null, usage: null });

/**
 * Request ids: a random prefix per process and a counter, unique across replicas without a
 * random draw per request (randomBytes costs more than the rest of the id by far).
 */
const REQUEST_ID_PREFIX = `chatcmpl-${randomBytes(9).toString('base64url')}`;
let requestCount = 0;
export const newRequestId = () => `${REQUEST_ID_PREFIX}${(requestCount++).toString(36)}`;

const NO_HEADERS: Record<string, string> = Object.freeze({});

/**
 * `body` as JSON with `headers` (which must not name content-type or content-length). The headers go to writeHead as
 * one flat list of names and values, which Node writes as it is: merging them into an object by spreading a shared
 * constant first (`{ ...JSON_HEADERS, ... }`) took V8 11 about 5 µs a request, the largest single cost of an answer.
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = NO_HEADERS) {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  // A length rather than chunked framing (writeHead before end would otherwise choose it).
  const list = ['content-type', 'application/json', 'content-length', String(Buffer.byteLength(text))];
  for (const name in headers) list.push(name, headers[name]);
  res.writeHead(status, list);
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, message: string, type: OpenAiErrorType, code: string | null = null, param: string | null = null, headers: Record<string, string> = {}) {
  const error = openAiError(status, message, type, code, param);
  sendJson(res, error.status, error.body, headers);
}

/** The headers of every answer to an exchange; `target` names the one that answered or failed last, when there is one. */
export function standbyHeaders(x: Exchange, target: SnapshotTarget | null = null): Record<string, string> {
  const headers: Record<string, string> = { 'x-request-id': x.requestId, 'x-standby-tier': x.tier, 'x-standby-service': x.service.name };
  if (target) headers['x-standby-target'] = target.name;
  headers['x-standby-attempts'] = String(x.attempts);
  return headers;
}

export const upstreamTargetOf = (t: SnapshotTarget): UpstreamTarget => ({ apiStyle: t.apiStyle, endpointUrl: t.endpointUrl, model: t.model, apiKey: t.apiKey, providerKind: t.providerKind });
