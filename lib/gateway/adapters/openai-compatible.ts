// The adapter for upstreams that speak OpenAI Chat Completions: OpenAI, Azure
// OpenAI, Gemini's OpenAI-compatible endpoint and self-hosted servers (vLLM,
// TGI, Ollama). Pure (openai-compatible.test.ts). The client's request passes
// through almost untouched: only the model, streaming options and, for a
// continuation, the final assistant message change.
import {
  readChatCompletion,
  readChatCompletionChunk,
  readUpstreamErrorBody,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatRequest,
  type Usage,
} from '../openai-schema';
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

/** The GA data-plane version used when an Azure endpoint URL does not name one. */
export const AZURE_API_VERSION = '2024-10-21';

/**
 * Only self-hosted servers can continue a partial answer: vLLM's
 * `continue_final_message` (and the same flag in SGLang) is an extension, not
 * part of OpenAI's API. OpenAI, Azure and Gemini would treat a trailing
 * assistant message as history and start a new answer, which would repeat
 * text the client already has.
 */
export function supportsOpenAiPrefill(target: UpstreamTarget): boolean {
  return target.providerKind === 'self_hosted';
}

/** Each target's URL, built once: parsing it costs more than the rest of building the request. Bounded by the targets configured. */
const completionsUrls = new Map<string, string>();

function chatCompletionsUrl(target: UpstreamTarget): string {
  const key = `${target.providerKind} ${target.endpointUrl}`;
  let url = completionsUrls.get(key);
  if (url === undefined) {
    url = buildChatCompletionsUrl(target);
    if (completionsUrls.size >= 1_000) completionsUrls.clear();
    completionsUrls.set(key, url);
  }
  return url;
}

function buildChatCompletionsUrl(target: UpstreamTarget): string {
  let basePath = '';
  const url = withPath(target.endpointUrl, (path) => {
    basePath = path;
    return path.endsWith('/chat/completions') ? path : `${path}/chat/completions`;
  });
  // Azure's v1 API (/openai/v1) takes no api-version; the deployment-style API requires one.
  const isAzureV1 = /\/openai\/v1(\/|$)/.test(basePath);
  if (target.providerKind === 'azure_openai' && !isAzureV1 && !url.searchParams.has('api-version')) {
    url.searchParams.set('api-version', AZURE_API_VERSION);
  }
  return url.toString();
}

export function buildOpenAiRequest(target: UpstreamTarget, request: ChatRequest, opts: BuildOptions): UpstreamRequest {
  // Copied member by member: a spread copy that then gains a member it lacked (stream, stream_options) takes V8 a
  // slow path of about a microsecond a member (sendJson in context.ts). An own __proto__ is not an API field.
  const body: Record<string, unknown> = {};
  for (const key in request) {
    if (key !== 'stream' && key !== 'stream_options' && key !== '__proto__') body[key] = request[key as keyof ChatRequest];
  }
  body.model = target.model;
  if (opts.stream) {
    body.stream = true;
    // Always ask for usage, so it can be recorded and reported even if the client did not ask.
    body.stream_options = Object.assign({}, request.stream_options, { include_usage: true });
  }
  if (opts.assistantPrefill) {
    if (!supportsOpenAiPrefill(target)) {
      throw new UnsupportedByTargetError(`A ${target.providerKind} target cannot continue a partial answer.`);
    }
    body.messages = [...request.messages, { role: 'assistant', content: opts.assistantPrefill }];
    body.continue_final_message = true;
    body.add_generation_prompt = false; // vLLM refuses continue_final_message alongside it
  }

  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: opts.stream ? 'text/event-stream' : 'application/json',
  };
  if (target.apiKey) {
    if (target.providerKind === 'azure_openai') headers['api-key'] = target.apiKey;
    else headers.authorization = `Bearer ${target.apiKey}`;
  }
  return { url: chatCompletionsUrl(target), method: 'POST', headers, body: JSON.stringify(body) };
}

export function parseOpenAiResponse(target: UpstreamTarget, status: number, body: unknown, meta: Partial<StreamMeta> = {}): ChatCompletion {
  assertSuccessfulResponse(status, body);
  const completion = readChatCompletion(body);
  if (!completion) {
    throw new UpstreamResponseError('The upstream answered with a body that is not a chat completion.', status, 'malformed');
  }
  if (completion.choices.length === 0) {
    throw new UpstreamResponseError('The upstream answered with a chat completion without choices.', status, 'malformed');
  }
  return {
    ...completion,
    id: meta.id ?? completion.id,
    object: 'chat.completion',
    created: meta.created ?? completion.created ?? unixNow(),
    model: completion.model || target.model,
  };
}

/** How OpenAI ends every chunk of a stream that asked for usage: the gateway reports usage itself, so it is left out. */
const NULL_USAGE_TAIL = ',"usage":null}';
/** Members the gateway sets or leaves out: the upstream's text may carry none of them past its leading ones. */
const REWRITTEN_MEMBERS = ['"id":', '"object":', '"created":', '"model":', '"usage":'];

