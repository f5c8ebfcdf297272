import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChatRequest, type ChatRequest } from '../openai-schema';
import { createSseParser } from '../sse';
import {
  ANTHROPIC_VERSION,
  DEFAULT_MAX_TOKENS,
  buildAnthropicRequest,
  createAnthropicStreamTranslator,
  parseAnthropicResponse,
  supportsAnthropicPrefill,
  toFinishReason,
} from './anthropic';
import { UnsupportedByTargetError, UpstreamResponseError, type StreamStep, type StreamTranslator, type UpstreamTarget } from './types';

const claude: UpstreamTarget = {
  apiStyle: 'anthropic_messages',
  providerKind: 'anthropic',
  endpointUrl: 'https://api.anthropic.com',
  model: 'claude-sonnet-4-5',
  apiKey: 'sk-ant-test',
};
const meta = { id: 'chatcmpl-standby-2', created: 1_760_000_000 };

function chatRequest(body: Record<string, unknown>): ChatRequest {
  const parsed = parseChatRequest({ model: 'support-bot', messages: [{ role: 'user', content: 'Hi' }], ...body });
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.request;
}

function build(body: Record<string, unknown>, opts: { stream?: boolean; assistantPrefill?: string } = {}) {
  const built = buildAnthropicRequest(claude, chatRequest(body), { stream: false, ...opts });
  const json = JSON.parse(built.body); // the request body as Anthropic will read it
  return { ...built, json };
}

function replay(translator: StreamTranslator, body: string): StreamStep[] {
  const parser = createSseParser();
  return [...parser.push(body), ...parser.end()].map((event) => translator.push(event));
}

const sse = (events: [string, unknown][]) => events.map(([name, data]) => `event: ${name}\ndata: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`).join('');

// ---------------------------------------------------------------- requests

test('POST {endpoint}/v1/messages with x-api-key and the API version', () => {
  const built = build({});
  assert.equal(built.url, 'https://api.anthropic.com/v1/messages');
  assert.equal(built.method, 'POST');
  assert.equal(built.headers['x-api-key'], 'sk-ant-test');
  assert.equal(built.headers['anthropic-version'], ANTHROPIC_VERSION);
  assert.equal(built.headers.authorization, undefined);
  assert.equal(built.json.model, 'claude-sonnet-4-5');
  assert.equal(built.json.max_tokens, DEFAULT_MAX_TOKENS);
  assert.deepEqual(built.json.messages, [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]);
});

test('an endpoint that already names /v1 or /v1/messages is not doubled', () => {
  for (const endpointUrl of ['https://api.anthropic.com/v1', 'https://api.anthropic.com/v1/', 'https://api.anthropic.com/v1/messages']) {
    const built = buildAnthropicRequest({ ...claude, endpointUrl }, chatRequest({}), { stream: false });
    assert.equal(built.url, 'https://api.anthropic.com/v1/messages', endpointUrl);
  }
  const proxied = buildAnthropicRequest({ ...claude, endpointUrl: 'https://gw.example.com/anthropic/' }, chatRequest({}), { stream: false });
  assert.equal(proxied.url, 'https://gw.example.com/anthropic/v1/messages');
});

test('system and developer messages become the system prompt', () => {
  const { json } = build({
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
      { role: 'user', content: 'Hi' },
    ],
  });
  assert.equal(json.system, 'You are terse.\n\nAnswer in French.');
  assert.deepEqual(json.messages, [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]);
});

test('sampling options translate: max tokens, temperature capped at 1, stop sequences, user', () => {
  const { json } = build({ max_completion_tokens: 300, max_tokens: 200, temperature: 1.6, top_p: 0.9, stop: ['END', '\n'], user: 'u-42', seed: 3 });
  assert.equal(json.max_tokens, 300);
  assert.equal(json.temperature, 1);
  assert.equal('top_p' in json, false, 'recent Claude models refuse temperature and top_p together');
  assert.deepEqual(json.stop_sequences, ['END']);
  assert.deepEqual(json.metadata, { user_id: 'u-42' });
  assert.equal('seed' in json, false);
  assert.equal(build({ top_p: 0.5, stop: 'STOP', max_tokens: 50 }).json.top_p, 0.5);
  assert.deepEqual(build({ stop: 'STOP' }).json.stop_sequences, ['STOP']);
  assert.equal(build({ max_tokens: 50 }).json.max_tokens, 50);
});

