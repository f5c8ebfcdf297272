// The response cache of the Minimal tier: successful answers, kept in this
// replica's memory (docs/decisions/007-response-cache-per-replica.md), keyed
// on the normalised request, served again while the service can do no better.
// Filled in every tier so that it is warm when Minimal comes; bounded by
// entries and bytes, least recently used first out; the TTL is the service
// policy's at lookup time, so shortening it takes effect at once.
// Pure apart from the clock passed in (response-cache.test.ts).
import { hash } from 'node:crypto';
import type { ChatRequest } from './openai-schema';

/** What a cached answer keeps: enough to answer again as JSON or as a stream. */
export type CachedAnswer = {
  model: string;
  message: { role: 'assistant'; content: string | null; refusal?: string | null; tool_calls?: CachedToolCall[] };
  finish_reason: string | null;
};
export type CachedToolCall = { id: string; type: 'function'; function: { name: string; arguments: string } };

// Fields that do not change what the model answers: how the answer is
// delivered (stream, stream_options), who asks (user) and bookkeeping
// (metadata, store). The model is the service, which is keyed separately.
const EXCLUDED_FIELDS = new Set(['model', 'stream', 'stream_options', 'user', 'metadata', 'store']);

/** Sorted keys at every level, null and undefined left out: two spellings of one request give one string. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const item = (value as Record<string, unknown>)[key];
    if (item === null || item === undefined) continue;
    out[key] = canonical(item);
  }
  return out;
}

/** The normalised request the cache is keyed on, before hashing (for tests and debugging). */
export function normaliseRequest(request: ChatRequest): unknown {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(request)) if (!EXCLUDED_FIELDS.has(key)) kept[key] = value;
  return canonical(kept);
}

/**
 * SHA-256 of the service and the normalised request: fixed-size keys, and no prompt text held twice.
 * A key must not collide (another prompt's answer would be served), hence a cryptographic hash; the
 * one-shot crypto.hash, because a Hash object costs several times the digest itself.
 */
export function cacheKey(serviceName: string, request: ChatRequest): string {
  return hash('sha256', `${serviceName}\n${JSON.stringify(normaliseRequest(request))}`, 'hex');
}

/** An answer's size in memory, estimated from its strings (V8 counts two bytes a character) without serialising it. */
export function answerBytes(key: string, answer: CachedAnswer): number {
  let chars = key.length + answer.model.length + (answer.message.content?.length ?? 0) + (answer.message.refusal?.length ?? 0) + 64;
  for (const call of answer.message.tool_calls ?? []) chars += call.id.length + call.function.name.length + call.function.arguments.length + 32;
  return 2 * chars;
}

type Entry = { answer: CachedAnswer; bytes: number; storedAt: number };

export type ResponseCacheLimits = { maxEntries: number; maxBytes: number; maxEntryBytes: number };

export const DEFAULT_CACHE_LIMITS: ResponseCacheLimits = { maxEntries: 10_000, maxBytes: 64 * 1024 * 1024, maxEntryBytes: 256 * 1024 };

export class ResponseCache {
  // A Map iterates in insertion order: re-inserting on use makes its first key the least recently used.
  private readonly entries = new Map<string, Entry>();
  private totalBytes = 0;
  readonly limits: ResponseCacheLimits;
  readonly stats = { hits: 0, misses: 0, stored: 0, evicted: 0 };

  constructor(limits: Partial<ResponseCacheLimits> = {}) {
    this.limits = { ...DEFAULT_CACHE_LIMITS, ...limits };
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** The answer stored under key if younger than ttlMs; expired entries are dropped on the way. */
  get(key: string, ttlMs: number, now: number): CachedAnswer | null {
    const entry = this.entries.get(key);
    if (!entry) {
      this.stats.misses += 1;
      return null;
    }
    this.entries.delete(key);
    if (now - entry.storedAt >= ttlMs) {
      this.totalBytes -= entry.bytes;
      this.stats.misses += 1;
      return null;
    }
    this.entries.set(key, entry);
    this.stats.hits += 1;
    return entry.answer;
  }

  /** Stores an answer, evicting the least recently used ones past the limits; false when the answer alone is too large. */
  set(key: string, answer: CachedAnswer, now: number): boolean {
    const bytes = answerBytes(key, answer);
    if (bytes > this.limits.maxEntryBytes) return false;
    const previous = this.entries.get(key);
    if (previous) {
      this.entries.delete(key);
      this.totalBytes -= previous.bytes;
    }
    this.entries.set(key, { answer, bytes, storedAt: now });
    this.totalBytes += bytes;
    this.stats.stored += 1;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.limits.maxEntries && this.totalBytes <= this.limits.maxBytes) break;
      this.entries.delete(oldest);
      this.totalBytes -= entry.bytes;
      this.stats.evicted += 1;
    }
    return true;
  }

  clear(): void {
    this.entries.clear();
    this.totalBytes = 0;
  }
}

// ---------------------------------------------------------------- reading answers to cache