/**
 * The chunk `data` parsed into `chunk`, as text with `head` (the gateway's id, object, created and model) in place of
 * the upstream's own leading members, or null where that cannot be done with certainty. It can when the upstream
 * wrote those four members first and compactly (OpenAI, vLLM), no other member of that name appears anywhere after
 * them (a key in JSON text is always an unescaped quote, name, quote and colon, so a search cannot be fooled by a
 * string value), usage is absent or a trailing null, and no finish_reason needs rewriting. Then the text and the
 * chunk object the gateway would serialise hold the same members with the same values, and re-serialising every
 * event of every stream, a visible share of a streamed request's CPU (decision 018), is saved.
 */
function chunkText(data: string, chunk: Record<string, unknown>, head: string): string | null {
  const { id, created, model, usage, choices } = chunk;
  if (typeof id !== 'string' || typeof model !== 'string' || !Number.isSafeInteger(created) || (usage !== undefined && usage !== null)) return null;
  const lead = `{"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created as number},"model":${JSON.stringify(model)},`;
  if (!data.startsWith(lead)) return null;
  let end = data.length;
  if (usage === null) {
    if (!data.endsWith(NULL_USAGE_TAIL)) return null;
    end -= NULL_USAGE_TAIL.length;
  }
  const rest = data.slice(lead.length, end);
  for (const member of REWRITTEN_MEMBERS) if (rest.includes(member)) return null;
  if ((choices as { finish_reason?: unknown }[]).some((choice) => choice.finish_reason === '')) return null;
  return `${head}${rest}${usage === null ? '}' : ''}`;
}

export function createOpenAiStreamTranslator(target: UpstreamTarget, meta: StreamMeta): StreamTranslator {
  let model: string | null = null;
  let usage: Usage | null = null;
  let finishReason: string | null = null;
  let sawDone = false;
  let done = false;
  let malformed = 0;
  let hasToolCalls = false;
  let text = meta.assistantPrefill ?? '';

  /** The gateway's leading members for the model named, made once per model (chunkText). */
  let head = '';
  let headModel: string | null = null;
  const headFor = (name: string) => {
    if (headModel !== name) {
      headModel = name;
      head = `{"id":${JSON.stringify(meta.id)},"object":"chat.completion.chunk","created":${meta.created},"model":${JSON.stringify(name)},`;
    }
    return head;
  };

  const steps = {
    next(chunks: ChatCompletionChunk[] = []): StreamStep {
      return { chunks, done, malformed: false };
    },
    skip(): StreamStep {
      malformed++;
      return { chunks: [], done, malformed: true };
    },
    fail(message: string, type: string | null | undefined): StreamStep {
      done = true;
      return { chunks: [], done, malformed: false, error: { message, type: type || 'api_error' } };
    },
  };

  return {
    push(event: SseEvent) {
      if (done) return steps.next();
      const data = event.data.trim();
      if (data === '[DONE]') {
        done = sawDone = true;
        return steps.next();
      }
      let json: unknown;
      try {
        json = JSON.parse(data);
      } catch {
        return event.event === 'error' ? steps.fail(data || 'The upstream sent an error event.', null) : steps.skip();
      }
      // OpenAI reports a failure after the headers as a data line holding `{ error }`.
      const upstreamError = readUpstreamErrorBody(json);
      if (upstreamError) return steps.fail(upstreamError.error.message, upstreamError.error.type);
      if (event.event === 'error') return steps.fail(data, null);

      const parsed = readChatCompletionChunk(json);
      if (!parsed) return steps.skip();
      const { usage: chunkUsage, ...chunk } = parsed;
      if (!model && chunk.model) model = chunk.model; // Azure's first chunk has an empty model
      if (chunkUsage) usage = chunkUsage;
      // A usage-only chunk, or Azure's prompt-filter chunk: the gateway reports usage itself.
      if (chunk.choices.length === 0) return steps.next();
      // Read before the chunk is filled in below; only a chunk the fast check passed as it came (parsed === json).
      const wire = parsed === json ? chunkText(data, parsed, headFor(model ?? target.model)) : null;

      const choices = chunk.choices.map((choice) => {
        if (choice.finish_reason) finishReason = choice.finish_reason;
        if (choice.index === 0 && typeof choice.delta.content === 'string') text += choice.delta.content;
        if (choice.delta.tool_calls?.length) hasToolCalls = true;
        return choice.finish_reason === '' ? { ...choice, finish_reason: null } : choice;
      });
      // `chunk` is already a copy (the rest above): filled in place rather than copied again.
      chunk.id = meta.id;
      chunk.object = 'chat.completion.chunk';
      chunk.created = meta.created;
      chunk.model = model ?? target.model;
      chunk.choices = choices;
      const step = steps.next([chunk]);
      if (wire !== null) step.wire = wire;
      return step;
    },
    finish() {
      done = true;
      return { chunks: [], usage, finishReason, sawDone, text, model: model ?? target.model, malformed, hasToolCalls };
    },
  };
}

export const openAiCompatibleAdapter: ChatAdapter = {
  buildRequest: buildOpenAiRequest,
  supportsAssistantPrefill: supportsOpenAiPrefill,
  parseResponse: parseOpenAiResponse,
  createStreamTranslator: createOpenAiStreamTranslator,
};
