// What every upstream adapter offers the gateway. Adapters are pure: they build
// the HTTP request to send and translate what comes back into OpenAI's shapes;
// the gateway does the I/O, retries and failover.
import type { ApiStyle, ProviderKind } from '@/lib/routing/enums';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest, Usage } from '../openai-schema';
import type { SseEvent } from '../sse';

export type UpstreamTarget = {
  apiStyle: ApiStyle;
  endpointUrl: string;
  model: string;
  apiKey: string | null;
  providerKind: ProviderKind;
};

export type BuildOptions = {
  stream: boolean;
  /** A partial answer the target should continue from, after a stream failed mid-answer elsewhere. */
  assistantPrefill?: string;
};

export type UpstreamRequest = { url: string; method: 'POST'; headers: Record<string, string>; body: string };

export type StreamMeta = {
  /** The id and creation time the client sees on every chunk, whichever target answers. */
  id: string;
  created: number;
  /** The prefill this attempt continues from (see BuildOptions); it counts towards `text`. */
  assistantPrefill?: string;
};

export type StreamStep = {
  chunks: ChatCompletionChunk[];
  /** The upstream said it has finished ([DONE], message_stop) or failed (an error event). */
  done: boolean;
  /** This event could not be used (bad JSON or an unexpected shape) and was skipped. */
  malformed: boolean;
  error?: { message: string; type: string };
  /**
   * The one chunk of this step as JSON text, when the translator could take it from the upstream's own text
   * (the same members, with the gateway's id, created and model in place): written as it is, instead of
   * serialising the chunk again. Absent when the chunk must be serialised.
   */
  wire?: string;
};

export type StreamOutcome = {
  /** Always empty today: chunks are released as events arrive. Kept so a translator may buffer. */
  chunks: ChatCompletionChunk[];
  usage: Usage | null;
  /** Null means the answer never said it was complete: treat the stream as cut. */
  finishReason: string | null;
  /** The upstream's own end marker arrived ([DONE] or message_stop). */
  sawDone: boolean;
  /** The assistant text so far, including the prefill this attempt continued from. */
  text: string;
  /** The model that answered, as the upstream named it (or the target's model when it did not). */
  model: string;
  /** How many events were skipped as malformed. */
  malformed: number;
  /** Tool calls began: a cut stream cannot then be continued with a text prefill. */
  hasToolCalls: boolean;
};

export type StreamTranslator = {
  push(event: SseEvent): StreamStep;
  finish(): StreamOutcome;
};

export type ChatAdapter = {
  buildRequest(target: UpstreamTarget, request: ChatRequest, opts: BuildOptions): UpstreamRequest;
  supportsAssistantPrefill(target: UpstreamTarget): boolean;
  parseResponse(target: UpstreamTarget, status: number, body: unknown, meta?: Partial<StreamMeta>): ChatCompletion;
  createStreamTranslator(target: UpstreamTarget, meta: StreamMeta): StreamTranslator;
};

export type UpstreamErrorDetail = { message: string; type: string | null; code: string | null };

/**
 * The request cannot be expressed for this target (audio for Anthropic, a
 * prefill where continuation is unsupported). The gateway should skip the
 * target without counting it as a failure of the target.
 */
export class UnsupportedByTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedByTargetError';
  }
}

/** Thrown by `parseResponse`: the upstream answered with an error, or with a body we cannot use. */
export class UpstreamResponseError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** `error_response`: the upstream said it failed (an error status or an error body); `malformed`: we cannot read its answer. */
    readonly kind: 'error_response' | 'malformed',
    readonly detail: UpstreamErrorDetail | null = null,
  ) {
    super(message);
    this.name = 'UpstreamResponseError';
  }
}
