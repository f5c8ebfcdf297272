// The adapter for Anthropic's Messages API, pure (anthropic.test.ts). It
// translates an OpenAI Chat Completions request into a Messages request, and
// Anthropic's message or event stream back into OpenAI's shapes, so clients
// of the OpenAI SDK cannot tell which provider answered.
import { z } from 'zod';
import type { ChatCompletion, ChatCompletionChunk, ChatMessage, ChatRequest, ContentPart, Usage } from '../openai-schema';
import type { SseEvent } from '../sse';
import { assertSuccessfulResponse, unixNow, withPath } from './shared';
import {
  UnsupportedByTargetError,
  UpstreamResponseError,
  type BuildOptions,
  type ChatAdapter,
  type StreamMeta,
  type StreamStep,
  type StreamTranslator,
  type UpstreamRequest,
  type UpstreamTarget,
} from './types';

export const ANTHROPIC_VERSION = '2023-06-01';
/** Anthropic requires max_tokens; OpenAI does not. Used when the client leaves it out. */
export const DEFAULT_MAX_TOKENS = 4096;

/** Anthropic accepts an assistant turn at the end of `messages` and continues it. */
export function supportsAnthropicPrefill(_target: UpstreamTarget): boolean {
  return true;
}

// ---------------------------------------------------------------- request

type Block = Record<string, unknown>;
type Turn = { role: 'user' | 'assistant'; content: Block[] };

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

function parseDataUrl(url: string): { mediaType: string; data: string } | null {
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return match ? { mediaType: match[1].toLowerCase(), data: match[2] } : null;
}

function textOf(content: string | { text: string }[]): string {
  return typeof content === 'string' ? content : content.map((part) => part.text).join('\n');
}

function textBlock(text: string): Block[] {
  // Anthropic refuses empty text blocks.
  return text === '' ? [] : [{ type: 'text', text }];
}

function partBlocks(part: ContentPart, where: string): Block[] {
  switch (part.type) {
    case 'text':
      return textBlock(part.text);
    case 'refusal':
      return textBlock(part.refusal);
    case 'image_url': {
      const inline = parseDataUrl(part.image_url.url);
      if (inline) {
        if (!IMAGE_TYPES.has(inline.mediaType)) throw new UnsupportedByTargetError(`Anthropic does not accept ${inline.mediaType} images (${where}).`);
        return [{ type: 'image', source: { type: 'base64', media_type: inline.mediaType, data: inline.data } }];
      }
      if (/^https?:\/\//i.test(part.image_url.url)) return [{ type: 'image', source: { type: 'url', url: part.image_url.url } }];
      throw new UnsupportedByTargetError(`Anthropic cannot read the image URL in ${where}.`);
    }
    case 'file': {
      const inline = typeof part.file.file_data === 'string' ? parseDataUrl(part.file.file_data) : null;
      if (inline?.mediaType === 'application/pdf') {
        return [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: inline.data } }];
      }
      throw new UnsupportedByTargetError(`Anthropic accepts only inline PDF files (${where}).`);
    }
    default:
      throw new UnsupportedByTargetError(`Anthropic does not accept ${part.type} content (${where}).`);
  }
}

function contentBlocks(content: string | ContentPart[] | null | undefined, where: string): Block[] {
  if (content == null) return [];
  if (typeof content === 'string') return textBlock(content);
  return content.flatMap((part, i) => partBlocks(part, `${where}[${i}]`));
}

function toolInput(args: string, where: string): Record<string, unknown> {
  if (args.trim() === '') return {};
  try {
    const input: unknown = JSON.parse(args);
    if (typeof input === 'object' && input !== null && !Array.isArray(input)) return input as Record<string, unknown>;
  } catch {
    // handled below
  }
  throw new UnsupportedByTargetError(`Anthropic needs tool call arguments that are a JSON object (${where}).`);
}

