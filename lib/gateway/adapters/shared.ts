// Helpers both adapters use, pure (covered through the adapters' tests).
import { readUpstreamErrorBody } from '../openai-schema';
import { UpstreamResponseError, type UpstreamErrorDetail } from './types';

/**
 * The provider's own account of a failure. OpenAI-compatible servers send
 * `{ error: { message, type, code } }` and Anthropic `{ type: 'error', error:
 * { type, message } }`; one lenient schema reads both.
 */
export function readUpstreamError(body: unknown): UpstreamErrorDetail | null {
  const parsed = readUpstreamErrorBody(body);
  if (!parsed) return null;
  const { message, type, code } = parsed.error;
  return { message, type: type ?? null, code: code == null ? null : String(code) };
}

/** Refuses an error status or an error body before the caller reads a completion from it. */
export function assertSuccessfulResponse(status: number, body: unknown): void {
  const detail = readUpstreamError(body);
  if (status >= 200 && status < 300 && !detail) return;
  const reason = detail?.message ?? 'no error message';
  throw new UpstreamResponseError(`The upstream answered HTTP ${status}: ${reason}`, status, 'error_response', detail);
}

/** The endpoint URL with its path changed and its query string kept (Azure puts `api-version` there). */
export function withPath(endpointUrl: string, changePath: (path: string) => string): URL {
  const url = new URL(endpointUrl);
  url.pathname = changePath(url.pathname.replace(/\/+$/, ''));
  return url;
}

/** Unix seconds, as OpenAI's `created`; only used when the caller did not say. */
export const unixNow = () => Math.floor(Date.now() / 1000);