test('streaming sets stream and asks for events', () => {
  const built = build({}, { stream: true });
  assert.equal(built.json.stream, true);
  assert.equal(built.headers.accept, 'text/event-stream');
});

test('images: data URLs become base64 sources and web URLs url sources', () => {
  const { json } = build({
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Compare these.' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'high' } },
        ],
      },
    ],
  });
  assert.deepEqual(json.messages[0].content, [
    { type: 'text', text: 'Compare these.' },
    { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
    { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
  ]);
});

test('content Anthropic cannot take is refused so that the gateway can skip the target', () => {
  const audio = { role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAA', format: 'wav' } }] };
  assert.throws(() => build({ messages: [audio] }), UnsupportedByTargetError);
  const tiff = { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/tiff;base64,AAA' } }] };
  assert.throws(() => build({ messages: [tiff] }), /image\/tiff/);
  assert.throws(() => build({ messages: [{ role: 'system', content: 'Only a system prompt.' }] }), UnsupportedByTargetError);
});

test('tools, tool calls and tool results translate, with parallel results in one user turn', () => {
  const { json } = build({
    messages: [
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: 'Checking both.',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '18°C' },
      { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '24°C' }] },
      { role: 'user', content: 'Which is warmer?' },
    ],
    tools: [
      { type: 'function', function: { name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
      { type: 'function', function: { name: 'now' } },
    ],
    tool_choice: 'required',
    parallel_tool_calls: false,
  });
  assert.deepEqual(json.tools, [
    { name: 'get_weather', description: 'Current weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } },
    { name: 'now', input_schema: { type: 'object', properties: {} } },
  ]);
  assert.deepEqual(json.tool_choice, { type: 'any', disable_parallel_tool_use: true });
  assert.deepEqual(json.messages, [
    { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
    {
      role: 'assistant',
      content: [
        { type: 'text', text: 'Checking both.' },
        { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { city: 'Rome' } },
      ],
    },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'call_1', content: '18°C' },
        { type: 'tool_result', tool_use_id: 'call_2', content: '24°C' },
        { type: 'text', text: 'Which is warmer?' },
      ],
    },
  ]);
});

test('tool_choice values map onto Anthropic’s', () => {
  const tools = [{ type: 'function', function: { name: 'f' } }];
  assert.equal(build({ tools }).json.tool_choice, undefined);
  assert.equal(build({ tools, tool_choice: 'auto' }).json.tool_choice, undefined);
  assert.deepEqual(build({ tools, tool_choice: 'none' }).json.tool_choice, { type: 'none' });
  assert.deepEqual(build({ tools, tool_choice: { type: 'function', function: { name: 'f' } } }).json.tool_choice, { type: 'tool', name: 'f' });
  assert.equal(build({ tool_choice: 'required' }).json.tool_choice, undefined, 'no tools, no tool_choice');
  assert.throws(() => build({ tools, tool_choice: { type: 'allowed_tools', allowed_tools: {} } }), UnsupportedByTargetError);
  assert.throws(() => build({ tools: [{ type: 'custom', custom: { name: 'grammar' } }] }), UnsupportedByTargetError);
});

test('tool call arguments that are not a JSON object are refused', () => {
  const call = (args: string) => ({
    messages: [
      { role: 'user', content: 'x' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: args } }] },
    ],
  });
  assert.deepEqual(build(call('')).json.messages[1].content, [{ type: 'tool_use', id: 'c', name: 'f', input: {} }]);
  assert.throws(() => build(call('[1]')), UnsupportedByTargetError);
  assert.throws(() => build(call('{broken')), UnsupportedByTargetError);
});

test('a JSON response format becomes an instruction in the system prompt', () => {
  const { json } = build({
    messages: [{ role: 'system', content: 'Extract the city.' }, { role: 'user', content: 'I live in Lyon.' }],
    response_format: { type: 'json_schema', json_schema: { name: 'city', schema: { type: 'object', properties: { city: { type: 'string' } } } } },
  });
  assert.match(json.system, /^Extract the city\.\n\nRespond with one valid JSON object/);
  assert.match(json.system, /"city":\{"type":"string"\}/);
  assert.equal(build({ response_format: { type: 'text' } }).json.system, undefined);
});

