import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChatRequest, type ChatRequest } from '../openai-schema';
import { createSseParser } from '../sse';
import {
  AZURE_API_VERSION,
  buildOpenAiRequest,
  createOpenAiStreamTranslator,
  parseOpenAiResponse,
  supportsOpenAiPrefill,
} from './openai-compatible';
import { UnsupportedByTargetError, UpstreamResponseError, type StreamStep, type StreamTranslator, type UpstreamTarget } from './types';

const openai: UpstreamTarget = { apiStyle: 'openai_chat', providerKind: 'openai', endpointUrl: 'https://api.openai.com/v1', model: 'gpt-4o', apiKey: 'sk-test' };
const azure: UpstreamTarget = {
  apiStyle: 'openai_chat',
  providerKind: 'azure_openai',
  endpointUrl: 'https://standby-demo.openai.azure.com/openai/deployments/gpt-4o/',
  model: 'gpt-4o',
  apiKey: 'azure-key',
};
const google: UpstreamTarget = {
  apiStyle: 'openai_chat',
  providerKind: 'google',
  endpointUrl: 'https://generativelanguage.googleapis.com/v1beta/openai',
  model: 'gemini-2.5-flash',
  apiKey: 'g-key',
};
const vllm: UpstreamTarget = { apiStyle: 'openai_chat', providerKind: 'self_hosted', endpointUrl: 'http://vllm.internal:8000/v1', model: 'meta-llama/Llama-3.3-70B-Instruct', apiKey: null };

function chatRequest(body: Record<string, unknown>): ChatRequest {
  const parsed = parseChatRequest({ model: 'support-bot', messages: [{ role: 'user', content: 'Hi' }], ...body });
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.request;
}

const meta = { id: 'chatcmpl-standby-1', created: 1_760_000_000 };

/** Runs a recorded SSE body through the parser and translator, as the gateway does. */
function replay(translator: StreamTranslator, body: string): StreamStep[] {
  const parser = createSseParser();
  const events = [...parser.push(body), ...parser.end()];
  return events.map((event) => translator.push(event));
}

// ---------------------------------------------------------------- requests

test('OpenAI: POST {endpoint}/chat/completions with a bearer token and the target model', () => {
  const built = buildOpenAiRequest(openai, chatRequest({ temperature: 0.3, logprobs: true }), { stream: false });
  assert.equal(built.url, 'https://api.openai.com/v1/chat/completions');
  assert.equal(built.method, 'POST');
  assert.equal(built.headers.authorization, 'Bearer sk-test');
  assert.equal(built.headers['content-type'], 'application/json');
  const body = JSON.parse(built.body);
  assert.equal(body.model, 'gpt-4o');
  assert.equal(body.temperature, 0.3);
  assert.equal(body.logprobs, true, 'unknown fields pass through');
  assert.deepEqual(body.messages, [{ role: 'user', content: 'Hi' }]);
  assert.equal('stream' in body, false);
});

test('OpenAI: a stream always asks for usage and keeps the client’s other stream options', () => {
  const built = buildOpenAiRequest(openai, chatRequest({ stream: true, stream_options: { include_usage: false, include_obfuscation: false } }), { stream: true });
  const body = JSON.parse(built.body);
  assert.equal(body.stream, true);
  assert.deepEqual(body.stream_options, { include_usage: true, include_obfuscation: false });
  assert.equal(built.headers.accept, 'text/event-stream');
});

test('OpenAI: a non-streaming attempt drops stream options, which OpenAI refuses without stream', () => {
  const body = JSON.parse(buildOpenAiRequest(openai, chatRequest({ stream: true, stream_options: { include_usage: true } }), { stream: false }).body);
  assert.equal('stream' in body, false);
  assert.equal('stream_options' in body, false);
});

test('OpenAI: an endpoint that already ends in /chat/completions is not doubled', () => {
  const target = { ...openai, endpointUrl: 'https://proxy.example.com/v1/chat/completions' };
  assert.equal(buildOpenAiRequest(target, chatRequest({}), { stream: false }).url, 'https://proxy.example.com/v1/chat/completions');
});

test('Azure: api-key header and the default api-version in the query', () => {
  const built = buildOpenAiRequest(azure, chatRequest({}), { stream: true });
  assert.equal(built.url, `https://standby-demo.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=${AZURE_API_VERSION}`);
  assert.equal(built.headers['api-key'], 'azure-key');
  assert.equal(built.headers.authorization, undefined);
});

