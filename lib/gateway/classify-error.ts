// Reads what an upstream sent back (status, error body, Retry-After) into the
// error classes of lib/routing/error-classes.ts. Pure (classify-error.test.ts):
// no I/O, time is passed in.
import type { ApiStyle } from '@/lib/routing/enums';
import type { ErrorClass } from '@/lib/routing/error-classes';

// --- Reading provider error bodies -------------------------------------------
// The reader accepts every shape it knows whatever the target's API style,
// because OpenAI-compatible proxies (LiteLLM, OpenRouter, Bedrock gateways)
// relay the other family's errors unchanged:
//   OpenAI / Azure  { error: { message, type, param, code, innererror?: { code } } }
//   Anthropic       { type: 'error', error: { type, message } }
//   Google          { error: { code: 400, message, status: 'INVALID_ARGUMENT' } }
//   vLLM (old)      { object: 'error', message, type, code: 400 }
//   TGI / Ollama    { error: 'text', error_type?: 'validation' }

type UpstreamError = { found: boolean; tags: Set<string>; message: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readUpstreamError(body: unknown): UpstreamError {
  const tags = new Set<string>();
  let value = body;
  if (typeof value === 'string') {
    const text = value.trim();
    // Raw text (an HTML error page, a proxy's one-liner) carries a message
    // but is not an error object; inside a 200 it means a malformed response.
    if (!text.startsWith('{') && !text.startsWith('[')) return { found: false, tags, message: text };
    try {
      value = JSON.parse(text);
    } catch {
      return { found: false, tags, message: text };
    }
  }
  if (Array.isArray(value)) value = value[0];
  if (!isRecord(value)) return { found: false, tags, message: '' };

  const addTag = (tag: unknown) => {
    if (typeof tag === 'string' && tag.trim()) tags.add(tag.trim().toLowerCase());
  };
  let error: Record<string, unknown>;
  let found: boolean;
  if (isRecord(value.error)) {
    error = value.error;
    found = true;
  } else if (typeof value.error === 'string') {
    error = { message: value.error };
    found = true;
  } else {
    error = value;
    found = value.object === 'error' || value.type === 'error';
  }
  addTag(error.code);
  addTag(error.type);
  addTag(error.status);
  if (isRecord(error.innererror)) addTag(error.innererror.code);
  addTag(value.error_type);
  const message = typeof error.message === 'string' ? error.message : '';
  return { found, tags, message };
}

const CONTEXT_LENGTH_TAGS = ['context_length_exceeded'];
const CONTEXT_LENGTH_MESSAGES = [
  /maximum context length/i, // OpenAI, Azure, vLLM, Mistral
  /context[_ ]length[_ ]exceeded/i,
  /prompt is too long/i, // Anthropic: "prompt is too long: 208310 tokens > 200000 maximum"
  /exceeds? (the )?context (limit|window|length)/i, // Anthropic: "input length and `max_tokens` exceed context limit"
  /input token count.*exceeds the maximum/i, // Gemini
  /tokens.{0,40}must be <= ?\d+/i, // TGI: "`inputs` tokens + `max_new_tokens` must be <= 4096"
  /supports at most \d+ completion tokens/i, // OpenAI: max_tokens larger than the model allows
];

const CONTENT_POLICY_TAGS = ['content_policy_violation', 'content_filter', 'responsibleaipolicyviolation'];
const CONTENT_POLICY_MESSAGES = [
  /content (management |filtering )?policy/i, // Azure "content management policy", Anthropic "Output blocked by content filtering policy"
  /usage polic(y|ies)/i, // OpenAI "flagged as potentially violating our usage policy"
  /safety system/i, // OpenAI "rejected as a result of our safety system"
  /(input|prompt|content|request) (was|has been) flagged/i, // OpenRouter moderation (403)
];

function mentions(error: UpstreamError, tags: string[], messages: RegExp[]): boolean {
  return tags.some((tag) => error.tags.has(tag)) || messages.some((pattern) => pattern.test(error.message));
}

/** The request itself can never succeed on this model, whatever the status code says. */
function classifyRequestProblem(error: UpstreamError): 'context_length' | 'content_policy' | null {
  if (mentions(error, CONTEXT_LENGTH_TAGS, CONTEXT_LENGTH_MESSAGES)) return 'context_length';
  if (mentions(error, CONTENT_POLICY_TAGS, CONTENT_POLICY_MESSAGES)) return 'content_policy';
  return null;
}

function isOverloaded(error: UpstreamError): boolean {
  return error.tags.has('overloaded_error') || /overloaded/i.test(error.message);
}

// OpenAI reports an exhausted balance as 429 "insufficient_quota": waiting does
// not help, so it is an account problem, like a revoked key.
function isBillingProblem(error: UpstreamError): boolean {
  return ['insufficient_quota', 'billing_hard_limit_reached', 'billing_not_active'].some((tag) => error.tags.has(tag));
}

// An error reported inside a successful response (an SSE `error` event, or a
// 200 whose body is an error object): only the body can say what it was.
function classifyByBody(error: UpstreamError): ErrorClass {
  if (!error.found) return 'malformed_response';
  const problem = classifyRequestProblem(error);
  if (problem) return problem;
  if (isBillingProblem(error)) return 'auth_failed';
  if (isOverloaded(error)) return 'overloaded';
  const has = (...tags: string[]) => tags.some((tag) => error.tags.has(tag));
  if (has('rate_limit_error', 'rate_limit_exceeded', 'resource_exhausted', '429')) return 'rate_limited';
  if (has('authentication_error', 'permission_error', 'invalid_api_key', 'unauthenticated', 'permission_denied')) return 'auth_failed';
  if (has('not_found_error', 'model_not_found', 'not_found')) return 'not_found';
  if (has('invalid_request_error', 'request_too_large', 'invalid_argument', 'badrequesterror')) return 'bad_request';
  return 'server_error';
}

/**
 * Classifies an upstream HTTP error from its status and body (parsed JSON or
 * raw text). A status below 400 means the error arrived inside a successful
 * response (for example an SSE `error` event) and is classified from the body.
 */
export function classifyHttpError(status: number, body: unknown, apiStyle: ApiStyle): ErrorClass {
  const error = readUpstreamError(body);
  if (status < 400) return classifyByBody(error);
  if (status >= 500) {
    // 529 is Anthropic's documented "overloaded" status; elsewhere it means
    // overload only when the body says so.
    if (status === 529 && apiStyle === 'anthropic_messages') return 'overloaded';
    return isOverloaded(error) ? 'overloaded' : 'server_error';
  }
  if (status === 401) return 'auth_failed';
  if (status === 429) return isBillingProblem(error) ? 'auth_failed' : 'rate_limited';
  // Checked before 403 and 404: some proxies (OpenRouter) refuse flagged input with 403.
  const problem = classifyRequestProblem(error);
  if (problem) return problem;
  if (status === 402 || status === 403) return 'auth_failed';
  if (status === 404) return 'not_found';
  if (status === 408) return 'server_error';
  return 'bad_request';
}

// --- Retry-After ------------------------------------------------------------

/** Longer waits are capped: past this the gateway would rather probe again than trust the upstream's clock. */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string' && first.trim()) return first.trim();
  }
  return undefined;
}