test('a prefill becomes a final assistant turn, without the trailing whitespace Anthropic refuses', () => {
  assert.equal(supportsAnthropicPrefill(claude), true);
  const { json } = build({}, { stream: true, assistantPrefill: 'The capital of France is ' });
  assert.deepEqual(json.messages.at(-1), { role: 'assistant', content: [{ type: 'text', text: 'The capital of France is' }] });
  const afterAssistant = build(
    { messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }] },
    { stream: true, assistantPrefill: 'Partial' },
  ).json;
  assert.deepEqual(afterAssistant.messages.at(-1), { role: 'assistant', content: [{ type: 'text', text: 'Hello' }, { type: 'text', text: 'Partial' }] });
});

// ---------------------------------------------------------------- responses

const message = {
  id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5-20250929',
  content: [{ type: 'text', text: 'Hello! How can I help?' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 8, service_tier: 'standard' },
};

test('a message becomes a chat.completion naming the model that answered', () => {
  const parsed = parseAnthropicResponse(claude, 200, message, meta);
  assert.deepEqual(parsed, {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: 'claude-sonnet-4-5-20250929',
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello! How can I help?', refusal: null }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20, prompt_tokens_details: { cached_tokens: 0 } },
  });
});

test('cached prompt tokens count inside prompt_tokens, as OpenAI counts them', () => {
  const parsed = parseAnthropicResponse(claude, 200, { ...message, usage: { input_tokens: 10, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000, output_tokens: 5 } });
  assert.deepEqual(parsed.usage, { prompt_tokens: 1110, completion_tokens: 5, total_tokens: 1115, prompt_tokens_details: { cached_tokens: 1000 } });
});

test('tool_use blocks become tool calls with JSON arguments', () => {
  const parsed = parseAnthropicResponse(claude, 200, {
    ...message,
    content: [
      { type: 'thinking', thinking: 'hmm', signature: 'x' },
      { type: 'tool_use', id: 'toolu_01A', name: 'get_weather', input: { city: 'Paris' } },
    ],
    stop_reason: 'tool_use',
  });
  assert.equal(parsed.choices[0].message.content, null);
  assert.deepEqual(parsed.choices[0].message.tool_calls, [{ id: 'toolu_01A', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }]);
  assert.equal(parsed.choices[0].finish_reason, 'tool_calls');
});

test('stop reasons map onto finish reasons', () => {
  assert.equal(toFinishReason('end_turn'), 'stop');
  assert.equal(toFinishReason('stop_sequence'), 'stop');
  assert.equal(toFinishReason('max_tokens'), 'length');
  assert.equal(toFinishReason('model_context_window_exceeded'), 'length');
  assert.equal(toFinishReason('tool_use'), 'tool_calls');
  assert.equal(toFinishReason('refusal'), 'content_filter');
  assert.equal(toFinishReason('pause_turn'), 'stop');
  assert.equal(toFinishReason(null), null);
  assert.equal(parseAnthropicResponse(claude, 200, { ...message, stop_reason: 'max_tokens' }).choices[0].finish_reason, 'length');
});

test('the model named by the target stands in when the message names none', () => {
  const { model: _model, ...withoutModel } = message;
  assert.equal(parseAnthropicResponse(claude, 200, withoutModel).model, 'claude-sonnet-4-5');
});

test('an Anthropic error body throws with its type and message', () => {
  const body = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' }, request_id: 'req_1' };
  assert.throws(
    () => parseAnthropicResponse(claude, 529, body),
    (error: unknown) => error instanceof UpstreamResponseError && error.kind === 'error_response' && error.status === 529 && error.detail?.type === 'overloaded_error',
  );
});

test('a malformed message throws instead of crashing', () => {
  for (const body of [null, [], { content: 'text' }, { content: [{ type: 'text', text: 5 }] }, { content: [{ type: 'tool_use', name: 'f' }] }]) {
    assert.throws(() => parseAnthropicResponse(claude, 200, body), (error: unknown) => error instanceof UpstreamResponseError && error.kind === 'malformed', JSON.stringify(body));
  }
});

// ---------------------------------------------------------------- streams

const messageStart = {
  type: 'message_start',
  message: {
    id: 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY',
    type: 'message',
    role: 'assistant',
    content: [],
    model: 'claude-sonnet-4-5-20250929',
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 25, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 },
  },
};

