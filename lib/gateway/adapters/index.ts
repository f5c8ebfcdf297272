// The gateway's one entry point to upstream adapters: each function picks the
// adapter from the API the target speaks (pure; index.test.ts).
import type { ChatCompletion, ChatRequest } from '../openai-schema';
import { anthropicAdapter } from './anthropic';
import { openAiCompatibleAdapter } from './openai-compatible';
import type { BuildOptions, ChatAdapter, StreamMeta, StreamTranslator, UpstreamRequest, UpstreamTarget } from './types';

export { readUpstreamError } from './shared';
export * from './types';

export function adapterFor(target: Pick<UpstreamTarget, 'apiStyle'>): ChatAdapter {
  return target.apiStyle === 'anthropic_messages' ? anthropicAdapter : openAiCompatibleAdapter;
}

/** The HTTP request to send; throws UnsupportedByTargetError when the target cannot express the request. */
export function buildUpstreamRequest(target: UpstreamTarget, request: ChatRequest, opts: BuildOptions): UpstreamRequest {
  return adapterFor(target).buildRequest(target, request, opts);
}

/** Whether a stream cut mid-answer can be continued on this target from the text already sent. */
export function supportsAssistantPrefill(target: UpstreamTarget): boolean {
  return adapterFor(target).supportsAssistantPrefill(target);
}

/** An upstream's non-streaming answer as an OpenAI chat.completion; throws UpstreamResponseError. */
export function parseUpstreamResponse(target: UpstreamTarget, status: number, body: unknown, meta?: Partial<StreamMeta>): ChatCompletion {
  return adapterFor(target).parseResponse(target, status, body, meta);
}

/** Turns an upstream's SSE events into OpenAI chat.completion.chunk objects. */
export function createStreamTranslator(target: UpstreamTarget, meta: StreamMeta): StreamTranslator {
  return adapterFor(target).createStreamTranslator(target, meta);
}
