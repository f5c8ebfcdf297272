// The gateway's HTTP client: undici's request() over keep-alive pools
// (docs/decisions/002: global fetch is three to five times slower here).
// Failures before a response are mapped to error classes. Every connection
// goes through the endpoint policy's connector (lib/server/guarded-connect.ts).
import { Readable } from 'node:stream';
import { Agent, errors, type Dispatcher } from 'undici';
import { guardedConnector, policyBoundAgents } from '@/lib/server/guarded-connect';
import type { ErrorClass } from '@/lib/routing/error-classes';
import type { UpstreamRequest } from './adapters';

/** One pool set per connect timeout: undici sets that timeout per agent, and chains use few distinct values. */
const agents = policyBoundAgents(
  (connectMs: number) => new Agent({ connect: guardedConnector(connectMs), keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000, connections: 512 }),
);
const agentFor = (connectMs: number) => agents.get(connectMs);

export type UpstreamHeaders = Record<string, string | string[] | undefined>;
/** `headers` are those of an answer with a status of 300 or more; a successful answer's are left unread (empty). */
export type UpstreamResponse = { status: number; headers: UpstreamHeaders; body: UpstreamBody };

/**
 * What the gateway reads an upstream body through: the part of a Readable's interface it uses (readBody,
 * relayStream), which an UpstreamBody and a Readable (a drill's faulted stream) both have.
 */
export interface BodySource {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'end' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  once(event: 'close', listener: () => void): unknown;
  destroy(error?: Error): unknown;
  readonly destroyed: boolean;
  readonly readableEnded: boolean;
  readonly errored: unknown;
}

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

/**
 * Sends one request upstream; resolves with the status, headers and body once the headers are in. Through
 * undici's dispatch() rather than request(): request() wraps every body in a Readable stream, whose set-up,
 * events and teardown cost more than the gateway reads from it (decision 018). `signal` cancels the request at
 * any point, before the headers (rejected as a total timeout) or while the body is read (the body errors).
 */
export function sendUpstream(upstream: UpstreamRequest, timeouts: { connectMs: number; headerMs: number }, signal: AttemptAbort): Promise<UpstreamResponse> {
  if (signal.aborted) return Promise.reject(classifyTransportError(signal.reason, signal));
  return new Promise((resolve, reject) => {
    const { origin, path } = splitUrl(upstream.url);
    const call = new UpstreamCall(signal, resolve, (error) => reject(classifyTransportError(error, signal)));
    try {
      agentFor(timeouts.connectMs).dispatch(
        // The gateway watches the body itself (first token, stream idle).
        { origin, path, method: upstream.method as Dispatcher.HttpMethod, headers: upstream.headers, body: upstream.body, headersTimeout: timeouts.headerMs, bodyTimeout: 0 },
        call,
      );
    } catch (error) {
      call.onError(error as Error);
    }
  });
}

/** One request's handler (undici's dispatch handler): hands over the response at its headers, then feeds its body. */
class UpstreamCall implements Dispatcher.DispatchHandler {
  private cancel: ((reason: Error) => void) | null = null;
  private body: UpstreamBody | null = null;
  private settled = false;
  /** Cancels the request; one still queued for a connection is answered at once, and aborted when it gets one (onConnect). */
  private readonly onAbort = () => {
    if (this.cancel) this.cancel(this.signal.reason as Error);
    else this.onError(this.signal.reason as Error);
  };

  constructor(
    private readonly signal: AttemptAbort,
    private readonly resolve: (response: UpstreamResponse) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    signal.once('abort', this.onAbort);
  }

  onConnect(abort: (reason?: Error) => void): void {
    if (this.signal.aborted) abort(this.signal.reason as Error);
    else this.cancel = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    // 1xx: informational, the response is still to come.
    if (statusCode < 200) return true;
    this.body = new UpstreamBody((reason) => this.cancel?.(reason));
    // Only a failed answer's headers are read (its Retry-After), so a successful one's are not made into strings.
    // Parsed at once, not when first read: undici's raw header buffers are views of the socket's read buffer, and
    // keeping them for the length of a stream cost four times the scavenge time and 2 ms of streamed p99 (decision 018).
    this.resolve({ status: statusCode, headers: statusCode < 300 ? NO_HEADERS : parseRawHeaders(rawHeaders), body: this.body });
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.body?.push(chunk);
    return true;
  }

  onComplete(): void {
    this.finish();
    this.body?.end();
  }