function messageBlocks(message: Exclude<ChatMessage, { role: 'system' | 'developer' }>, where: string): Block[] {
  switch (message.role) {
    case 'user':
      return contentBlocks(message.content, `${where}.content`);
    case 'tool':
      return [{ type: 'tool_result', tool_use_id: message.tool_call_id, content: textOf(message.content) }];
    case 'assistant':
      return [
        ...contentBlocks(message.content, `${where}.content`),
        ...(message.tool_calls ?? []).map((call, i) => ({
          type: 'tool_use',
          id: call.id,
          name: call.function.name,
          input: toolInput(call.function.arguments, `${where}.tool_calls[${i}]`),
        })),
      ];
  }
}

function translateToolChoice(request: ChatRequest): Block | undefined {
  const choice = request.tool_choice;
  const noParallel = request.parallel_tool_calls === false ? { disable_parallel_tool_use: true } : {};
  if (choice == null || choice === 'auto') return request.parallel_tool_calls === false ? { type: 'auto', ...noParallel } : undefined;
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any', ...noParallel };
  if (choice.type === 'function') {
    const name = (choice.function as { name?: unknown } | undefined)?.name;
    if (typeof name === 'string') return { type: 'tool', name, ...noParallel };
  }
  throw new UnsupportedByTargetError(`Anthropic cannot express the tool_choice ${JSON.stringify(choice)}.`);
}

function translateTools(request: ChatRequest): Block[] | undefined {
  if (!request.tools?.length) return undefined;
  return request.tools.map((tool, i) => {
    if (tool.type !== 'function') throw new UnsupportedByTargetError(`Anthropic accepts only function tools (tools[${i}] is ${tool.type}).`);
    return {
      name: tool.function.name,
      ...(tool.function.description ? { description: tool.function.description } : {}),
      input_schema: tool.function.parameters ?? { type: 'object', properties: {} },
    };
  });
}

/**
 * Anthropic has no JSON mode. Asking for JSON in the system prompt keeps a
 * fallback useful to a client that parses the answer; it is an instruction,
 * not a guarantee, which is the trade a degraded target makes.
 */
function jsonInstruction(request: ChatRequest): string | null {
  const format = request.response_format;
  if (!format || format.type === 'text') return null;
  if (format.type === 'json_object') return 'Respond with one valid JSON object and nothing else: no prose, no code fences.';
  const schema = format.json_schema.schema ? ` It must match this JSON Schema: ${JSON.stringify(format.json_schema.schema)}` : '';
  return `Respond with one valid JSON object and nothing else: no prose, no code fences.${schema}`;
}

