// What a simulated upstream says, in each provider's own shapes, pure
// (replies.test.ts). The server (server.ts) adds the timing and the faults.
// Answers are deterministic: the same question gets the same words, so a test
// or a demo can tell a continued answer from a restarted one.
import { z } from 'zod';
import { estimateTokens } from '@/lib/gateway/openai-schema';
import type { FaultErrorStatus } from '@/lib/simulator/faults';
import type { SimulatedProtocol } from '@/lib/simulator/upstreams';

// ---------------------------------------------------------------- tokens

// Tokens are counted with the gateway's own estimate (four characters a token), so that
// simulated usage and the gateway's estimate for a cut stream agree.

/** Each message also costs a few tokens of framing, as with real chat templates. */
const TOKENS_PER_MESSAGE = 3;

// ---------------------------------------------------------------- requests

/** One request, whichever protocol it came in. */
export type SimRequest = {
  model: string;
  stream: boolean;
  /** OpenAI: stream_options.include_usage. Anthropic always reports usage. */
  includeUsage: boolean;
  maxTokens: number | null;
  promptTokens: number;
  /** The last user message, as the answer quotes it. */
  question: string;
  /** A final assistant turn to continue (Anthropic always; OpenAI-compatible with vLLM's continue_final_message). */
  prefill: string | null;
};

export type ParseResult = { ok: true; request: SimRequest } | { ok: false; message: string; param: string | null };

const textBlock = z.looseObject({ type: z.string(), text: z.string().optional() });
const positiveInt = z.number().int().min(1);

const openAiRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z
    .array(
      z.looseObject({
        role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
        content: z.union([z.string(), z.array(textBlock)]).nullish(),
      }),
    )
    .min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  max_tokens: positiveInt.nullish(),
  max_completion_tokens: positiveInt.nullish(),
  continue_final_message: z.boolean().nullish(),
});

const anthropicRequestSchema = z.looseObject({
  model: z.string().min(1),
  max_tokens: positiveInt,
  messages: z.array(z.looseObject({ role: z.enum(['user', 'assistant']), content: z.union([z.string(), z.array(textBlock)]) })).min(1),
  system: z.union([z.string(), z.array(textBlock)]).nullish(),
  stream: z.boolean().nullish(),
});

function textOf(content: string | { type: string; text?: string }[] | null | undefined): string {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  return content.map((block) => block.text ?? '').join('\n');
}

function firstIssue(error: z.ZodError): { message: string; param: string | null } {
  const issue = error.issues[0];
  const param = issue?.path.length ? issue.path.join('.') : null;
  const required = issue?.code === 'invalid_type' && /received undefined/.test(issue.message);
  return { message: required ? 'Field required' : (issue?.message ?? 'Invalid request'), param };
}

function promptTokensOf(texts: string[]): number {
  return texts.reduce((sum, text) => sum + estimateTokens(text) + TOKENS_PER_MESSAGE, 0);
}

function questionOf(messages: { role: string; content?: unknown }[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i].role === 'user') return textOf(messages[i].content as Parameters<typeof textOf>[0]);
  }
  return '';
}

export function parseOpenAiRequest(body: unknown): ParseResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, message: 'The request body must be a JSON object.', param: null };
  }
  const parsed = openAiRequestSchema.safeParse(body);
  if (!parsed.success) {
    const { message, param } = firstIssue(parsed.error);
    return { ok: false, message: `Invalid '${param ?? 'body'}': ${message}`, param };
  }
  const { data } = parsed;
  const last = data.messages[data.messages.length - 1];
  const continues = data.continue_final_message === true && last.role === 'assistant';
  return {
    ok: true,
    request: {
      model: data.model,
      stream: data.stream === true,
      includeUsage: data.stream_options?.include_usage === true,
      maxTokens: data.max_completion_tokens ?? data.max_tokens ?? null,
      promptTokens: promptTokensOf(data.messages.map((message) => textOf(message.content))),
      question: questionOf(data.messages),
      prefill: continues ? textOf(last.content) || null : null,
    },
  };
}