test('Azure: an api-version in the endpoint URL is kept; the v1 API gets none', () => {
  const pinned = { ...azure, endpointUrl: 'https://r.openai.azure.com/openai/deployments/gpt-4o?api-version=2025-04-01-preview' };
  assert.equal(buildOpenAiRequest(pinned, chatRequest({}), { stream: false }).url, 'https://r.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2025-04-01-preview');
  const v1 = { ...azure, endpointUrl: 'https://r.openai.azure.com/openai/v1/' };
  assert.equal(buildOpenAiRequest(v1, chatRequest({}), { stream: false }).url, 'https://r.openai.azure.com/openai/v1/chat/completions');
});

test('Google: the OpenAI-compatible endpoint with a bearer token', () => {
  const built = buildOpenAiRequest(google, chatRequest({}), { stream: false });
  assert.equal(built.url, 'https://generativelanguage.googleapis.com/v1beta/openai/chat/completions');
  assert.equal(built.headers.authorization, 'Bearer g-key');
  assert.equal(JSON.parse(built.body).model, 'gemini-2.5-flash');
});

test('self-hosted: no key means no authorization header', () => {
  const built = buildOpenAiRequest(vllm, chatRequest({}), { stream: false });
  assert.equal(built.url, 'http://vllm.internal:8000/v1/chat/completions');
  assert.equal(built.headers.authorization, undefined);
});

test('only self-hosted targets continue a partial answer', () => {
  assert.equal(supportsOpenAiPrefill(vllm), true);
  for (const target of [openai, azure, google]) assert.equal(supportsOpenAiPrefill(target), false, target.providerKind);
});

test('self-hosted: a prefill becomes a final assistant message continued with vLLM’s flags', () => {
  const body = JSON.parse(buildOpenAiRequest(vllm, chatRequest({}), { stream: true, assistantPrefill: 'The answer is ' }).body);
  assert.deepEqual(body.messages.at(-1), { role: 'assistant', content: 'The answer is ' });
  assert.equal(body.continue_final_message, true);
  assert.equal(body.add_generation_prompt, false);
});

test('a prefill for a target that cannot continue is refused, not silently restarted', () => {
  assert.throws(() => buildOpenAiRequest(openai, chatRequest({}), { stream: true, assistantPrefill: 'Partial' }), UnsupportedByTargetError);
  // An empty prefill is nothing to continue.
  assert.doesNotThrow(() => buildOpenAiRequest(openai, chatRequest({}), { stream: true, assistantPrefill: '' }));
});

// ---------------------------------------------------------------- responses

const completion = {
  id: 'chatcmpl-AbC',
  object: 'chat.completion',
  created: 1_759_999_999,
  model: 'gpt-4o-2024-08-06',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!', refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12, prompt_tokens_details: { cached_tokens: 0 } },
  service_tier: 'default',
  system_fingerprint: 'fp_1',
};

test('a completion passes through, naming the model that answered', () => {
  const parsed = parseOpenAiResponse(openai, 200, completion);
  assert.equal(parsed.model, 'gpt-4o-2024-08-06');
  assert.equal(parsed.id, 'chatcmpl-AbC');
  assert.equal(parsed.choices[0].message.content, 'Hello!');
  assert.equal(parsed.system_fingerprint, 'fp_1');
  assert.deepEqual(parsed.usage, completion.usage);
});

test('the gateway’s id and created replace the upstream’s when given; a missing model becomes the target’s', () => {
  const { model: _model, ...withoutModel } = completion;
  const parsed = parseOpenAiResponse(vllm, 200, withoutModel, meta);
  assert.equal(parsed.id, meta.id);
  assert.equal(parsed.created, meta.created);
  assert.equal(parsed.model, vllm.model);
});

test('a tool-call completion keeps its calls', () => {
  const body = {
    ...completion,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }] },
        finish_reason: 'tool_calls',
      },
    ],
  };
  const parsed = parseOpenAiResponse(openai, 200, body);
  assert.equal(parsed.choices[0].finish_reason, 'tool_calls');
  assert.equal(parsed.choices[0].message.tool_calls?.[0].function.arguments, '{"q":"x"}');
});