export function buildAnthropicRequest(target: UpstreamTarget, request: ChatRequest, opts: BuildOptions): UpstreamRequest {
  const system: string[] = [];
  const turns: Turn[] = [];
  const append = (role: Turn['role'], blocks: Block[]) => {
    if (blocks.length === 0) return;
    const last = turns[turns.length - 1];
    // Anthropic wants user and assistant to alternate, and all results of parallel tool calls in one user turn.
    if (last?.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  };

  request.messages.forEach((message, i) => {
    // Anthropic has one system prompt; instructions given mid-conversation join it.
    if (message.role === 'system' || message.role === 'developer') system.push(textOf(message.content));
    else append(message.role === 'assistant' ? 'assistant' : 'user', messageBlocks(message, `messages[${i}]`));
  });
  // Anthropic refuses a final assistant turn that ends in whitespace; the stream translator drops the matching whitespace it repeats.
  if (opts.assistantPrefill) append('assistant', textBlock(opts.assistantPrefill.trimEnd()));
  if (turns.length === 0) throw new UnsupportedByTargetError('Anthropic needs at least one user or assistant message.');

  const instruction = jsonInstruction(request);
  if (instruction) system.push(instruction);

  const body: Record<string, unknown> = {
    model: target.model,
    max_tokens: request.max_completion_tokens ?? request.max_tokens ?? DEFAULT_MAX_TOKENS,
    messages: turns,
  };
  const systemText = system.filter((text) => text !== '').join('\n\n');
  if (systemText) body.system = systemText;
  // Anthropic's temperature stops at 1 where OpenAI's goes to 2, and recent
  // Claude models refuse temperature and top_p together: temperature wins.
  if (request.temperature != null) body.temperature = Math.min(request.temperature, 1);
  else if (request.top_p != null) body.top_p = request.top_p;
  const stops = request.stop == null ? [] : typeof request.stop === 'string' ? [request.stop] : request.stop;
  // Anthropic refuses stop sequences made only of whitespace.
  const stopSequences = stops.filter((stop) => stop.trim() !== '');
  if (stopSequences.length) body.stop_sequences = stopSequences;
  const tools = translateTools(request);
  if (tools) {
    body.tools = tools;
    const toolChoice = translateToolChoice(request);
    if (toolChoice) body.tool_choice = toolChoice;
  }
  if (request.user) body.metadata = { user_id: request.user };
  if (opts.stream) body.stream = true;
  // seed, penalties, logprobs and other OpenAI-only fields have no Anthropic equivalent and are not sent.

  const url = withPath(target.endpointUrl, (path) => {
    if (path.endsWith('/v1/messages')) return path;
    return path.endsWith('/v1') ? `${path}/messages` : `${path}/v1/messages`;
  });
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: opts.stream ? 'text/event-stream' : 'application/json',
    'anthropic-version': ANTHROPIC_VERSION,
  };
  if (target.apiKey) headers['x-api-key'] = target.apiKey;
  return { url: url.toString(), method: 'POST', headers, body: JSON.stringify(body) };
}

// ---------------------------------------------------------------- responses

const count = z.number().nonnegative().catch(0);

const anthropicUsageSchema = z.looseObject({
  input_tokens: count.default(0),
  output_tokens: count.default(0),
  cache_creation_input_tokens: count.nullish(),
  cache_read_input_tokens: count.nullish(),
});
type AnthropicUsage = z.infer<typeof anthropicUsageSchema>;

const textBlockSchema = z.looseObject({ type: z.literal('text'), text: z.string() });
const toolUseBlockSchema = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string(),
  name: z.string(),
  input: z.record(z.string(), z.unknown()).default({}),
});

const anthropicMessageSchema = z.looseObject({
  id: z.string().default(''),
  model: z.string().optional(),
  content: z.array(z.looseObject({ type: z.string() })),
  stop_reason: z.string().nullish(),
  usage: anthropicUsageSchema.optional(),
});

/** Anthropic's reasons mapped onto OpenAI's finish_reason values. */
export function toFinishReason(stopReason: string | null | undefined): string | null {
  switch (stopReason) {
    case null:
    case undefined:
      return null;
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop'; // end_turn, stop_sequence, pause_turn and reasons added later
  }
}

/** OpenAI counts cached prompt tokens inside prompt_tokens; Anthropic reports them apart. */
export function toOpenAiUsage(usage: AnthropicUsage): Usage {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const promptTokens = usage.input_tokens + cacheRead + (usage.cache_creation_input_tokens ?? 0);
  return {
    prompt_tokens: promptTokens,
    completion_tokens: usage.output_tokens,
    total_tokens: promptTokens + usage.output_tokens,
    ...(usage.cache_read_input_tokens != null ? { prompt_tokens_details: { cached_tokens: cacheRead } } : {}),
  };
}