const recordedTextStream = sse([
  ['message_start', messageStart],
  ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
  ['ping', '{"type": "ping"}'],
  ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } }],
  ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ', world!' } }],
  ['content_block_stop', { type: 'content_block_stop', index: 0 }],
  ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 15 } }],
  ['message_stop', { type: 'message_stop' }],
]);

test('a text stream becomes OpenAI chunks, with the finish reason and usage', () => {
  const translator = createAnthropicStreamTranslator(claude, meta);
  const steps = replay(translator, recordedTextStream);
  const chunks = steps.flatMap((step) => step.chunks);
  assert.deepEqual(
    chunks.map((chunk) => [chunk.choices[0].delta, chunk.choices[0].finish_reason]),
    [
      [{ role: 'assistant', content: '' }, null],
      [{ content: 'Hello' }, null],
      [{ content: ', world!' }, null],
      [{}, 'stop'],
    ],
  );
  for (const chunk of chunks) {
    assert.equal(chunk.id, meta.id);
    assert.equal(chunk.created, meta.created);
    assert.equal(chunk.model, 'claude-sonnet-4-5-20250929');
    assert.equal(chunk.object, 'chat.completion.chunk');
  }
  assert.deepEqual(steps.map((step) => step.done), [false, false, false, false, false, false, false, true]);
  const outcome = translator.finish();
  assert.deepEqual(outcome, {
    chunks: [],
    usage: { prompt_tokens: 25, completion_tokens: 15, total_tokens: 40, prompt_tokens_details: { cached_tokens: 0 } },
    finishReason: 'stop',
    sawDone: true,
    text: 'Hello, world!',
    model: 'claude-sonnet-4-5-20250929',
    malformed: 0,
    hasToolCalls: false,
  });
});

test('a tool-use stream becomes tool_calls deltas indexed from 0', () => {
  const stream = sse([
    ['message_start', messageStart],
    ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
    ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Let me check.' } }],
    ['content_block_stop', { type: 'content_block_stop', index: 0 }],
    ['content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', input: {} } }],
    ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '' } }],
    ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"location":' } }],
    ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: ' "San Francisco, CA"}' } }],
    ['content_block_stop', { type: 'content_block_stop', index: 1 }],
    ['message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 89 } }],
    ['message_stop', { type: 'message_stop' }],
  ]);
  const translator = createAnthropicStreamTranslator(claude, meta);
  const deltas = replay(translator, stream).flatMap((step) => step.chunks.map((chunk) => chunk.choices[0]));
  assert.deepEqual(deltas.slice(2), [
    { index: 0, delta: { tool_calls: [{ index: 0, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: { name: 'get_weather', arguments: '' } }] }, finish_reason: null },
    { index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"location":' } }] }, finish_reason: null },
    { index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: ' "San Francisco, CA"}' } }] }, finish_reason: null },
    { index: 0, delta: {}, finish_reason: 'tool_calls' },
  ]);
  const outcome = translator.finish();
  assert.equal(outcome.hasToolCalls, true);
  assert.equal(outcome.finishReason, 'tool_calls');
  assert.equal(outcome.usage?.completion_tokens, 89);
});

test('an error event mid-stream ends the stream with Anthropic’s type and message', () => {
  const stream =
    sse([
      ['message_start', messageStart],
      ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Half an ans' } }],
    ]) + 'event: error\ndata: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}\n\n';
  const translator = createAnthropicStreamTranslator(claude, meta);
  const steps = replay(translator, stream);
  assert.deepEqual(steps.at(-1), { chunks: [], done: true, malformed: false, error: { message: 'Overloaded', type: 'overloaded_error' } });
  const outcome = translator.finish();
  assert.equal(outcome.finishReason, null, 'a cut answer has no finish reason');
  assert.equal(outcome.sawDone, false);
  assert.equal(outcome.text, 'Half an ans');
  assert.equal(outcome.usage?.prompt_tokens, 25);
});

