// The gateway's HTTP client: undici's request() over keep-alive pools
// (docs/decisions/002: global fetch is three to five times slower here).
// Failures before a response are mapped to error classes. Every connection
// goes through the endpoint policy's connector (lib/server/guarded-connect.ts).
import { Agent, errors, type Dispatcher } from 'undici';
import { guardedConnector, policyBoundAgents } from '@/lib/server/guarded-connect';
import type { ErrorClass } from '@/lib/routing/error-classes';
import type { UpstreamRequest } from './adapters';

/** One pool set per connect timeout: undici sets that timeout per agent, and chains use few distinct values. */
const agents = policyBoundAgents(
  (connectMs: number) => new Agent({ connect: guardedConnector(connectMs), keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000, connections: 512 }),
);
const agentFor = (connectMs: number) => agents.get(connectMs);

export type UpstreamResponse = { status: number; headers: Record<string, string | string[] | undefined>; body: Dispatcher.ResponseData['body'] };

export class UpstreamFailure extends Error {
  constructor(readonly errorClass: ErrorClass, message: string) {
    super(message);
  }
}

/**
 * Cancels one attempt. undici takes anything with `on`/`once`/`removeListener` as well as an AbortSignal,
 * and this is far cheaper on the hot path: in Node 20 the first listener on a fresh AbortSignal costs
 * some 10 µs, and an EventEmitter's set-up and listener bookkeeping were still a visible share of an
 * attempt (decision 018). It fires once, so `once` and `on` are the same.
 */
export class AttemptAbort {
  aborted = false;
  reason: unknown = undefined;
  private listeners: (() => void)[] | null = null;

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = new DOMException('This operation was aborted', 'AbortError');
    const listeners = this.listeners;
    this.listeners = null;
    if (listeners) for (const listener of listeners) listener();
  }

  on(_event: 'abort', listener: () => void): this {
    (this.listeners ??= []).push(listener);
    return this;
  }

  once(event: 'abort', listener: () => void): this {
    return this.on(event, listener);
  }

  removeListener(_event: 'abort', listener: () => void): this {
    const at = this.listeners ? this.listeners.indexOf(listener) : -1;
    if (at !== -1) this.listeners!.splice(at, 1);
    return this;
  }

  off(event: 'abort', listener: () => void): this {
    return this.removeListener(event, listener);
  }
}

/** Origin and path of each upstream URL, parsed once: undici's request(url) would parse the URL on every call. */
const splitUrls = new Map<string, { origin: string; path: string }>();

function splitUrl(url: string): { origin: string; path: string } {
  let split = splitUrls.get(url);
  if (!split) {
    const parsed = new URL(url);
    split = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
    // Bounded by the endpoints configured; cleared should a long-lived replica see very many.
    if (splitUrls.size >= 1_000) splitUrls.clear();
    splitUrls.set(url, split);
  }
  return split;
}

export async function sendUpstream(
  upstream: UpstreamRequest, timeouts: { connectMs: number; headerMs: number }, signal: AbortSignal | AttemptAbort,
): Promise<UpstreamResponse> {
  try {
    const { origin, path } = splitUrl(upstream.url);
    const response = await agentFor(timeouts.connectMs).request({
      origin,
      path,
      method: upstream.method,
      headers: upstream.headers,
      body: upstream.body,
      headersTimeout: timeouts.headerMs,
      // The gateway watches the body itself (first token, stream idle).
      bodyTimeout: 0,
      signal,
    });
    return { status: response.statusCode, headers: response.headers, body: response.body };
  } catch (error) {
    throw classifyTransportError(error, signal);
  }
}

export function classifyTransportError(error: unknown, signal?: { readonly aborted: boolean }): UpstreamFailure {
  if (signal?.aborted) return new UpstreamFailure('total_timeout', 'the request ran out of time');
  if (error instanceof errors.HeadersTimeoutError) return new UpstreamFailure('header_timeout', 'no response headers in time');
  if (error instanceof errors.ConnectTimeoutError) return new UpstreamFailure('connect_failed', 'connection timed out');
  const code = (error as { code?: string }).code ?? '';
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code)) return new UpstreamFailure('connect_failed', `cannot connect (${code})`);
  if (error instanceof errors.SocketError || ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'].includes(code)) return new UpstreamFailure('connection_reset', 'connection reset before a response');
  return new UpstreamFailure('connect_failed', error instanceof Error ? error.message : String(error));
}

/**
 * Reads a whole body (non-streaming answers and error bodies), at most `maxBytes`, within `idleMs` between chunks.
 * Listeners rather than `for await`: the async iterator costs more than the read itself for a body of one chunk.
 */
export function readBody(body: UpstreamResponse['body'], maxBytes: number, idleMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new BodyReader(body, maxBytes, idleMs, resolve, reject);
    if (body.destroyed) return reader.fail(body.errored);
    body.on('data', (chunk: Buffer) => reader.push(chunk));
    body.on('end', () => reader.done());
    body.on('error', (error: unknown) => reader.fail(error));
    // Destroyed without an error (an aborted attempt): closed before its end.
    body.on('close', () => reader.fail(null));
  });
}

/** readBody's state; once settled it ignores whatever the body still emits. */
class BodyReader {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private settled = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly body: UpstreamResponse['body'],
    private readonly maxBytes: number,
    idleMs: number,
    private readonly resolve: (text: string) => void,
    private readonly reject: (error: UpstreamFailure) => void,
  ) {
    this.timer = setTimeout(() => body.destroy(new UpstreamFailure('stream_stall', 'the response body stalled')), idleMs);
  }

  push(chunk: Buffer): void {
    if (this.settled) return;
    this.timer.refresh();
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      this.settle();
      this.body.destroy();
      this.reject(new UpstreamFailure('malformed_response', `the response exceeded ${this.maxBytes} bytes`));
      return;
    }
    this.chunks.push(chunk);
  }

  done(): void {
    if (this.settle()) this.resolve(this.chunks.length === 1 ? this.chunks[0].toString('utf8') : Buffer.concat(this.chunks, this.size).toString('utf8'));
  }

  fail(error: unknown): void {
    if (this.settle()) this.reject(error instanceof UpstreamFailure ? error : new UpstreamFailure('stream_cut', 'the connection closed before the response was complete'));
  }

  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    clearTimeout(this.timer);
    return true;
  }
}