export function parseAnthropicRequest(body: unknown): ParseResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, message: 'The request body must be a JSON object.', param: null };
  }
  const parsed = anthropicRequestSchema.safeParse(body);
  if (!parsed.success) {
    const { message, param } = firstIssue(parsed.error);
    return { ok: false, message: `${param ?? 'body'}: ${message}`, param };
  }
  const { data } = parsed;
  const last = data.messages[data.messages.length - 1];
  const system = textOf(data.system);
  const texts = data.messages.map((message) => textOf(message.content));
  return {
    ok: true,
    request: {
      model: data.model,
      stream: data.stream === true,
      includeUsage: true,
      maxTokens: data.max_tokens,
      promptTokens: promptTokensOf(system ? [system, ...texts] : texts),
      question: questionOf(data.messages),
      prefill: last.role === 'assistant' ? textOf(last.content) || null : null,
    },
  };
}

// ---------------------------------------------------------------- answers

export const QUESTION_CHARS = 60;

function quote(question: string): string {
  const oneLine = question.replace(/\s+/g, ' ').trim();
  if (oneLine === '') return '(no user message)';
  return oneLine.length > QUESTION_CHARS ? `${oneLine.slice(0, QUESTION_CHARS)}…` : oneLine;
}

/** The part of an answer every upstream words the same, so one can continue another's. */
export function answerBody(question: string): string {
  return `Answer to: "${quote(question)}". This reply comes from a simulated provider in Standby's demo estate: no real model was called, and the words are the same every time.`;
}

export function answerText(upstream: string, model: string, question: string): string {
  return `[simulated ${upstream}/${model}] ${answerBody(question)}`;
}

/** The shortest overlap taken as "the prefill is part of this answer" rather than a coincidence. */
const MIN_OVERLAP = 8;

/**
 * The text that follows an assistant prefill. A prefill cut from this answer or
 * from another simulated upstream's (same body, other header) continues where
 * it stopped; any other prefill is followed by the whole answer.
 */
export function continuationText(upstream: string, model: string, question: string, prefill: string): string {
  const full = answerText(upstream, model, question);
  // Providers refuse a prefill ending in whitespace, so gateways trim it: compare without it.
  const sent = prefill.trimEnd();
  if (full.startsWith(sent)) return full.slice(sent.length);
  const body = answerBody(question);
  for (let k = Math.min(sent.length, body.length); k >= MIN_OVERLAP; k--) {
    if (sent.endsWith(body.slice(0, k))) return body.slice(k);
  }
  return ` ${full}`;
}

export type Reply = {
  /** The text in the order it is streamed; joined, the whole reply. */
  pieces: string[];
  text: string;
  finish: 'stop' | 'length';
  completionTokens: number;
};

/** Words per streamed chunk: a few, so a short answer still makes a real stream. */
export const WORDS_PER_CHUNK = 3;

/** The reply to a request: its words in chunks, cut at max_tokens when it is reached. */
export function planReply(upstream: string, request: Pick<SimRequest, 'model' | 'question' | 'prefill' | 'maxTokens'>): Reply {
  const text = request.prefill
    ? continuationText(upstream, request.model, request.question, request.prefill)
    : answerText(upstream, request.model, request.question);
  // Leading whitespace stays with the first word, the rest with the word before it.
  const words: string[] = text.match(/\s*\S+\s*/g) ?? [];
  let kept = words;
  let finish: Reply['finish'] = 'stop';
  if (request.maxTokens !== null) {
    // At least one word, as a model answering max_tokens: 1 still says something.
    let count = 1;
    while (count < words.length && estimateTokens(words.slice(0, count + 1).join('')) <= request.maxTokens) count++;
    if (count < words.length) {
      kept = words.slice(0, count);
      finish = 'length';
    }
  }
  const pieces: string[] = [];
  for (let i = 0; i < kept.length; i += WORDS_PER_CHUNK) pieces.push(kept.slice(i, i + WORDS_PER_CHUNK).join(''));
  const joined = pieces.join('');
  return { pieces, text: joined, finish, completionTokens: estimateTokens(joined) };
}

