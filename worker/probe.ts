// One health probe of one target: a real, minimal chat completion (one user
// message, a few tokens at most, not streamed) in the target's own API, and what its
// answer or failure says about the target as an error class. No I/O of its
// own: the HTTP call is passed in (probe.test.ts drives it with fakes; the
// monitor passes undici's request()).
import { buildUpstreamRequest, parseUpstreamResponse, UpstreamResponseError, type UpstreamRequest } from '@/lib/gateway/adapters';
import { classifyHttpError } from '@/lib/gateway/classify-error';
import type { ErrorClass } from '@/lib/routing/error-classes';
import type { ChatRequest } from '@/lib/gateway/openai-schema';
import type { RoutingSnapshot, SnapshotTarget } from '@/lib/routing/model';

export const PROBE_CONNECT_TIMEOUT_MS = 3_000;
export const PROBE_MAX_TIMEOUT_MS = 10_000;
/** A one-token answer is a few hundred bytes; anything far larger is not one. */
export const PROBE_MAX_BODY_BYTES = 256 * 1024;
/** Guards against a zero or tiny interval in the database turning the monitor into a load test. */
export const MIN_PROBE_INTERVAL_MS = 100;

export type ProbeResponse = { statusCode: number; body: string };

/**
 * Sends one probe request and reads the whole body. Rejects with the transport
 * error (classified by classifyProbeError) or a ProbeFailure; must stop when
 * `signal` aborts.
 */
export type ProbeFetch = (request: UpstreamRequest, signal: AbortSignal) => Promise<ProbeResponse>;

export class ProbeFailure extends Error {
  constructor(
    readonly errorClass: ErrorClass,
    message: string,
  ) {
    super(message);
    this.name = 'ProbeFailure';
  }
}

export type ProbeOutcome = {
  ok: boolean;
  errorClass: ErrorClass | null;
  statusCode: number | null;
  latencyMs: number;
  promptTokens: number | null;
  completionTokens: number | null;
  /** Why it failed, for the log line; never holds the credential. */
  detail: string | null;
};

/** Targets the monitor probes, with their intervals: enabled ones in any service's chain, or every enabled one when no chain exists yet. */
export function probedTargets(snapshot: Pick<RoutingSnapshot, 'services' | 'targets'>): Map<string, number> {
  const chained = new Set<string>();
  for (const service of snapshot.services.values()) for (const entry of service.chain) chained.add(entry.targetId);
  const probed = new Map<string, number>();
  for (const target of snapshot.targets.values()) {
    if (!target.enabled || (chained.size > 0 && !chained.has(target.id))) continue;
    probed.set(target.id, Math.max(MIN_PROBE_INTERVAL_MS, target.probeIntervalMs));
  }
  return probed;
}

/** A probe never waits longer than its interval, so one slow answer cannot delay the next probe. */
export function probeTimeoutMs(intervalMs: number): number {
  return Math.min(PROBE_MAX_TIMEOUT_MS, intervalMs);
}

/**
 * OpenAI's reasoning models (o-series, gpt-5) refuse `max_tokens` with a 400 and count their
 * reasoning against `max_completion_tokens`, so OpenAI and Azure OpenAI are probed with a small
 * completion budget; other OpenAI-compatible servers (vLLM, TGI, Ollama, Gemini) and Anthropic
 * get `max_tokens: 1`, which every one of them accepts.
 */
export const PROBE_COMPLETION_TOKENS = 16;