test('an error event with a broken body is still an error', () => {
  const translator = createAnthropicStreamTranslator(claude, meta);
  const [step] = replay(translator, 'event: error\ndata: {"type":"error","error":"boom"}\n\n');
  assert.equal(step.done, true);
  assert.equal(step.error?.type, 'api_error');
});

test('malformed events are skipped and counted; unknown event types are ignored', () => {
  const lines = recordedTextStream.split('\n\n');
  const broken = [
    ...lines.slice(0, 3),
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":',
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":"zero","delta":{"type":"text_delta","text":"x"}}',
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":7}}',
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":5,"delta":{"type":"input_json_delta","partial_json":"{"}}',
    'data: "just a string"',
    'event: brand_new\ndata: {"type":"brand_new","x":1}',
    ...lines.slice(3),
  ].join('\n\n');
  const translator = createAnthropicStreamTranslator(claude, meta);
  const steps = replay(translator, broken);
  assert.equal(steps.filter((step) => step.malformed).length, 5);
  const outcome = translator.finish();
  assert.equal(outcome.malformed, 5);
  assert.equal(outcome.text, 'Hello, world!');
  assert.equal(outcome.finishReason, 'stop');
  assert.equal(outcome.sawDone, true);
});

test('a stream cut before message_stop has its usage but no end marker', () => {
  const cut = recordedTextStream.split('\n\n').slice(0, 5).join('\n\n') + '\n\n';
  const translator = createAnthropicStreamTranslator(claude, meta);
  replay(translator, cut);
  const outcome = translator.finish();
  assert.equal(outcome.sawDone, false);
  assert.equal(outcome.finishReason, null);
  assert.equal(outcome.text, 'Hello, world!');
  assert.deepEqual(outcome.usage, { prompt_tokens: 25, completion_tokens: 1, total_tokens: 26, prompt_tokens_details: { cached_tokens: 0 } });
});

test('a continuation drops the whitespace Anthropic was not sent and the client already has', () => {
  const stream = sse([
    ['message_start', messageStart],
    ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
    ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ' ' } }],
    ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ' Paris. It is' } }],
    ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ' lovely.' } }],
    ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 6 } }],
    ['message_stop', { type: 'message_stop' }],
  ]);
  const translator = createAnthropicStreamTranslator(claude, { ...meta, assistantPrefill: 'The capital of France is ' });
  const content = replay(translator, stream)
    .flatMap((step) => step.chunks)
    .map((chunk) => chunk.choices[0].delta.content)
    .filter((piece) => piece);
  assert.deepEqual(content, ['Paris. It is', ' lovely.']);
  assert.equal(translator.finish().text, 'The capital of France is Paris. It is lovely.');

  const noTrailingSpace = createAnthropicStreamTranslator(claude, { ...meta, assistantPrefill: 'The capital of France is' });
  replay(noTrailingSpace, stream);
  assert.equal(noTrailingSpace.finish().text, 'The capital of France is  Paris. It is lovely.', 'whitespace is kept when the prefill had none to drop');
});

test('message_delta usage may carry cumulative input counts too', () => {
  const stream = sse([
    ['message_start', { type: 'message_start', message: { ...messageStart.message, usage: { input_tokens: 0, output_tokens: 0 } } }],
    ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { input_tokens: 30, cache_read_input_tokens: 10, output_tokens: 4 } }],
    ['message_stop', { type: 'message_stop' }],
  ]);
  const translator = createAnthropicStreamTranslator(claude, meta);
  replay(translator, stream);
  assert.deepEqual(translator.finish().usage, { prompt_tokens: 40, completion_tokens: 4, total_tokens: 44, prompt_tokens_details: { cached_tokens: 10 } });
});

test('events after message_stop are ignored', () => {
  const translator = createAnthropicStreamTranslator(claude, meta);
  replay(translator, recordedTextStream);
  const late = translator.push({ data: JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'late' } }) });
  assert.deepEqual(late, { chunks: [], done: true, malformed: false });
  assert.equal(translator.finish().text, 'Hello, world!');
});