export function parseAnthropicResponse(target: UpstreamTarget, status: number, body: unknown, meta: Partial<StreamMeta> = {}): ChatCompletion {
  assertSuccessfulResponse(status, body);
  const malformed = (what: string) => new UpstreamResponseError(`The upstream answered with ${what}.`, status, 'malformed');
  const parsed = anthropicMessageSchema.safeParse(body);
  if (!parsed.success) throw malformed('a body that is not an Anthropic message');

  const texts: string[] = [];
  const toolCalls: { id: string; type: 'function'; function: { name: string; arguments: string } }[] = [];
  for (const block of parsed.data.content) {
    if (block.type === 'text') {
      const text = textBlockSchema.safeParse(block);
      if (!text.success) throw malformed('a text block without text');
      texts.push(text.data.text);
    } else if (block.type === 'tool_use') {
      const call = toolUseBlockSchema.safeParse(block);
      if (!call.success) throw malformed('a tool_use block without an id, name or input');
      toolCalls.push({ id: call.data.id, type: 'function', function: { name: call.data.name, arguments: JSON.stringify(call.data.input) } });
    }
    // thinking and server-tool blocks have no place in a chat completion
  }

  return {
    id: meta.id ?? parsed.data.id,
    object: 'chat.completion',
    created: meta.created ?? unixNow(),
    model: parsed.data.model || target.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: texts.length ? texts.join('') : toolCalls.length ? null : '',
          ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
          refusal: null,
        },
        finish_reason: toFinishReason(parsed.data.stop_reason),
        logprobs: null,
      },
    ],
    ...(parsed.data.usage ? { usage: toOpenAiUsage(parsed.data.usage) } : {}),
  };
}

// ---------------------------------------------------------------- streaming

const streamEventSchema = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('message_start'),
    message: z.looseObject({ model: z.string().optional(), usage: anthropicUsageSchema.optional() }),
  }),
  z.looseObject({ type: z.literal('content_block_start'), index: z.number().int(), content_block: z.looseObject({ type: z.string() }) }),
  z.looseObject({ type: z.literal('content_block_delta'), index: z.number().int(), delta: z.looseObject({ type: z.string() }) }),
  z.looseObject({ type: z.literal('content_block_stop') }),
  z.looseObject({
    type: z.literal('message_delta'),
    delta: z.looseObject({ stop_reason: z.string().nullish() }).default({}),
    usage: z
      .looseObject({
        output_tokens: count.optional(),
        input_tokens: count.nullish(),
        cache_creation_input_tokens: count.nullish(),
        cache_read_input_tokens: count.nullish(),
      })
      .nullish(),
  }),
  z.looseObject({ type: z.literal('message_stop') }),
  z.looseObject({ type: z.literal('ping') }),
  z.looseObject({
    type: z.literal('error'),
    error: z
      .looseObject({
        type: z.string().catch('api_error'),
        message: z.string().catch('Anthropic reported an error without a message.'),
      })
      .catch({ type: 'api_error', message: 'Anthropic reported an error without a message.' }),
  }),
]);
type StreamEvent = z.infer<typeof streamEventSchema>;
const KNOWN_EVENT_TYPES = new Set(['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop', 'ping', 'error']);
const eventTypeSchema = z.looseObject({ type: z.string() });

