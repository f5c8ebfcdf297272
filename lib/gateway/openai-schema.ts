// The OpenAI Chat Completions contract at both ends of the gateway (STYLE.md
// habit 4), pure (openai-schema.test.ts):
// - what clients may send: parsed strictly enough to answer with the same
//   kind of error OpenAI would, while unknown top-level fields pass through to
//   OpenAI-compatible upstreams;
// - what OpenAI-compatible upstreams send back: parsed leniently, because
//   providers differ (Azure's empty first chunk, self-hosted servers without
//   `total_tokens` or ids), while a shape we cannot use is still refused.
import { z } from 'zod';

// ---------------------------------------------------------------- requests

const textPart = z.looseObject({ type: z.literal('text'), text: z.string() });
const imagePart = z.looseObject({
  type: z.literal('image_url'),
  image_url: z.looseObject({ url: z.string(), detail: z.enum(['auto', 'low', 'high']).optional() }),
});
const audioPart = z.looseObject({ type: z.literal('input_audio'), input_audio: z.looseObject({ data: z.string(), format: z.string() }) });
const filePart = z.looseObject({ type: z.literal('file'), file: z.looseObject({}) });
const refusalPart = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });

export const contentPartSchema = z.discriminatedUnion('type', [textPart, imagePart, audioPart, filePart, refusalPart]);
export type ContentPart = z.infer<typeof contentPartSchema>;

const textContent = z.union([z.string(), z.array(textPart)]);
const anyContent = z.union([z.string(), z.array(contentPartSchema)]);

export const toolCallSchema = z.looseObject({
  id: z.string(),
  type: z.literal('function'),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

const systemMessage = z.looseObject({ role: z.literal('system'), content: textContent, name: z.string().optional() });
const developerMessage = z.looseObject({ role: z.literal('developer'), content: textContent, name: z.string().optional() });
const userMessage = z.looseObject({ role: z.literal('user'), content: anyContent, name: z.string().optional() });
const assistantMessage = z.looseObject({
  role: z.literal('assistant'),
  // OpenAI lets an assistant turn that only calls tools carry no content.
  content: anyContent.nullish(),
  name: z.string().optional(),
  tool_calls: z.array(toolCallSchema).nullish(),
  refusal: z.string().nullish(),
});
const toolMessage = z.looseObject({ role: z.literal('tool'), content: textContent, tool_call_id: z.string() });

export const chatMessageSchema = z.discriminatedUnion('role', [systemMessage, developerMessage, userMessage, assistantMessage, toolMessage]);
export type ChatMessage = z.infer<typeof chatMessageSchema>;

const functionTool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string(),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});
const customTool = z.looseObject({ type: z.literal('custom'), custom: z.looseObject({ name: z.string() }) });
export const toolSchema = z.discriminatedUnion('type', [functionTool, customTool]);

const toolChoice = z.union([z.enum(['none', 'auto', 'required']), z.looseObject({ type: z.string() })]);

const responseFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    json_schema: z.looseObject({
      name: z.string(),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

const positiveInt = z.number().int().min(1);

export const chatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(chatMessageSchema).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: positiveInt.nullish(),
  max_completion_tokens: positiveInt.nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4), z.null()]).optional(),
  n: z
    .number()
    .int()
    .nullish()
    // One choice per request keeps failover honest: a continuation can resume one answer, not several.
    .refine((n) => n == null || n === 1, {
      message: "Invalid 'n': Standby returns one choice per request, so 'n' must be 1. Send separate requests for more choices.",
      params: { code: 'unsupported_value' },
    }),
  tools: z.array(toolSchema).nullish(),
  tool_choice: toolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  response_format: responseFormat.nullish(),
  user: z.string().nullish(),
  seed: z.number().int().nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
});
export type ChatRequest = z.infer<typeof chatRequestSchema>;

export type ParseChatRequestResult =
  | { ok: true; request: ChatRequest }
  | { ok: false; message: string; param: string | null; code: string | null };

