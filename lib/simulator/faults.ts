// Faults an operator injects into a simulated upstream of the demo estate, pure
// (faults.test.ts). One profile per upstream; each request draws once to pick
// the fault it suffers, so the shares an operator sets are shares of requests.
import { z } from 'zod';

export const FAULT_ERROR_STATUSES = [500, 502, 503, 529] as const;
export type FaultErrorStatus = (typeof FAULT_ERROR_STATUSES)[number];

export const FAULT_ERROR_STATUS_LABELS: Record<FaultErrorStatus, string> = {
  500: '500 Internal Server Error',
  502: '502 Bad Gateway',
  503: '503 Service Unavailable',
  529: '529 Overloaded (Anthropic)',
};

/** Longest wait the simulator can be told to add: well past any sane gateway timeout. */
export const MAX_FAULT_DELAY_MS = 120_000;
export const MAX_RETRY_AFTER_SECONDS = 600;
export const MAX_FAULT_CHUNKS = 1000;
export const MAX_CONTEXT_WINDOW = 10_000_000;

// Shares are stored as 0..1 and shown as percentages, so messages speak in percent.
const share = (what: string) =>
  z
    .number({ error: `Enter the ${what} as a number.` })
    .min(0, `The ${what} cannot be below 0%.`)
    .max(1, `The ${what} cannot be above 100%.`)
    .default(0);

const whole = (what: string, unit: string, min: number, max: number) =>
  z
    .number({ error: `Enter the ${what} as a number.` })
    .int(`The ${what} must be a whole number of ${unit}.`)
    .min(min, `The ${what} must be at least ${min.toLocaleString('en-US')} ${unit}.`)
    .max(max, `The ${what} must be at most ${max.toLocaleString('en-US')} ${unit}.`);

export const faultsSchema = z
  .object({
    /** Share of requests answered with `errorStatus`. */
    errorRate: share('5xx share'),
    errorStatus: z.literal(FAULT_ERROR_STATUSES, { error: 'Choose 500, 502, 503 or 529.' }).default(503),
    /** Share of requests answered 429. */
    rateLimitRate: share('429 share'),
    /** Null: a 429 without Retry-After (nor any rate-limit reset header). */
    retryAfterSeconds: whole('Retry-After', 'seconds', 0, MAX_RETRY_AFTER_SECONDS).nullable().default(null),
    /** Before the response headers, on every request. */
    addedLatencyMs: whole('added latency', 'ms', 0, MAX_FAULT_DELAY_MS).default(0),
    /** Streams: after the headers, before the first token. Non-streaming answers wait it too. */
    firstTokenDelayMs: whole('first-token delay', 'ms', 0, MAX_FAULT_DELAY_MS).default(0),
    /** Streams: the connection is destroyed after this many chunks of answer text. */
    streamCutAfterChunks: whole('cut point', 'chunks', 0, MAX_FAULT_CHUNKS).nullable().default(null),
    /** Streams: nothing more is sent after this many chunks of answer text; the connection stays open. */
    streamStallAfterChunks: whole('stall point', 'chunks', 0, MAX_FAULT_CHUNKS).nullable().default(null),
    /** Accept the request and never answer. */
    noResponse: z.boolean({ error: 'Choose on or off.' }).default(false),
    /** Streams: share of answer-text chunks replaced by invalid JSON. */
    malformedChunkRate: share('malformed chunk share'),
    /** Streams: end without [DONE] (OpenAI) or message_stop (Anthropic), after the usage. */
    omitDone: z.boolean({ error: 'Choose on or off.' }).default(false),
    /** Prompts estimated longer than this many tokens get the provider's context-length error. */
    contextWindow: whole('context window', 'tokens', 1, MAX_CONTEXT_WINDOW).nullable().default(null),
    /** Share of requests refused under the provider's content policy. */
    contentPolicyRate: share('content policy share'),
  })
  .refine((f) => f.errorRate + f.rateLimitRate + f.contentPolicyRate <= 1 + 1e-9, {
    message: 'The 5xx, 429 and content policy shares add up to more than 100% of requests.',
  });