export function createAnthropicStreamTranslator(target: UpstreamTarget, meta: StreamMeta): StreamTranslator {
  let model: string | null = null;
  let usage: AnthropicUsage | null = null;
  let finishReason: string | null = null;
  let sawDone = false;
  let done = false;
  let malformed = 0;
  let text = meta.assistantPrefill ?? '';
  const toolIndexByBlock = new Map<number, number>();
  // The prefill was sent without its trailing whitespace, which the client already has:
  // whitespace the model repeats at the start of its continuation is dropped once.
  let dropLeadingWhitespace = !!meta.assistantPrefill && /\s$/.test(meta.assistantPrefill);

  const chunk = (delta: Record<string, unknown>, finish: string | null = null): ChatCompletionChunk => ({
    id: meta.id,
    object: 'chat.completion.chunk',
    created: meta.created,
    model: model ?? target.model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  const step = (chunks: ChatCompletionChunk[] = []): StreamStep => ({ chunks, done, malformed: false });
  const skip = (): StreamStep => {
    malformed++;
    return { chunks: [], done, malformed: true };
  };
  const emitText = (piece: string): StreamStep => {
    if (dropLeadingWhitespace) {
      piece = piece.replace(/^\s+/, '');
      if (piece === '') return step();
      dropLeadingWhitespace = false;
    }
    if (piece === '') return step();
    text += piece;
    return step([chunk({ content: piece })]);
  };

  function handle(event: StreamEvent): StreamStep {
    switch (event.type) {
      case 'message_start': {
        const { message } = event;
        if (message.model) model = message.model;
        if (message.usage) usage = message.usage;
        return step([chunk({ role: 'assistant', content: '' })]);
      }
      case 'content_block_start': {
        const { index, content_block: block } = event;
        if (block.type === 'text') return typeof block.text === 'string' ? emitText(block.text) : skip();
        if (block.type !== 'tool_use') return step(); // thinking and server tools are not part of an OpenAI answer
        const call = toolUseBlockSchema.safeParse(block);
        if (!call.success) return skip();
        const toolIndex = toolIndexByBlock.size;
        toolIndexByBlock.set(index, toolIndex);
        const args = Object.keys(call.data.input).length ? JSON.stringify(call.data.input) : '';
        return step([chunk({ tool_calls: [{ index: toolIndex, id: call.data.id, type: 'function', function: { name: call.data.name, arguments: args } }] })]);
      }
      case 'content_block_delta': {
        const { index, delta } = event;
        if (delta.type === 'text_delta') return typeof delta.text === 'string' ? emitText(delta.text) : skip();
        if (delta.type === 'input_json_delta') {
          const toolIndex = toolIndexByBlock.get(index);
          if (toolIndex === undefined || typeof delta.partial_json !== 'string') return skip();
          if (delta.partial_json === '') return step();
          return step([chunk({ tool_calls: [{ index: toolIndex, function: { arguments: delta.partial_json } }] })]);
        }
        return step(); // thinking, signature and citation deltas
      }
      case 'message_delta': {
        if (event.usage) {
          // Counts in message_delta are cumulative; output_tokens is always there, the rest sometimes.
          const base = usage ?? anthropicUsageSchema.parse({});
          usage = { ...base };
          for (const [key, value] of Object.entries(event.usage)) if (typeof value === 'number') usage[key] = value;
        }
        const reason = toFinishReason(event.delta.stop_reason);
        if (!reason) return step();
        finishReason = reason;
        return step([chunk({}, reason)]);
      }
      case 'message_stop':
        done = sawDone = true;
        return step();
      case 'error': {
        const { error } = event;
        done = true;
        return { chunks: [], done, malformed: false, error: { message: error.message, type: error.type } };
      }
      case 'content_block_stop':
      case 'ping':
        return step();
    }
  }

  return {
    push(event: SseEvent) {
      if (done) return step();
      let json: unknown;
      try {
        json = JSON.parse(event.data);
      } catch {
        return skip();
      }
      const typed = eventTypeSchema.safeParse(json);
      if (!typed.success) return skip();
      // Anthropic may add event types; unknown ones are ignored, as its documentation asks.
      if (!KNOWN_EVENT_TYPES.has(typed.data.type)) return step();
      const parsed = streamEventSchema.safeParse(json);
      return parsed.success ? handle(parsed.data) : skip();
    },
    finish() {
      done = true;
      return {
        chunks: [],
        usage: usage ? toOpenAiUsage(usage) : null,
        finishReason,
        sawDone,
        text,
        model: model ?? target.model,
        malformed,
        hasToolCalls: toolIndexByBlock.size > 0,
      };
    },
  };
}

export const anthropicAdapter: ChatAdapter = {
  buildRequest: buildAnthropicRequest,
  supportsAssistantPrefill: supportsAnthropicPrefill,
  parseResponse: parseAnthropicResponse,
  createStreamTranslator: createAnthropicStreamTranslator,
};