/**
 * Validates a decoded request body and, when it is wrong, says why the way OpenAI does.
 * A request already in the schema's exact shape (fastChatRequest) is returned as
 * given, not copied: treat the result as read-only.
 */
export function parseChatRequest(body: unknown): ParseChatRequestResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, message: `The request body must be a JSON object, but got ${describeValue(body)} instead.`, param: null, code: 'invalid_type' };
  }
  if (isFastChatRequest(body as Json)) return { ok: true, request: body as ChatRequest };
  const parsed = chatRequestSchema.safeParse(body);
  if (parsed.success) return { ok: true, request: parsed.data };
  return { ok: false, ...describeIssue(parsed.error.issues[0], [], body) };
}

type Issue = z.core.$ZodIssue;
type PathKey = PropertyKey;

/** `['messages', 0, 'content']` as OpenAI writes it: `messages[0].content`. */
export function formatParam(path: readonly PathKey[]): string | null {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`;
  return out || null;
}

function valueAt(root: unknown, path: readonly PathKey[]): { found: boolean; value: unknown } {
  let current: unknown = root;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || !Object.prototype.hasOwnProperty.call(current, key)) return { found: false, value: undefined };
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return { found: true, value: current };
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'boolean') return 'a boolean';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

const EXPECTED_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a decimal',
  int: 'an integer',
  boolean: 'a boolean',
  array: 'an array',
  object: 'an object',
  null: 'null',
};

function listWords(words: string[], joiner: 'and' | 'or'): string {
  if (words.length <= 1) return words.join('');
  if (words.length === 2) return `${words[0]} ${joiner} ${words[1]}`;
  return `${words.slice(0, -1).join(', ')}, ${joiner} ${words[words.length - 1]}`;
}

const quote = (value: unknown) => `'${typeof value === 'string' ? value : JSON.stringify(value)}'`;

function isTypeMismatchAtRoot(issues: Issue[]): boolean {
  return issues.every((issue) => issue.code === 'invalid_type' && issue.path.length === 0);
}

/** Turns one zod issue into OpenAI's wording; unions are explained by the branch that came closest. */
function describeIssue(issue: Issue, prefix: PathKey[], body: unknown): { message: string; param: string | null; code: string | null } {
  const path = [...prefix, ...issue.path];
  const param = formatParam(path);
  const { found, value } = valueAt(body, path);
  const name = param ?? 'body';

  if (!found || value === undefined) {
    if (issue.code === 'invalid_type' || issue.code === 'invalid_union') {
      return { message: `'${name}' is a required property`, param, code: 'missing_required_parameter' };
    }
  }

  switch (issue.code) {
    case 'invalid_type':
      return {
        message: `Invalid type for '${name}': expected ${EXPECTED_NAMES[issue.expected] ?? issue.expected}, but got ${describeValue(value)} instead.`,
        param,
        code: 'invalid_type',
      };
    case 'invalid_value':
      return {
        message: `Invalid value: ${quote(value)}. Supported values are: ${listWords(issue.values.map(quote), 'and')}.`,
        param,
        code: 'invalid_value',
      };
    case 'invalid_union': {
      if (issue.errors.length === 0) {
        // A discriminated union whose tag matched nothing (an unknown role or part type).
        const options = 'options' in issue && Array.isArray(issue.options) ? (issue.options as unknown[]) : [];
        return { message: `Invalid value: ${quote(value)}. Supported values are: ${listWords(options.map(quote), 'and')}.`, param, code: 'invalid_value' };
      }
      const closest = issue.errors.find((branch) => !isTypeMismatchAtRoot(branch));
      if (closest) return describeIssue(closest[0], path, body);
      const expected = [
        ...new Set(issue.errors.flatMap((branch) => branch.map((i) => (i.code === 'invalid_type' ? (EXPECTED_NAMES[i.expected] ?? i.expected) : '')))),
      ].filter(Boolean);
      return {
        message: `Invalid type for '${name}': expected one of ${listWords(expected, 'or')}, but got ${describeValue(value)} instead.`,
        param,
        code: 'invalid_type',
      };
    }
    case 'too_small':
      if (issue.origin === 'array') {
        return Array.isArray(value) && value.length === 0
          ? { message: `Invalid '${name}': empty array. Expected an array with minimum length ${issue.minimum}, but got an empty array instead.`, param, code: 'empty_array' }
          : { message: `Invalid '${name}': array too short. Expected an array with minimum length ${issue.minimum}.`, param, code: 'array_below_min_length' };
      }
      if (issue.origin === 'string') {
        return { message: `Invalid '${name}': string too short. Expected a string with minimum length ${issue.minimum}, but got ${value === '' ? 'an empty string' : quote(value)} instead.`, param, code: 'string_below_min_length' };
      }
      return {
        message: `Invalid '${name}': ${numberWord(value)} below minimum value. Expected a value >= ${issue.minimum}, but got ${String(value)} instead.`,
        param,
        code: `${numberWord(value)}_below_min_value`,
      };
    case 'too_big':
      if (issue.origin === 'array') {
        const length = Array.isArray(value) ? value.length : '?';
        return { message: `Invalid '${name}': array too long. Expected an array with maximum length ${issue.maximum}, but got an array with length ${length} instead.`, param, code: 'array_above_max_length' };
      }
      if (issue.origin === 'string') {
        return { message: `Invalid '${name}': string too long. Expected a string with maximum length ${issue.maximum}.`, param, code: 'string_above_max_length' };
      }
      return {
        message: `Invalid '${name}': ${numberWord(value)} above maximum value. Expected a value <= ${issue.maximum}, but got ${String(value)} instead.`,
        param,
        code: `${numberWord(value)}_above_max_value`,
      };
    case 'custom': {
      const code = typeof issue.params?.code === 'string' ? issue.params.code : 'invalid_value';
      return { message: issue.message, param, code };
    }
    default:
      return { message: `Invalid '${name}': ${issue.message}.`, param, code: 'invalid_value' };
  }
}

const numberWord = (value: unknown) => (typeof value === 'number' && Number.isInteger(value) ? 'integer' : 'decimal');

// ---------------------------------------------------------------- errors

export type OpenAiErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'insufficient_quota'
  | 'api_error'
  | 'server_error'
  | 'service_unavailable'
  | 'timeout_error';

export type OpenAiErrorBody = { error: { message: string; type: OpenAiErrorType; param: string | null; code: string | null } };

/** An error response in OpenAI's shape, which the official SDKs turn into typed exceptions. */
export function openAiError(
  status: number,
  message: string,
  type: OpenAiErrorType,
  code: string | null = null,
  param: string | null = null,
): { status: number; body: OpenAiErrorBody } {
  return { status, body: { error: { message, type, param, code } } };
}

// ---------------------------------------------------------------- upstream responses

const count = z.number().nonnegative().catch(0);

export const usageSchema = z
  .looseObject({
    prompt_tokens: count.default(0),
    completion_tokens: count.default(0),
    total_tokens: z.number().nonnegative().optional().catch(undefined),
  })
  // Some self-hosted servers leave out the total.
  .transform((usage) => Object.assign(usage, { total_tokens: usage.total_tokens ?? usage.prompt_tokens + usage.completion_tokens }));
export type Usage = z.infer<typeof usageSchema>;

const responseToolCall = z.looseObject({
  id: z.string().default(''),
  type: z.literal('function').default('function'),
  function: z.looseObject({ name: z.string(), arguments: z.string().default('') }),
});

export const chatCompletionSchema = z.looseObject({
  id: z.string().default(''),
  object: z.string().default('chat.completion'),
  created: z.number().optional(),
  model: z.string().optional(),
  choices: z.array(
    z.looseObject({
      index: z.number().int().default(0),
      message: z.looseObject({
        role: z.string().default('assistant'),
        content: z.string().nullable().default(null),
        tool_calls: z.array(responseToolCall).nullish(),
        refusal: z.string().nullish(),
      }),
      finish_reason: z.string().nullable().default(null),
    }),
  ),
  usage: usageSchema.nullish(),
});
export type ChatCompletion = z.infer<typeof chatCompletionSchema>;

const chunkToolCall = z.looseObject({
  index: z.number().int().default(0),
  id: z.string().optional(),
  type: z.literal('function').optional(),
  function: z.looseObject({ name: z.string().optional(), arguments: z.string().optional() }).optional(),
});

export const chatCompletionChunkSchema = z.looseObject({
  id: z.string().default(''),
  object: z.string().default('chat.completion.chunk'),
  created: z.number().optional(),
  model: z.string().optional(),
  choices: z
    .array(
      z.looseObject({
        index: z.number().int().default(0),
        delta: z
          .looseObject({
            role: z.string().optional(),
            content: z.string().nullish(),
            tool_calls: z.array(chunkToolCall).nullish(),
            refusal: z.string().nullish(),
          })
          .default({}),
        finish_reason: z.string().nullable().default(null),
      }),
    )
    .default([]),
  usage: usageSchema.nullish(),
});
export type ChatCompletionChunk = z.infer<typeof chatCompletionChunkSchema>;

/** `{ error: { message, type, code } }`, which OpenAI-compatible servers send as a body or mid-stream. */
export const upstreamErrorSchema = z.looseObject({
  error: z.looseObject({
    message: z.string().catch('The upstream reported an error without a message.'),
    type: z.string().nullish().catch(null),
    code: z.union([z.string(), z.number()]).nullish().catch(null),
    param: z.string().nullish().catch(null),
  }),
});

// ---------------------------------------------------------------- fast paths
//
// zod costs tens of microseconds per body on the gateway's hot path
// (bench/RESULTS.md), mostly to copy objects that are already right. These
// checks accept only values the schemas above would return unchanged (every
// defaulted field present, every type exact, nothing to catch or transform)
// and hand them back as they are; anything else goes through zod, which
// decides. The output is the same but for the order of keys (zod writes known
// keys first), which JSON does not give a meaning to. openai-schema.test.ts
// holds each fast path against its schema.

type Json = Record<string, unknown>;

/** An object as zod sees one. An own `__proto__` key (JSON.parse makes them) would be dropped by zod's copy: left to zod. */
function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Object.prototype.hasOwnProperty.call(value, '__proto__');
}

const isOptionalString = (value: unknown) => value === undefined || typeof value === 'string';
const isNullishString = (value: unknown) => value == null || typeof value === 'string';
const isStringOrNull = (value: unknown) => value === null || typeof value === 'string';
const isCount = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/** Request fields the fast path checks itself; any other field the schema knows sends the request through zod. */
const FAST_REQUEST_FIELDS = new Set(['model', 'messages', 'stream']);
const REQUEST_FIELDS = new Set(Object.keys(chatRequestSchema.shape));
const TEXT_ROLES = new Set(['system', 'developer', 'user']);

function isFastMessage(message: unknown): boolean {
  if (!isRecord(message) || typeof message.content !== 'string' || !isOptionalString(message.name)) return false;
  const { role } = message;
  if (typeof role !== 'string') return false;
  if (TEXT_ROLES.has(role)) return true;
  if (role === 'assistant') return message.tool_calls === undefined && message.refusal === undefined;
  return role === 'tool' && typeof message.tool_call_id === 'string';
}

/** Plain text messages, model and stream: the requests most clients send. */
function isFastChatRequest(body: Json): boolean {
  if (Object.prototype.hasOwnProperty.call(body, '__proto__')) return false;
  for (const key in body) if (REQUEST_FIELDS.has(key) && !FAST_REQUEST_FIELDS.has(key)) return false;
  const { model, messages, stream } = body;
  return (
    typeof model === 'string' && model.length > 0 && (stream == null || typeof stream === 'boolean') &&
    Array.isArray(messages) && messages.length > 0 && messages.every(isFastMessage)
  );
}

function isFastUsage(usage: unknown): boolean {
  return usage == null || (isRecord(usage) && isCount(usage.prompt_tokens) && isCount(usage.completion_tokens) && isCount(usage.total_tokens));
}

function isFastCompletionChoice(choice: unknown): boolean {
  if (!isRecord(choice) || !Number.isSafeInteger(choice.index) || !isStringOrNull(choice.finish_reason)) return false;
  const { message } = choice;
  return isRecord(message) && typeof message.role === 'string' && isStringOrNull(message.content) && message.tool_calls == null && isNullishString(message.refusal);
}

function isFastChunkChoice(choice: unknown): boolean {
  if (!isRecord(choice) || !Number.isSafeInteger(choice.index) || !isStringOrNull(choice.finish_reason)) return false;
  const { delta } = choice;
  return isRecord(delta) && isOptionalString(delta.role) && isNullishString(delta.content) && delta.tool_calls == null && isNullishString(delta.refusal);
}

function isFastEnvelope(body: unknown): body is Json {
  return (
    isRecord(body) && typeof body.id === 'string' && typeof body.object === 'string' && (body.created === undefined || (typeof body.created === 'number' && Number.isFinite(body.created))) &&
    isOptionalString(body.model) && isFastUsage(body.usage)
  );
}

/** chatCompletionSchema's result for `body`, or null where the schema refuses it. */
export function readChatCompletion(body: unknown): ChatCompletion | null {
  if (isFastEnvelope(body) && Array.isArray(body.choices) && body.choices.every(isFastCompletionChoice)) return body as ChatCompletion;
  const parsed = chatCompletionSchema.safeParse(body);
  return parsed.success ? parsed.data : null;
}

/** chatCompletionChunkSchema's result for `body`, or null where the schema refuses it. */
export function readChatCompletionChunk(body: unknown): ChatCompletionChunk | null {
  if (isFastEnvelope(body) && Array.isArray(body.choices) && body.choices.every(isFastChunkChoice)) return body as ChatCompletionChunk;
  const parsed = chatCompletionChunkSchema.safeParse(body);
  return parsed.success ? parsed.data : null;
}

/** upstreamErrorSchema's result for `body`, or null: most bodies hold no `error` object, and zod is slowest when it refuses. */
export function readUpstreamErrorBody(body: unknown): z.infer<typeof upstreamErrorSchema> | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const { error } = body as Json;
  if (typeof error !== 'object' || error === null || Array.isArray(error)) return null;
  const parsed = upstreamErrorSchema.safeParse(body);
  return parsed.success ? parsed.data : null;
}

/** The final chunk of a stream whose client asked for `stream_options.include_usage`. */
/** About four characters per token, the usual rule of thumb for English text: for text an upstream never counted. */
export function estimateTokens(text: string): number {
  return text === '' ? 0 : Math.ceil(text.length / 4);
}

/**
 * The usage of an answer begun on one target and continued on another: the
 * completion is every part the client received (the earlier targets' and the
 * final one's), and the prompt is the final target's less the earlier part,
 * which it was given back as the assistant prefill and is no part of the
 * client's prompt.
 */
export function continuedUsage(earlierCompletionTokens: number, final: Usage): Usage {
  const prompt = Math.max(0, final.prompt_tokens - earlierCompletionTokens);
  const completion = final.completion_tokens + earlierCompletionTokens;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

export function usageChunk(meta: { id: string; created: number }, model: string, usage: Usage): ChatCompletionChunk {
  return { id: meta.id, object: 'chat.completion.chunk', created: meta.created, model, choices: [], usage };
}