export type Faults = z.infer<typeof faultsSchema>;
export type FaultsInput = z.input<typeof faultsSchema>;

export const NO_FAULTS: Faults = Object.freeze(faultsSchema.parse({}));

/** A stored profile, read leniently: a row edited by hand that no longer parses means no faults rather than a broken upstream. */
export function readFaults(value: unknown): { faults: Faults; valid: boolean } {
  const parsed = faultsSchema.safeParse(value ?? {});
  return parsed.success ? { faults: parsed.data, valid: true } : { faults: NO_FAULTS, valid: false };
}

export function hasFaults(faults: Faults): boolean {
  return describeFaults(faults).length > 0;
}

/** An added delay this long passes a chain step's default header timeout (30 s): every request times out. */
const OUTAGE_LATENCY_MS = 30_000;

/**
 * Whether these faults take the upstream's targets out of routing: their
 * breakers open once half the requests fail (the default failure rate), and
 * at once when nothing answers. Milder faults are retried or failed over
 * request by request, and the breakers stay closed.
 */
export function opensBreakers(faults: Faults): boolean {
  return faults.noResponse || faults.errorRate + faults.rateLimitRate >= 0.5 || faults.addedLatencyMs >= OUTAGE_LATENCY_MS;
}

// ---------------------------------------------------------------- one request

export type StreamFaults = {
  firstTokenDelayMs: number;
  /** Destroy the connection after this many text chunks (at the end of the text when it has fewer). */
  cutAfterChunks: number | null;
  /** Stop sending after this many text chunks and hold the connection open. */
  stallAfterChunks: number | null;
  malformedChunkRate: number;
  omitDone: boolean;
};

export type FaultDecision =
  | { kind: 'no_response' }
  | { kind: 'context_length'; limit: number; promptTokens: number }
  | { kind: 'server_error'; status: FaultErrorStatus }
  | { kind: 'rate_limited'; retryAfterSeconds: number | null }
  | { kind: 'content_policy' }
  | ({ kind: 'answer' } & StreamFaults);

export type RequestFacts = {
  /** The prompt's estimated size, for the context window; unknown skips that check. */
  promptTokens?: number;
};

/**
 * The fault one request suffers, deterministic given `random` (one draw, in [0, 1)).
 * Order: no response; then a prompt too long for the context window, which is
 * a property of the request and not of chance; then the shares, laid end to end
 * over [0, 1): 5xx, then 429, then content policy; the rest is answered, with
 * whatever stream faults are set. The added latency delays every response,
 * whatever is decided, so it is not part of the decision.
 */
export function decideFault(faults: Faults, random: number, request: RequestFacts = {}): FaultDecision {
  if (faults.noResponse) return { kind: 'no_response' };
  if (faults.contextWindow !== null && request.promptTokens !== undefined && request.promptTokens > faults.contextWindow) {
    return { kind: 'context_length', limit: faults.contextWindow, promptTokens: request.promptTokens };
  }
  let edge = faults.errorRate;
  if (random < edge) return { kind: 'server_error', status: faults.errorStatus };
  edge += faults.rateLimitRate;
  if (random < edge) return { kind: 'rate_limited', retryAfterSeconds: faults.retryAfterSeconds };
  edge += faults.contentPolicyRate;
  if (random < edge) return { kind: 'content_policy' };
  return {
    kind: 'answer',
    firstTokenDelayMs: faults.firstTokenDelayMs,
    cutAfterChunks: faults.streamCutAfterChunks,
    stallAfterChunks: faults.streamStallAfterChunks,
    malformedChunkRate: faults.malformedChunkRate,
    omitDone: faults.omitDone,
  };
}

/** Whether one chunk of answer text is replaced by invalid JSON, given one draw in [0, 1). */
export function isMalformedChunk(faults: Pick<StreamFaults, 'malformedChunkRate'>, random: number): boolean {
  return random < faults.malformedChunkRate;
}