// ---------------------------------------------------------------- errors

export type ErrorReply = { status: number; headers: Record<string, string>; body: unknown };

export function openAiError(status: number, message: string, type: string, code: string | null = null, param: string | null = null): ErrorReply {
  return { status, headers: {}, body: { error: { message, type, param, code } } };
}

export function anthropicError(status: number, type: string, message: string): ErrorReply {
  return { status, headers: {}, body: { type: 'error', error: { type, message } } };
}

/** A request refused before any fault: bad auth, bad input, wrong path or method. */
export function rejection(protocol: SimulatedProtocol, status: 400 | 401 | 404 | 405 | 413, message: string, param: string | null = null): ErrorReply {
  if (protocol === 'anthropic_messages') {
    const type = { 400: 'invalid_request_error', 401: 'authentication_error', 404: 'not_found_error', 405: 'invalid_request_error', 413: 'request_too_large' }[status];
    return anthropicError(status, type, message);
  }
  const code = { 400: null, 401: 'invalid_api_key', 404: 'unknown_url', 405: 'method_not_allowed', 413: 'request_too_large' }[status];
  return openAiError(status, message, 'invalid_request_error', code, param);
}

const OPENAI_SERVER_ERRORS: Record<FaultErrorStatus, string> = {
  500: 'The server had an error while processing your request. Sorry about that!',
  502: 'Bad gateway.',
  503: 'The server is temporarily unable to handle your request. Please try again later.',
  529: 'The server is overloaded. Please try again later.',
};

export function serverErrorReply(protocol: SimulatedProtocol, status: FaultErrorStatus): ErrorReply {
  if (protocol === 'anthropic_messages') {
    return status === 529 ? anthropicError(529, 'overloaded_error', 'Overloaded') : anthropicError(status, 'api_error', status === 500 ? 'Internal server error' : OPENAI_SERVER_ERRORS[status]);
  }
  return openAiError(status, OPENAI_SERVER_ERRORS[status], 'server_error');
}

/** A 429; with Retry-After only when one is set, and never with rate-limit reset headers a gateway could read as one. */
export function rateLimitReply(protocol: SimulatedProtocol, retryAfterSeconds: number | null): ErrorReply {
  const hint = retryAfterSeconds === null ? '' : ` Please try again in ${retryAfterSeconds}s.`;
  const reply =
    protocol === 'anthropic_messages'
      ? anthropicError(429, 'rate_limit_error', `This request would exceed your organization's rate limit.${hint}`)
      : openAiError(429, `Rate limit reached for requests.${hint}`, 'requests', 'rate_limit_exceeded');
  if (retryAfterSeconds !== null) reply.headers['retry-after'] = String(retryAfterSeconds);
  return reply;
}

export function contentPolicyReply(protocol: SimulatedProtocol): ErrorReply {
  if (protocol === 'anthropic_messages') return anthropicError(400, 'invalid_request_error', 'Output blocked by content filtering policy');
  return openAiError(
    400,
    'Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.',
    'invalid_request_error',
    'content_policy_violation',
  );
}

export function contextLengthReply(protocol: SimulatedProtocol, limit: number, promptTokens: number): ErrorReply {
  if (protocol === 'anthropic_messages') return anthropicError(400, 'invalid_request_error', `prompt is too long: ${promptTokens} tokens > ${limit} maximum`);
  return openAiError(
    400,
    `This model's maximum context length is ${limit} tokens. However, your messages resulted in ${promptTokens} tokens. Please reduce the length of the messages.`,
    'invalid_request_error',
    'context_length_exceeded',
    'messages',
  );
}

// ---------------------------------------------------------------- success bodies

export type ReplyMeta = { id: string; created: number; upstream: string };

export function openAiCompletion(meta: ReplyMeta, request: SimRequest, reply: Reply) {
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: request.model,
    choices: [{ index: 0, message: { role: 'assistant', content: reply.text, refusal: null }, logprobs: null, finish_reason: reply.finish }],
    usage: openAiUsage(request, reply),
    system_fingerprint: null,
  };
}