test('an error status or error body throws with the provider’s reason', () => {
  const body = { error: { message: 'Rate limit reached for gpt-4o', type: 'requests', param: null, code: 'rate_limit_exceeded' } };
  assert.throws(
    () => parseOpenAiResponse(openai, 429, body),
    (error: unknown) =>
      error instanceof UpstreamResponseError &&
      error.kind === 'error_response' &&
      error.status === 429 &&
      error.detail?.code === 'rate_limit_exceeded' &&
      /Rate limit reached/.test(error.message),
  );
  assert.throws(() => parseOpenAiResponse(openai, 200, body), (error: unknown) => error instanceof UpstreamResponseError && error.kind === 'error_response');
  assert.throws(() => parseOpenAiResponse(openai, 502, '<html>Bad gateway</html>'), (error: unknown) => error instanceof UpstreamResponseError && error.detail === null);
});

test('a malformed completion throws instead of crashing', () => {
  for (const body of [null, 'text', { choices: 'x' }, { choices: [] }, { choices: [{ message: { content: 3 } }] }]) {
    assert.throws(() => parseOpenAiResponse(openai, 200, body), (error: unknown) => error instanceof UpstreamResponseError && error.kind === 'malformed', JSON.stringify(body));
  }
});

// ---------------------------------------------------------------- streams

const recordedOpenAiStream = [
  'data: {"id":"chatcmpl-B9","object":"chat.completion.chunk","created":1759999999,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}',
  'data: {"id":"chatcmpl-B9","object":"chat.completion.chunk","created":1759999999,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}],"usage":null}',
  'data: {"id":"chatcmpl-B9","object":"chat.completion.chunk","created":1759999999,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"content":" there"},"logprobs":null,"finish_reason":null}],"usage":null}',
  'data: {"id":"chatcmpl-B9","object":"chat.completion.chunk","created":1759999999,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}',
  'data: {"id":"chatcmpl-B9","object":"chat.completion.chunk","created":1759999999,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_1","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}',
  'data: [DONE]',
].join('\n\n') + '\n\n';

test('an OpenAI stream passes through with the gateway’s id and the answering model; usage is held back', () => {
  const translator = createOpenAiStreamTranslator(openai, meta);
  const steps = replay(translator, recordedOpenAiStream);
  const chunks = steps.flatMap((step) => step.chunks);
  assert.equal(chunks.length, 4);
  for (const chunk of chunks) {
    assert.equal(chunk.id, meta.id);
    assert.equal(chunk.created, meta.created);
    assert.equal(chunk.model, 'gpt-4o-2024-08-06');
    assert.equal(chunk.object, 'chat.completion.chunk');
    assert.equal('usage' in chunk, false);
  }
  assert.equal(chunks[0].system_fingerprint, 'fp_1');
  assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: '', refusal: null });
  assert.equal(chunks[3].choices[0].finish_reason, 'stop');
  assert.deepEqual(steps.map((step) => step.done), [false, false, false, false, false, true]);
  assert.ok(steps.every((step) => !step.malformed && !step.error));

  const outcome = translator.finish();
  assert.equal(outcome.text, 'Hello there');
  assert.equal(outcome.finishReason, 'stop');
  assert.equal(outcome.sawDone, true);
  assert.equal(outcome.model, 'gpt-4o-2024-08-06');
  assert.equal(outcome.malformed, 0);
  assert.equal(outcome.hasToolCalls, false);
  assert.deepEqual(outcome.chunks, []);
  assert.equal(outcome.usage?.prompt_tokens, 9);
  assert.equal(outcome.usage?.completion_tokens, 2);
  assert.equal(outcome.usage?.total_tokens, 11);
});

test('a chunk OpenAI wrote is relayed as its own text with the gateway’s id, created and model, holding exactly the chunk', () => {
  const translator = createOpenAiStreamTranslator(openai, meta);
  const steps = replay(translator, recordedOpenAiStream).filter((step) => step.chunks.length > 0);
  assert.equal(steps.length, 4);
  for (const step of steps) {
    assert.ok(step.wire, 'every text chunk of a recorded OpenAI stream is taken from its own text');
    assert.deepEqual(JSON.parse(step.wire), JSON.parse(JSON.stringify(step.chunks[0])));
    assert.ok(step.wire.startsWith(`{"id":"${meta.id}","object":"chat.completion.chunk","created":${meta.created},"model":"gpt-4o-2024-08-06",`));
    assert.equal(step.wire.includes('usage'), false);
  }
});