// ---------------------------------------------------------------- for people

const percent = (value: number) => `${Number((value * 100).toFixed(1))}%`;
const duration = (ms: number) => (ms >= 1000 ? `${Number((ms / 1000).toFixed(1))} s` : `${ms} ms`);
const chunks = (n: number) => `${n} chunk${n === 1 ? '' : 's'}`;

/** The faults in force, one short phrase each; empty when the upstream is healthy. */
export function describeFaults(faults: Faults): string[] {
  const out: string[] = [];
  if (faults.noResponse) out.push('No response: requests are accepted and never answered');
  if (faults.errorRate > 0) out.push(`${percent(faults.errorRate)} of requests get HTTP ${faults.errorStatus}`);
  if (faults.rateLimitRate > 0) {
    const after = faults.retryAfterSeconds === null ? 'without Retry-After' : `with Retry-After ${faults.retryAfterSeconds} s`;
    out.push(`${percent(faults.rateLimitRate)} of requests get HTTP 429 ${after}`);
  }
  if (faults.contentPolicyRate > 0) out.push(`${percent(faults.contentPolicyRate)} of requests refused under content policy`);
  if (faults.contextWindow !== null) out.push(`Context window ${faults.contextWindow.toLocaleString('en-US')} tokens`);
  if (faults.addedLatencyMs > 0) out.push(`${duration(faults.addedLatencyMs)} added before the response`);
  if (faults.firstTokenDelayMs > 0) out.push(`First token after ${duration(faults.firstTokenDelayMs)}`);
  if (faults.streamCutAfterChunks !== null) out.push(`Streams cut after ${chunks(faults.streamCutAfterChunks)}`);
  if (faults.streamStallAfterChunks !== null) out.push(`Streams stall after ${chunks(faults.streamStallAfterChunks)}`);
  if (faults.malformedChunkRate > 0) out.push(`${percent(faults.malformedChunkRate)} of stream chunks malformed`);
  if (faults.omitDone) out.push('Streams end without [DONE] / message_stop');
  return out;
}

// ---------------------------------------------------------------- presets

export type FaultPreset = { id: string; label: string; description: string; faults: Faults };

const preset = (id: string, label: string, description: string, faults: FaultsInput): FaultPreset => ({
  id,
  label,
  description,
  faults: faultsSchema.parse(faults),
});

/** One click fills the form with a scenario from DESIGN.md's table of upstream misbehaviour. */
export const FAULT_PRESETS: FaultPreset[] = [
  preset('healthy', 'Healthy', 'No faults: every request is answered at once.', {}),
  preset('down', 'Down (100% 503)', 'Every request gets HTTP 503.', { errorRate: 1, errorStatus: 503 }),
  preset('rate-limited-retry-after', 'Rate limited with Retry-After 5 s', 'Every request gets HTTP 429 asking to wait 5 s.', { rateLimitRate: 1, retryAfterSeconds: 5 }),
  preset('rate-limited', 'Rate limited without Retry-After', 'Every request gets HTTP 429 with no hint of when to retry.', { rateLimitRate: 1, retryAfterSeconds: null }),
  preset('slow-first-token', 'Slow first token 20 s', 'Streams send headers, then nothing for 20 s.', { firstTokenDelayMs: 20_000 }),
  preset('stream-cut', 'Stream cut after 3 chunks', 'The connection drops after three chunks of answer.', { streamCutAfterChunks: 3 }),
  preset('stream-stall', 'Stream stall after 3 chunks', 'Three chunks of answer, then silence on an open connection.', { streamStallAfterChunks: 3 }),
  preset('no-response', 'No response', 'Requests are accepted and never answered.', { noResponse: true }),
  preset('malformed', 'Malformed chunks 30%', 'Three stream chunks in ten are invalid JSON.', { malformedChunkRate: 0.3 }),
];