function openAiUsage(request: SimRequest, reply: Reply) {
  return { prompt_tokens: request.promptTokens, completion_tokens: reply.completionTokens, total_tokens: request.promptTokens + reply.completionTokens };
}

const ANTHROPIC_STOP: Record<Reply['finish'], string> = { stop: 'end_turn', length: 'max_tokens' };

export function anthropicMessage(meta: ReplyMeta, request: SimRequest, reply: Reply) {
  return {
    id: meta.id,
    type: 'message',
    role: 'assistant',
    model: request.model,
    content: [{ type: 'text', text: reply.text }],
    stop_reason: ANTHROPIC_STOP[reply.finish],
    stop_sequence: null,
    usage: { input_tokens: request.promptTokens, output_tokens: reply.completionTokens },
  };
}

// ---------------------------------------------------------------- streams

/** One SSE event to write; `text` marks the chunks of answer text, which stream faults count and spoil. */
export type Frame = { data: string; event?: string; text: boolean };

export type StreamPlan = {
  /** Before the text: OpenAI's role chunk; Anthropic's message_start, content_block_start and ping. */
  head: Frame[];
  text: Frame[];
  /** After the text: finish and usage. */
  tail: Frame[];
  /** The end marker ([DONE] or message_stop), left out by the omitDone fault. */
  done: Frame;
};

export function openAiStream(meta: ReplyMeta, request: SimRequest, reply: Reply): StreamPlan {
  const base = { id: meta.id, object: 'chat.completion.chunk', created: meta.created, model: request.model, system_fingerprint: null };
  // With include_usage, OpenAI sends `usage: null` on every chunk and the numbers in a last, choice-less one.
  const usageNull = request.includeUsage ? { usage: null } : {};
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): Frame => ({
    data: JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...usageNull }),
    text: false,
  });
  const tail = [chunk({}, reply.finish)];
  if (request.includeUsage) tail.push({ data: JSON.stringify({ ...base, choices: [], usage: openAiUsage(request, reply) }), text: false });
  return {
    head: [chunk({ role: 'assistant', content: '', refusal: null })],
    text: reply.pieces.map((piece) => ({ ...chunk({ content: piece }), text: true })),
    tail,
    done: { data: '[DONE]', text: false },
  };
}

export function anthropicStream(meta: ReplyMeta, request: SimRequest, reply: Reply): StreamPlan {
  const frame = (event: string, data: Record<string, unknown>, text = false): Frame => ({ event, data: JSON.stringify({ type: event, ...data }), text });
  return {
    head: [
      frame('message_start', {
        message: {
          id: meta.id, type: 'message', role: 'assistant', model: request.model, content: [], stop_reason: null, stop_sequence: null,
          usage: { input_tokens: request.promptTokens, output_tokens: 1 },
        },
      }),
      frame('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
      frame('ping', {}),
    ],
    text: reply.pieces.map((piece) => frame('content_block_delta', { index: 0, delta: { type: 'text_delta', text: piece } }, true)),
    tail: [
      frame('content_block_stop', { index: 0 }),
      frame('message_delta', { delta: { stop_reason: ANTHROPIC_STOP[reply.finish], stop_sequence: null }, usage: { output_tokens: reply.completionTokens } }),
    ],
    done: frame('message_stop', {}),
  };
}

/** A chunk spoiled by the malformed-chunk fault: cut in half, so it is never valid JSON. */
export function malformed(frame: Frame): Frame {
  return { ...frame, data: frame.data.slice(0, Math.max(1, Math.floor(frame.data.length / 2))) };
}

// ---------------------------------------------------------------- models

export function modelList(protocol: SimulatedProtocol, models: readonly string[]) {
  if (protocol === 'anthropic_messages') {
    return {
      data: models.map((id) => ({ type: 'model', id, display_name: `${id} (simulated)`, created_at: '2025-01-01T00:00:00Z' })),
      has_more: false,
      first_id: models[0] ?? null,
      last_id: models[models.length - 1] ?? null,
    };
  }
  return { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 1_735_689_600, owned_by: 'standby-simulator' })) };
}