  onError(error: Error): void {
    if (this.settled) return;
    this.finish();
    if (this.body) this.body.fail(error);
    else this.reject(error);
  }

  private finish(): void {
    this.settled = true;
    this.cancel = null;
    this.signal.removeListener('abort', this.onAbort);
  }
}

const NO_HEADERS: UpstreamHeaders = Object.freeze({});

/** Response headers as undici's request() gives them: lower-case names, a repeated header's values in an array. */
function parseRawHeaders(raw: Buffer[]): UpstreamHeaders {
  const headers: UpstreamHeaders = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toString('latin1').toLowerCase();
    const value = raw[i + 1].toString('latin1');
    const seen = headers[name];
    headers[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return headers;
}

type BodyEvents = { data: ((chunk: Buffer) => void)[]; end: (() => void)[]; error: ((error: Error) => void)[]; close: (() => void)[] };

/**
 * An upstream response's body: the few events of a flowing Readable ('data', 'end', 'error', then 'close'),
 * with nothing of a stream's buffering or back-pressure (the gateway relays every piece as it comes).
 * Pieces that arrive before a 'data' listener are kept and delivered once one is added, as a Readable
 * starts flowing. destroy() cancels the request; its 'error' and 'close' follow on the next tick, as a
 * Readable's do. An 'error' without a listener is not thrown.
 */
export class UpstreamBody implements BodySource {
  destroyed = false;
  readableEnded = false;
  errored: Error | null = null;
  private readonly listeners: BodyEvents = { data: [], end: [], error: [], close: [] };
  /** What came before anyone listened: pieces, then the end or a failure. */
  private waiting: { chunks: Buffer[]; ended: boolean; error: Error | null } | null = { chunks: [], ended: false, error: null };
  private closing = false;

  constructor(private readonly cancel: (reason: Error) => void) {}

  on(event: 'data', listener: (chunk: Buffer) => void): this;
  on(event: 'end' | 'close', listener: () => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: keyof BodyEvents, listener: never): this {
    (this.listeners[event] as unknown[]).push(listener);
    if (event === 'data' && this.waiting && this.listeners.data.length === 1) queueMicrotask(() => this.flow());
    return this;
  }

  once(event: 'close', listener: () => void): this {
    return this.on(event, listener);
  }

  /** Fed by UpstreamCall. */
  push(chunk: Buffer): void {
    if (this.closing) return;
    if (this.waiting) this.waiting.chunks.push(chunk);
    else for (const listener of this.listeners.data) listener(chunk);
  }

  end(): void {
    if (this.closing) return;
    if (this.waiting) {
      this.waiting.ended = true;
      return;
    }
    this.readableEnded = true;
    for (const listener of this.listeners.end) listener();
    this.close(null);
  }

  fail(error: Error): void {
    if (this.closing) return;
    if (this.waiting) this.waiting.error = error;
    else this.close(error);
  }

  destroy(error?: Error): this {
    if (this.closing) return this;
    // Closing first: the cancelled request's own error (UpstreamCall.onError) is then ignored.
    this.closing = true;
    this.waiting = null;
    this.cancel(error ?? (new DOMException('The upstream body was destroyed', 'AbortError') as Error));
    process.nextTick(() => this.close(error ?? null));
    return this;
  }

  private flow(): void {
    const waiting = this.waiting;
    if (!waiting) return;
    this.waiting = null;
    for (const chunk of waiting.chunks) this.push(chunk);
    if (waiting.error) this.close(waiting.error);
    else if (waiting.ended) this.end();
  }

  private close(error: Error | null): void {
    if (this.destroyed) return;
    this.closing = true;
    this.destroyed = true;
    if (error) {
      this.errored = error;
      for (const listener of this.listeners.error) listener(error);
    }
    for (const listener of this.listeners.close) listener();
  }
}

/** A Readable over an upstream body, for what needs a Node stream (a drill's faulted stream is piped). */
export function readableOf(body: UpstreamBody): Readable {
  let ended = false;
  const readable = new Readable({
    read() {},
    destroy(error, done) {
      body.destroy(error ?? undefined);
      done(error);
    },
  });
  body.on('data', (chunk) => readable.push(chunk));
  body.on('end', () => {
    ended = true;
    readable.push(null);
  });
  body.on('error', (error) => readable.destroy(error));
  body.on('close', () => {
    if (!ended) readable.destroy();
  });
  return readable;
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
export function readBody(body: BodySource, maxBytes: number, idleMs: number): Promise<string> {
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
    private readonly body: BodySource,
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