test('a chunk whose text cannot be rewritten with certainty is serialised from the parsed chunk instead', () => {
  const head = '{"id":"u-1","object":"chat.completion.chunk","created":1759999999,"model":"gpt-4o"';
  const content = (text: string) => `"choices":[{"index":0,"delta":{"content":${JSON.stringify(text)}},"finish_reason":null}]`;
  const cases: [string, string, boolean][] = [
    ['the usual compact text', `${head},${content('Hi')}}`, true],
    ['a member name quoted inside a string value', `${head},${content('say "model": and "id":')}}`, true],
    ['a duplicate id after the choices (the last wins when parsed)', `${head},${content('Hi')},"id":"u-1"}`, false],
    ['a tool call, whose own id is a member', `${head},"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]},"finish_reason":null}]}`, false],
    ['members in another order (Azure)', `{"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}],"created":1759999999,"id":"u-1","model":"gpt-4o","object":"chat.completion.chunk"}`, false],
    ['spaces after the colons', `{"id": "u-1", "object": "chat.completion.chunk", "created": 1759999999, "model": "gpt-4o", ${content('Hi')}}`, false],
    ['an empty finish_reason, which the gateway writes as null', `${head},"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":""}]}`, false],
    ['usage inside a chunk with choices', `${head},${content('Hi')},"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`, false],
  ];
  for (const [what, data, fromText] of cases) {
    const step = createOpenAiStreamTranslator(openai, meta).push({ data });
    assert.equal(step.chunks.length, 1, what);
    const chunk = step.chunks[0];
    assert.deepEqual([chunk.id, chunk.created, chunk.model, 'usage' in chunk], [meta.id, meta.created, 'gpt-4o', false], what);
    assert.equal(step.wire !== undefined, fromText, what);
    if (step.wire) assert.deepEqual(JSON.parse(step.wire), JSON.parse(JSON.stringify(chunk)), what);
  }
});

test('a stream without [DONE] still reports its finish reason and usage, and says [DONE] never came', () => {
  const translator = createOpenAiStreamTranslator(openai, meta);
  const withoutDone = recordedOpenAiStream.replace('data: [DONE]\n\n', '');
  const steps = replay(translator, withoutDone);
  assert.equal(steps.at(-1)?.done, false);
  const outcome = translator.finish();
  assert.equal(outcome.sawDone, false);
  assert.equal(outcome.finishReason, 'stop');
  assert.equal(outcome.usage?.total_tokens, 11);
  assert.equal(outcome.text, 'Hello there');
});

test('a stream cut mid-answer has no finish reason, so it is never mistaken for a success', () => {
  const translator = createOpenAiStreamTranslator(openai, meta);
  const cut = recordedOpenAiStream.split('\n\n').slice(0, 3).join('\n\n') + '\n\ndata: {"id":"chatcmpl-B9","choi';
  replay(translator, cut);
  const outcome = translator.finish();
  assert.equal(outcome.finishReason, null);
  assert.equal(outcome.usage, null);
  assert.equal(outcome.text, 'Hello there');
  assert.equal(outcome.malformed, 0, 'an unterminated last line is dropped by the parser, not counted');
});

test('malformed chunks in the middle are skipped and counted; the rest of the answer arrives', () => {
  const lines = recordedOpenAiStream.split('\n\n');
  const broken = [
    lines[0],
    lines[1],
    'data: {"id":"chatcmpl-B9","choices":[{"index":0,"delta":{"content":',
    'data: not json at all',
    'data: {"choices":[{"index":0,"delta":{"content":42}}]}',
    'data: [1,2,3]',
    lines[2],
    ...lines.slice(3),
  ].join('\n\n');
  const translator = createOpenAiStreamTranslator(openai, meta);
  const steps = replay(translator, broken);
  assert.deepEqual(steps.map((step) => step.malformed), [false, false, true, true, true, true, false, false, false, false]);
  const outcome = translator.finish();
  assert.equal(outcome.malformed, 4);
  assert.equal(outcome.text, 'Hello there');
  assert.equal(outcome.finishReason, 'stop');
  assert.equal(outcome.sawDone, true);
});