type JsonRecord = Record<string, unknown>;
const isRecord = (value: unknown): value is JsonRecord => typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** A complete chat completion (the gateway's JSON answer) as a cache entry; null if it is not one. */
export function answerFromCompletion(body: unknown): CachedAnswer | null {
  if (!isRecord(body) || !Array.isArray(body.choices) || body.choices.length !== 1) return null;
  const choice: unknown = body.choices[0];
  if (!isRecord(choice) || !isRecord(choice.message)) return null;
  const message = choice.message;
  const finishReason = str(choice.finish_reason);
  if (finishReason === null) return null;
  const toolCalls = Array.isArray(message.tool_calls)
    ? message.tool_calls.flatMap((call): CachedToolCall[] =>
        isRecord(call) && isRecord(call.function)
          ? [{ id: str(call.id) ?? '', type: 'function', function: { name: str(call.function.name) ?? '', arguments: str(call.function.arguments) ?? '' } }]
          : [],
      )
    : [];
  return {
    model: str(body.model) ?? '',
    message: { role: 'assistant', content: str(message.content), ...(str(message.refusal) ? { refusal: str(message.refusal) } : {}), ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
    finish_reason: finishReason,
  };
}

/**
 * Puts a streamed answer back together from its chunks, as the client received
 * them (continuations included). The gateway feeds it the chunk objects it
 * writes, so a stream is cached without being read back; `answer()` is null
 * unless the stream finished: an error event or a missing finish_reason means
 * it was not a whole answer.
 */
export class AnswerAssembler {
  private model = '';
  private content: string | null = null;
  private refusal: string | null = null;
  private finishReason: string | null = null;
  private failed = false;
  private readonly calls = new Map<number, CachedToolCall>();

  push(chunk: unknown): void {
    if (!isRecord(chunk) || 'error' in chunk) {
      this.failed = true;
      return;
    }
    if (!this.model && str(chunk.model)) this.model = str(chunk.model)!;
    const choice: unknown = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
    if (!isRecord(choice)) return;
    if (str(choice.finish_reason)) this.finishReason = str(choice.finish_reason);
    const delta = isRecord(choice.delta) ? choice.delta : {};
    if (str(delta.content) !== null) this.content = (this.content ?? '') + str(delta.content);
    if (str(delta.refusal) !== null) this.refusal = (this.refusal ?? '') + str(delta.refusal);
    if (Array.isArray(delta.tool_calls)) for (const call of delta.tool_calls) this.pushToolCall(call);
  }

  private pushToolCall(call: unknown): void {
    if (!isRecord(call)) return;
    const index = typeof call.index === 'number' ? call.index : 0;
    const fn = isRecord(call.function) ? call.function : {};
    const known = this.calls.get(index) ?? { id: '', type: 'function' as const, function: { name: '', arguments: '' } };
    if (str(call.id)) known.id = str(call.id)!;
    if (str(fn.name)) known.function.name += str(fn.name)!;
    if (str(fn.arguments)) known.function.arguments += str(fn.arguments)!;
    this.calls.set(index, known);
  }

  /** The whole answer, or null if the stream failed or never said how it finished. */
  answer(): CachedAnswer | null {
    if (this.failed || this.finishReason === null) return null;
    const toolCalls = [...this.calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
    return {
      model: this.model,
      message: { role: 'assistant', content: this.content, ...(this.refusal !== null ? { refusal: this.refusal } : {}), ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
      finish_reason: this.finishReason,
    };
  }
}

// ---------------------------------------------------------------- answering from the cache

const ZERO_USAGE = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };

/** A cached answer as a new chat completion: fresh id and created, and no tokens used, because no model ran. */
export function completionFromAnswer(answer: CachedAnswer, meta: { id: string; created: number }) {
  return {
    id: meta.id,
    object: 'chat.completion' as const,
    created: meta.created,
    model: answer.model,
    choices: [{ index: 0, message: { refusal: null, ...answer.message }, finish_reason: answer.finish_reason, logprobs: null }],
    usage: ZERO_USAGE,
  };
}

/** The same answer as a short stream: role, content, tool calls, finish, usage when asked for, then [DONE]. */
export function sseFromAnswer(answer: CachedAnswer, meta: { id: string; created: number }, includeUsage: boolean): string {
  const chunk = (delta: JsonRecord, finishReason: string | null = null) => ({
    id: meta.id, object: 'chat.completion.chunk', created: meta.created, model: answer.model, choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
  });
  const events: unknown[] = [chunk({ role: 'assistant', content: '' })];
  if (answer.message.content) events.push(chunk({ content: answer.message.content }));
  if (answer.message.refusal) events.push(chunk({ refusal: answer.message.refusal }));
  if (answer.message.tool_calls?.length) events.push(chunk({ tool_calls: answer.message.tool_calls.map((call, index) => ({ index, ...call })) }));
  events.push(chunk({}, answer.finish_reason));
  if (includeUsage) events.push({ id: meta.id, object: 'chat.completion.chunk', created: meta.created, model: answer.model, choices: [], usage: ZERO_USAGE });
  return `${events.map((event) => `data: ${JSON.stringify(event)}\n\n`).join('')}data: [DONE]\n\n`;
}
