// The gateway's HTTP client: undici's request() over keep-alive pools
// (docs/decisions/002: global fetch is three to five times slower here).
// Failures before a response are mapped to error classes.
import { Agent, errors, request } from 'undici';
import type { Dispatcher } from 'undici';
import type { ErrorClass } from './error-classes';
import type { UpstreamRequest } from './adapters';

const agents = new Map<number, Agent>();

/** One pool set per connect timeout: undici sets that timeout per agent, and chains use few distinct values. */
function agentFor(connectMs: number): Agent {
  let agent = agents.get(connectMs);
  if (!agent) {
    agent = new Agent({ connect: { timeout: connectMs }, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000, connections: 512 });
    agents.set(connectMs, agent);
  }
  return agent;
}

export type UpstreamResponse = { status: number; headers: Record<string, string | string[] | undefined>; body: Dispatcher.ResponseData['body'] };

export class UpstreamFailure extends Error {
  constructor(readonly errorClass: ErrorClass, message: string) {
    super(message);
  }
}

export async function sendUpstream(upstream: UpstreamRequest, timeouts: { connectMs: number; headerMs: number }, signal: AbortSignal): Promise<UpstreamResponse> {
  try {
    const response = await request(upstream.url, {
      method: upstream.method,
      headers: upstream.headers,
      body: upstream.body,
      dispatcher: agentFor(timeouts.connectMs),
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

export function classifyTransportError(error: unknown, signal?: AbortSignal): UpstreamFailure {
  if (signal?.aborted) return new UpstreamFailure('total_timeout', 'the request ran out of time');
  if (error instanceof errors.HeadersTimeoutError) return new UpstreamFailure('header_timeout', 'no response headers in time');
  if (error instanceof errors.ConnectTimeoutError) return new UpstreamFailure('connect_failed', 'connection timed out');
  const code = (error as { code?: string }).code ?? '';
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code)) return new UpstreamFailure('connect_failed', `cannot connect (${code})`);
  if (error instanceof errors.SocketError || ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'].includes(code)) return new UpstreamFailure('connection_reset', 'connection reset before a response');
  return new UpstreamFailure('connect_failed', error instanceof Error ? error.message : String(error));
}

/** Reads a whole body (non-streaming answers and error bodies), at most `maxBytes`, within `idleMs` between chunks. */
export async function readBody(body: UpstreamResponse['body'], maxBytes: number, idleMs: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | null = null;
  const arm = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => body.destroy(new UpstreamFailure('stream_stall', 'the response body stalled')), idleMs);
  };
  try {
    arm();
    for await (const chunk of body) {
      arm();
      size += chunk.length;
      if (size > maxBytes) {
        body.destroy();
        throw new UpstreamFailure('malformed_response', `the response exceeded ${maxBytes} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    if (error instanceof UpstreamFailure) throw error;
    throw new UpstreamFailure('stream_cut', 'the connection closed before the response was complete');
  } finally {
    if (timer) clearTimeout(timer);
  }
}