test('an error object mid-stream ends the stream with the provider’s reason', () => {
  const lines = recordedOpenAiStream.split('\n\n');
  const failing = [
    lines[0],
    lines[1],
    'data: {"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}',
    lines[2],
  ].join('\n\n') + '\n\n';
  const translator = createOpenAiStreamTranslator(openai, meta);
  const steps = replay(translator, failing);
  assert.deepEqual(steps[2], {
    chunks: [],
    done: true,
    malformed: false,
    error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error' },
  });
  assert.deepEqual(steps[3], { chunks: [], done: true, malformed: false }, 'nothing after the error is used');
  assert.equal(translator.finish().finishReason, null);
});

test('an SSE error event without JSON is still an error', () => {
  const translator = createOpenAiStreamTranslator(vllm, meta);
  const [step] = replay(translator, 'event: error\ndata: upstream overloaded\n\n');
  assert.deepEqual(step.error, { message: 'upstream overloaded', type: 'api_error' });
});

test('Azure: the prompt-filter chunk with an empty model is dropped and the real model is used', () => {
  const azureStream = [
    'data: {"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"}}}]}',
    'data: {"choices":[{"content_filter_results":{},"delta":{"content":"","refusal":null,"role":"assistant"},"finish_reason":null,"index":0,"logprobs":null}],"created":1759999999,"id":"chatcmpl-Az","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_2","usage":null}',
    'data: {"choices":[{"content_filter_results":{"hate":{"filtered":false,"severity":"safe"}},"delta":{"content":"Hi"},"finish_reason":null,"index":0,"logprobs":null}],"created":1759999999,"id":"chatcmpl-Az","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_2","usage":null}',
    'data: {"choices":[{"content_filter_results":{},"delta":{},"finish_reason":"stop","index":0,"logprobs":null}],"created":1759999999,"id":"chatcmpl-Az","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_2","usage":null}',
    'data: {"choices":[],"created":1759999999,"id":"chatcmpl-Az","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_2","usage":{"completion_tokens":1,"prompt_tokens":8,"total_tokens":9}}',
    'data: [DONE]',
  ].join('\n\n') + '\n\n';
  const translator = createOpenAiStreamTranslator(azure, meta);
  const chunks = replay(translator, azureStream).flatMap((step) => step.chunks);
  assert.equal(chunks.length, 3);
  assert.ok(chunks.every((chunk) => chunk.model === 'gpt-4o-2024-11-20'));
  const outcome = translator.finish();
  assert.equal(outcome.model, 'gpt-4o-2024-11-20');
  assert.equal(outcome.usage?.total_tokens, 9);
});

test('a tool-call stream is flagged so that a cut cannot be continued with a text prefill', () => {
  const toolStream = [
    'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_abc","type":"function","function":{"name":"get_weather","arguments":""}}],"refusal":null},"finish_reason":null}]}',
    'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"city\\":\\"Paris\\"}"}}]},"finish_reason":null}]}',
    'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}',
    'data: [DONE]',
  ].join('\n\n') + '\n\n';
  const translator = createOpenAiStreamTranslator(openai, meta);
  const chunks = replay(translator, toolStream).flatMap((step) => step.chunks);
  assert.equal(chunks[1].choices[0].delta.tool_calls?.[0].function?.arguments, '{"city":"Paris"}');
  const outcome = translator.finish();
  assert.equal(outcome.hasToolCalls, true);
  assert.equal(outcome.finishReason, 'tool_calls');
  assert.equal(outcome.text, '');
});

test('a self-hosted server that puts usage on its last content chunk: usage is taken, the chunk still sent', () => {
  const stream =
    'data: {"id":"x","model":"llama","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1}}\n\n';
  const translator = createOpenAiStreamTranslator(vllm, meta);
  const [step] = replay(translator, stream);
  assert.equal(step.chunks.length, 1);
  assert.equal('usage' in step.chunks[0], false);
  assert.deepEqual(translator.finish().usage, { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 });
});

test('a continuation counts the prefill in the text so far', () => {
  const translator = createOpenAiStreamTranslator(vllm, { ...meta, assistantPrefill: 'Hello' });
  replay(translator, 'data: {"model":"llama","choices":[{"index":0,"delta":{"content":" there"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n');
  assert.equal(translator.finish().text, 'Hello there');
});

test('an empty finish_reason from a lenient server reads as none', () => {
  const translator = createOpenAiStreamTranslator(vllm, meta);
  const [step] = replay(translator, 'data: {"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":""}]}\n\n');
  assert.equal(step.chunks[0].choices[0].finish_reason, null);
  assert.equal(translator.finish().finishReason, null);
});