const NUMBER = /^\d+(\.\d+)?$/;

function parseSeconds(value: string): number | null {
  return NUMBER.test(value) ? Number(value) * 1000 : null;
}

function parseHttpDate(value: string, now: number): number | null {
  // Only dates that name a month or a weekday, so that stray numbers and
  // durations like "6m0s" are never read as a calendar date.
  if (!/[a-z]{3}/i.test(value) && !/^\d{4}-\d{2}-\d{2}T/.test(value)) return null;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : at - now;
}

/** OpenAI's reset durations: "1s", "6m0s", "20ms", "1h2m3.5s"; also a bare number of seconds. */
function parseDuration(value: string): number | null {
  if (NUMBER.test(value)) return Number(value) * 1000;
  const unitMs: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  let consumed = 0;
  for (const match of value.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    if (match.index !== consumed) return null;
    total += Number(match[1]) * unitMs[match[2]];
    consumed += match[0].length;
  }
  return consumed > 0 && consumed === value.length ? total : null;
}

// Rate-limit reset headers, paired with the "remaining" header that says
// whether that limit is the one exhausted.
const RESET_HEADERS: { reset: string; remaining: string; parse: 'duration' | 'date' }[] = [
  { reset: 'x-ratelimit-reset-requests', remaining: 'x-ratelimit-remaining-requests', parse: 'duration' },
  { reset: 'x-ratelimit-reset-tokens', remaining: 'x-ratelimit-remaining-tokens', parse: 'duration' },
  { reset: 'anthropic-ratelimit-requests-reset', remaining: 'anthropic-ratelimit-requests-remaining', parse: 'date' },
  { reset: 'anthropic-ratelimit-tokens-reset', remaining: 'anthropic-ratelimit-tokens-remaining', parse: 'date' },
  { reset: 'anthropic-ratelimit-input-tokens-reset', remaining: 'anthropic-ratelimit-input-tokens-remaining', parse: 'date' },
  { reset: 'anthropic-ratelimit-output-tokens-reset', remaining: 'anthropic-ratelimit-output-tokens-remaining', parse: 'date' },
];

function resetHeaderWait(headers: Headers, now: number): number | null {
  const exhausted: number[] = [];
  const all: number[] = [];
  for (const { reset, remaining, parse } of RESET_HEADERS) {
    const value = header(headers, reset);
    if (value === undefined) continue;
    const wait = parse === 'duration' ? parseDuration(value) : parseHttpDate(value, now);
    if (wait === null) continue;
    all.push(wait);
    if (header(headers, remaining) === '0') exhausted.push(wait);
  }
  // The limit that ran out decides; when none says so, the soonest reset is a
  // cheap guess (a wrong one costs one more 429, which brings fresh headers).
  if (exhausted.length) return Math.max(...exhausted);
  return all.length ? Math.min(...all) : null;
}

/**
 * Milliseconds the upstream asked us to wait, from `retry-after-ms`,
 * `retry-after` (seconds or an HTTP date), or else the OpenAI/Anthropic
 * rate-limit reset headers. Null when none is present and readable; never
 * negative (a date in the past gives 0); capped at `capMs`.
 */
export function parseRetryAfter(headers: Headers, now: number, capMs: number = MAX_RETRY_AFTER_MS): number | null {
  const readers: (() => number | null)[] = [
    () => {
      const value = header(headers, 'retry-after-ms');
      return value !== undefined && NUMBER.test(value) ? Number(value) : null;
    },
    () => {
      const value = header(headers, 'retry-after');
      return value === undefined ? null : (parseSeconds(value) ?? parseHttpDate(value, now));
    },
    () => resetHeaderWait(headers, now),
  ];
  for (const read of readers) {
    const wait = read();
    if (wait !== null && Number.isFinite(wait)) return Math.min(capMs, Math.max(0, Math.ceil(wait)));
  }
  return null;
}