export function buildProbeRequest(target: SnapshotTarget): UpstreamRequest {
  const messages: ChatRequest['messages'] = [{ role: 'user', content: 'ping' }];
  const openAi = target.providerKind === 'openai' || target.providerKind === 'azure_openai';
  const request: ChatRequest = openAi
    ? { model: target.model, messages, max_completion_tokens: PROBE_COMPLETION_TOKENS }
    : { model: target.model, messages, max_tokens: 1 };
  return buildUpstreamRequest(target, request, { stream: false });
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** What an HTTP answer says about the target: an error status by classifyHttpError, a 2xx only if it is a usable chat completion. */
export function classifyProbeResponse(
  target: Pick<SnapshotTarget, 'apiStyle' | 'endpointUrl' | 'model' | 'apiKey' | 'providerKind'>,
  response: ProbeResponse,
): Pick<ProbeOutcome, 'ok' | 'errorClass' | 'promptTokens' | 'completionTokens' | 'detail'> {
  const body = parseBody(response.body);
  const failed = (errorClass: ErrorClass, detail: string) => ({ ok: false, errorClass, promptTokens: null, completionTokens: null, detail });
  if (response.statusCode >= 400) return failed(classifyHttpError(response.statusCode, body, target.apiStyle), `HTTP ${response.statusCode}`);
  try {
    const completion = parseUpstreamResponse(target, response.statusCode, body);
    return { ok: true, errorClass: null, promptTokens: completion.usage?.prompt_tokens ?? null, completionTokens: completion.usage?.completion_tokens ?? null, detail: null };
  } catch (error) {
    if (error instanceof UpstreamResponseError && error.kind === 'error_response') {
      // An error body inside a 2xx (or a 1xx/3xx): only the body can say what it was.
      return failed(classifyHttpError(response.statusCode, body, target.apiStyle), `HTTP ${response.statusCode} with an error body`);
    }
    return failed('malformed_response', `HTTP ${response.statusCode} that is not a chat completion`);
  }
}

const CONNECT_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const MALFORMED_CODES = new Set(['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'UND_ERR_HEADERS_OVERFLOW', 'UND_ERR_RES_EXCEEDED_MAX_SIZE']);

function errorCode(error: unknown): string {
  const own = (error as { code?: unknown } | null)?.code;
  if (typeof own === 'string') return own;
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof cause === 'string' ? cause : '';
}

/** A failure before a complete answer: could not connect, no answer in time, connection cut, or an unreadable answer. */
export function classifyProbeError(error: unknown): ErrorClass {
  if (error instanceof ProbeFailure) return error.errorClass;
  const code = errorCode(error);
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || TIMEOUT_CODES.has(code)) return 'header_timeout';
  if (CONNECT_CODES.has(code)) return 'connect_failed';
  if (RESET_CODES.has(code)) return 'connection_reset';
  if (MALFORMED_CODES.has(code) || code.startsWith('HPE_') || name === 'HTTPParserError') return 'malformed_response';
  return 'connect_failed';
}

function errorDetail(error: unknown): string {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

/**
 * Probes one target. Never rejects: every failure becomes an outcome. Returns
 * null when `stop` aborted it (leadership ended): such a probe says nothing
 * about the target and must not be recorded.
 */
export async function probeTarget(target: SnapshotTarget, fetch: ProbeFetch, stop: AbortSignal, timeoutMs: number, clock: () => number = () => performance.now()): Promise<ProbeOutcome | null> {
  const started = clock();
  const elapsed = () => Math.max(0, Math.round(clock() - started));
  let request: UpstreamRequest;
  try {
    request = buildProbeRequest(target);
  } catch (error) {
    // An endpoint URL that cannot be parsed, say: the target cannot be reached as configured.
    return { ok: false, errorClass: 'connect_failed', statusCode: null, latencyMs: 0, promptTokens: null, completionTokens: null, detail: errorDetail(error) };
  }
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(request, AbortSignal.any([stop, timeout]));
    return { ...classifyProbeResponse(target, response), statusCode: response.statusCode, latencyMs: elapsed() };
  } catch (error) {
    if (stop.aborted) return null;
    const errorClass = timeout.aborted ? 'header_timeout' : classifyProbeError(error);
    const detail = timeout.aborted ? `no complete answer within ${timeoutMs} ms` : errorDetail(error);
    return { ok: false, errorClass, statusCode: null, latencyMs: elapsed(), promptTokens: null, completionTokens: null, detail };
  }
}
