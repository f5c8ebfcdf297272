import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chatCompletionChunkSchema,
  chatCompletionSchema,
  chatRequestSchema,
  formatParam,
  openAiError,
  parseChatRequest,
  readChatCompletion,
  readChatCompletionChunk,
  readUpstreamErrorBody,
  usageChunk,
  usageSchema,
  upstreamErrorSchema,
} from './openai-schema';

const minimal = { model: 'support-bot', messages: [{ role: 'user', content: 'Hello' }] };

function refusal(body: unknown) {
  const result = parseChatRequest(body);
  assert.equal(result.ok, false, 'expected the request to be refused');
  if (result.ok) throw new Error('unreachable');
  return result;
}

test('accepts a minimal request and keeps unknown fields for the upstream', () => {
  const result = parseChatRequest({ ...minimal, logprobs: true, metadata: { team: 'a' }, reasoning_effort: 'low' });
  assert.equal(result.ok, true);
  if (!result.ok) return;
  assert.equal(result.request.model, 'support-bot');
  assert.equal(result.request.logprobs, true);
  assert.deepEqual(result.request.metadata, { team: 'a' });
});

test('accepts a full request: every role, content parts, tools, options', () => {
  const result = parseChatRequest({
    model: 'support-bot',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'developer', content: [{ type: 'text', text: 'Use metric units.' }] },
      {
        role: 'user',
        name: 'ana',
        content: [
          { type: 'text', text: 'What is in this image?' },
          { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
        ],
      },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"answer":42}' },
    ],
    stream: true,
    stream_options: { include_usage: true },
    max_tokens: 100,
    max_completion_tokens: 100,
    temperature: 0.2,
    top_p: 1,
    stop: ['\n\n'],
    n: 1,
    tools: [{ type: 'function', function: { name: 'lookup', description: 'Looks up', parameters: { type: 'object', properties: {} } } }],
    tool_choice: { type: 'function', function: { name: 'lookup' } },
    parallel_tool_calls: false,
    response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
    user: 'u-1',
    seed: 7,
    presence_penalty: 0.5,
    frequency_penalty: -0.5,
  });
  assert.equal(result.ok, true, JSON.stringify(result));
});

test('accepts nulls wherever OpenAI does', () => {
  const result = parseChatRequest({ ...minimal, stream: null, temperature: null, stop: null, n: null, tools: null, tool_choice: null, max_tokens: null });
  assert.equal(result.ok, true, JSON.stringify(result));
});

test('a body that is not an object is refused', () => {
  for (const body of [null, [], 'text', 3]) {
    const result = refusal(body);
    assert.match(result.message, /must be a JSON object/);
    assert.equal(result.param, null);
  }
});

test('names a missing required property', () => {
  assert.deepEqual(refusal({ model: 'x' }), { ok: false, message: "'messages' is a required property", param: 'messages', code: 'missing_required_parameter' });
  assert.equal(refusal({ messages: minimal.messages }).message, "'model' is a required property");
  assert.equal(refusal({ model: 'x', messages: [{ content: 'hi' }] }).message, "'messages[0].role' is a required property");
  assert.equal(refusal({ model: 'x', messages: [{ role: 'user' }] }).message, "'messages[0].content' is a required property");
  const tool = refusal({ model: 'x', messages: [{ role: 'user', content: 'a' }, { role: 'tool', content: 'b' }] });
  assert.equal(tool.message, "'messages[1].tool_call_id' is a required property");
  assert.equal(tool.param, 'messages[1].tool_call_id');
});

test('names the parameter with the wrong type and what it got', () => {
  const temperature = refusal({ ...minimal, temperature: 'hot' });
  assert.equal(temperature.message, "Invalid type for 'temperature': expected a decimal, but got a string instead.");
  assert.equal(temperature.param, 'temperature');
  assert.equal(temperature.code, 'invalid_type');
  assert.equal(refusal({ ...minimal, max_tokens: 1.5 }).message, "Invalid type for 'max_tokens': expected an integer, but got a decimal instead.");
  assert.equal(refusal({ ...minimal, stream: 'yes' }).message, "Invalid type for 'stream': expected a boolean, but got a string instead.");
  assert.equal(refusal({ ...minimal, model: 5 }).message, "Invalid type for 'model': expected a string, but got an integer instead.");
  assert.equal(refusal({ ...minimal, messages: 'hi' }).message, "Invalid type for 'messages': expected an array, but got a string instead.");
  assert.equal(refusal({ ...minimal, messages: [5] }).message, "Invalid type for 'messages[0]': expected an object, but got an integer instead.");
});

test('explains a union by the branch that came closest', () => {
  const content = refusal({ model: 'x', messages: [{ role: 'user', content: 5 }] });
  assert.equal(content.message, "Invalid type for 'messages[0].content': expected one of a string or an array, but got an integer instead.");
  assert.equal(content.param, 'messages[0].content');

  const partText = refusal({ model: 'x', messages: [{ role: 'user', content: [{ type: 'text', text: 4 }] }] });
  assert.equal(partText.message, "Invalid type for 'messages[0].content[0].text': expected a string, but got an integer instead.");

  const partType = refusal({ model: 'x', messages: [{ role: 'user', content: [{ type: 'video', video: {} }] }] });
  assert.equal(partType.message, "Invalid value: 'video'. Supported values are: 'text', 'image_url', 'input_audio', 'file', and 'refusal'.");
  assert.equal(partType.param, 'messages[0].content[0].type');

  const stop = refusal({ ...minimal, stop: 3 });
  assert.equal(stop.message, "Invalid type for 'stop': expected one of a string, an array, or null, but got an integer instead.");

  const choice = refusal({ ...minimal, tool_choice: 'always' });
  assert.equal(choice.message, "Invalid value: 'always'. Supported values are: 'none', 'auto', and 'required'.");
});

test('refuses an unknown role with the supported ones', () => {
  const result = refusal({ model: 'x', messages: [{ role: 'function', content: 'x', name: 'f' }] });
  assert.equal(result.message, "Invalid value: 'function'. Supported values are: 'system', 'developer', 'user', 'assistant', and 'tool'.");
  assert.equal(result.param, 'messages[0].role');
  assert.equal(result.code, 'invalid_value');
});

test('refuses an empty message list the way OpenAI does', () => {
  const result = refusal({ model: 'x', messages: [] });
  assert.equal(result.message, "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.");
  assert.equal(result.code, 'empty_array');
});

test('refuses values out of range', () => {
  const temperature = refusal({ ...minimal, temperature: 3 });
  assert.equal(temperature.message, "Invalid 'temperature': integer above maximum value. Expected a value <= 2, but got 3 instead.");
  assert.equal(temperature.code, 'integer_above_max_value');
  assert.equal(refusal({ ...minimal, top_p: -0.5 }).message, "Invalid 'top_p': decimal below minimum value. Expected a value >= 0, but got -0.5 instead.");
  assert.equal(refusal({ ...minimal, max_tokens: 0 }).message, "Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got 0 instead.");
  assert.equal(
    refusal({ ...minimal, stop: ['a', 'b', 'c', 'd', 'e'] }).message,
    "Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length 5 instead.",
  );
  assert.equal(refusal({ ...minimal, model: '' }).message, "Invalid 'model': string too short. Expected a string with minimum length 1, but got an empty string instead.");
});

test('refuses n other than 1 with a clear reason', () => {
  const result = refusal({ ...minimal, n: 3 });
  assert.equal(result.param, 'n');
  assert.equal(result.code, 'unsupported_value');
  assert.match(result.message, /'n' must be 1/);
  assert.equal(parseChatRequest({ ...minimal, n: 1 }).ok, true);
});

test('reports the first problem only', () => {
  const result = refusal({ temperature: 'x' });
  assert.equal(result.param, 'model');
});

test('formatParam writes paths as OpenAI does', () => {
  assert.equal(formatParam(['messages', 0, 'content', 1, 'image_url', 'url']), 'messages[0].content[1].image_url.url');
  assert.equal(formatParam([]), null);
});

test('openAiError builds the body the OpenAI SDK reads', () => {
  assert.deepEqual(openAiError(400, "'messages' is a required property", 'invalid_request_error', 'missing_required_parameter', 'messages'), {
    status: 400,
    body: { error: { message: "'messages' is a required property", type: 'invalid_request_error', param: 'messages', code: 'missing_required_parameter' } },
  });
  assert.deepEqual(openAiError(503, 'No target could answer.', 'service_unavailable').body.error, {
    message: 'No target could answer.',
    type: 'service_unavailable',
    param: null,
    code: null,
  });
});

test('usage without a total gets one; a broken count becomes 0', () => {
  assert.deepEqual(usageSchema.parse({ prompt_tokens: 10, completion_tokens: 5 }), { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
  assert.deepEqual(usageSchema.parse({ prompt_tokens: 'x', completion_tokens: 5, total_tokens: 5 }), { prompt_tokens: 0, completion_tokens: 5, total_tokens: 5 });
  const detailed = usageSchema.parse({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3, prompt_tokens_details: { cached_tokens: 1 } });
  assert.deepEqual(detailed.prompt_tokens_details, { cached_tokens: 1 });
});

test('a completion from a lenient server gets defaults; one without choices is refused', () => {
  const parsed = chatCompletionSchema.parse({ model: 'llama', choices: [{ message: { content: 'hi' } }] });
  assert.equal(parsed.choices[0].message.role, 'assistant');
  assert.equal(parsed.choices[0].finish_reason, null);
  assert.equal(parsed.object, 'chat.completion');
  assert.equal(chatCompletionSchema.safeParse({ model: 'x' }).success, false);
  assert.equal(chatCompletionSchema.safeParse({ choices: [{ message: { content: 5 } }] }).success, false);
});

test("Azure's empty first chunk parses; a chunk with a wrong delta does not", () => {
  const azure = chatCompletionChunkSchema.parse({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [{ prompt_index: 0 }] });
  assert.deepEqual(azure.choices, []);
  assert.equal(chatCompletionChunkSchema.safeParse({ choices: [{ delta: { content: 7 } }] }).success, false);
  assert.equal(chatCompletionChunkSchema.safeParse({ choices: 'x' }).success, false);
});

test('upstream errors parse even when fields are odd', () => {
  const parsed = upstreamErrorSchema.parse({ error: { message: 'Rate limit', type: 'requests', code: 429 } });
  assert.equal(parsed.error.code, 429);
  assert.match(upstreamErrorSchema.parse({ error: {} }).error.message, /without a message/);
  assert.equal(upstreamErrorSchema.safeParse({ choices: [] }).success, false);
});

test('usageChunk is a chunk with no choices', () => {
  assert.deepEqual(usageChunk({ id: 'chatcmpl-1', created: 100 }, 'gpt-4o', { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }), {
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 100,
    model: 'gpt-4o',
    choices: [],
    usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
  });
});

// --- fast paths: the same result as the schemas, without zod for the common shapes ------------------

const completion = {
  id: 'chatcmpl-1', object: 'chat.completion', created: 1_700_000_000, model: 'gpt-4o', system_fingerprint: 'fp_1',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hi', refusal: null }, logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4, prompt_tokens_details: { cached_tokens: 0 } },
};
const chunk = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-4o', choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null }] };
/** JSON as an upstream sends it: JSON.parse is where bodies come from (and the only way to get an own __proto__ key). */
const fromJson = (text: string): unknown => JSON.parse(text);
// Edits reach anywhere into plain JSON, which TypeScript types no more usefully than this.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Editable = Record<string, any>;
const variants = (base: object, edits: ((o: Editable) => void)[]): unknown[] => [
  structuredClone(base),
  ...edits.map((edit) => {
    const copy = structuredClone(base) as Editable;
    edit(copy);
    return copy;
  }),
];

test('readChatCompletion returns what chatCompletionSchema returns, for clean and odd bodies alike', () => {
  const bodies = [
    ...variants(completion, [
      (o) => delete o.id, // defaulted
      (o) => delete o.created,
      (o) => (o.created = null),
      (o) => delete o.usage,
      (o) => (o.usage = null),
      (o) => delete o.usage.total_tokens, // computed
      (o) => (o.usage.prompt_tokens = -1), // caught
      (o) => (o.usage.completion_tokens = '2'),
      (o) => delete o.choices[0].index,
      (o) => (o.choices[0].index = 2 ** 60),
      (o) => (o.choices[0].index = 1.5),
      (o) => delete o.choices[0].finish_reason,
      (o) => delete o.choices[0].message.content,
      (o) => delete o.choices[0].message.role,
      (o) => (o.choices[0].message.content = 5),
      (o) => (o.choices[0].message.tool_calls = [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }]),
      (o) => (o.choices[0].message.tool_calls = [{ function: { name: 'f' } }]),
      (o) => (o.choices = []),
      (o) => (o.choices = {}),
      (o) => (o.model = ''),
      (o) => (o.model = 7),
    ]),
    fromJson('{"id":"a","object":"chat.completion","choices":[],"usage":{"prompt_tokens":1e999,"completion_tokens":0,"total_tokens":1}}'),
    fromJson('{"__proto__":{"x":1},"id":"a","object":"chat.completion","choices":[]}'),
    fromJson('{"id":"a","object":"chat.completion","choices":[{"index":0,"__proto__":{},"message":{"role":"assistant","content":"x"},"finish_reason":"stop"}]}'),
    [],
    null,
    'text',
  ];
  for (const body of bodies) {
    const expected = chatCompletionSchema.safeParse(structuredClone(body));
    assert.deepEqual(readChatCompletion(body), expected.success ? expected.data : null, JSON.stringify(body));
  }
});

test('a clean completion or chunk is returned as it came, without a copy', () => {
  const body = structuredClone(completion);
  assert.equal(readChatCompletion(body), body);
  const piece = structuredClone(chunk);
  assert.equal(readChatCompletionChunk(piece), piece);
});

test('readChatCompletionChunk returns what chatCompletionChunkSchema returns', () => {
  const bodies = [
    ...variants(chunk, [
      (o) => (o.choices[0].delta = { role: 'assistant', content: '' }),
      (o) => (o.choices[0].delta = {}),
      (o) => delete o.choices[0].delta,
      (o) => (o.choices[0].delta.content = null),
      (o) => (o.choices[0].delta.refusal = 'no'),
      (o) => (o.choices[0].delta.role = 1),
      (o) => (o.choices[0].delta.tool_calls = [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } }]),
      (o) => (o.choices[0].finish_reason = 'stop'),
      (o) => delete o.choices[0].finish_reason,
      (o) => delete o.choices,
      (o) => (o.choices = []),
      (o) => (o.usage = { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }),
      (o) => (o.usage = { prompt_tokens: 1, completion_tokens: 2 }),
      (o) => (o.model = ''),
      (o) => delete o.id,
      (o) => (o.object = ''),
    ]),
    { choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [{ prompt_index: 0 }] }, // Azure's first chunk
    { choices: 'x' },
    'data',
  ];
  for (const body of bodies) {
    const expected = chatCompletionChunkSchema.safeParse(structuredClone(body));
    assert.deepEqual(readChatCompletionChunk(body), expected.success ? expected.data : null, JSON.stringify(body));
  }
});

test('readUpstreamErrorBody returns what upstreamErrorSchema returns', () => {
  for (const body of [{ error: { message: 'Rate limit', type: 'requests', code: 429 } }, { error: {} }, { error: [] }, { error: 'x' }, { error: null }, { choices: [] }, [], null, 'x', { ...chunk }]) {
    const expected = upstreamErrorSchema.safeParse(body);
    assert.deepEqual(readUpstreamErrorBody(body), expected.success ? expected.data : null, JSON.stringify(body));
  }
});

test('parseChatRequest accepts and refuses what chatRequestSchema does, and a plain request is returned as it came', () => {
  const bodies = [
    ...variants(minimal, [
      (o) => (o.stream = true),
      (o) => (o.stream = null),
      (o) => (o.stream = 'yes'),
      (o) => (o.model = ''),
      (o) => (o.messages = []),
      (o) => (o.messages[0].name = 'alice'),
      (o) => (o.messages[0].name = null),
      (o) => (o.messages[0].role = 'robot'),
      (o) => (o.messages[0].content = [{ type: 'text', text: 'Hi' }]),
      (o) => (o.messages[0].content = 5),
      (o) => o.messages.push({ role: 'assistant', content: 'Hello' }, { role: 'tool', content: 'x', tool_call_id: 'call_1' }),
      (o) => o.messages.push({ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] }),
      (o) => o.messages.push({ role: 'tool', content: 'x' }),
      (o) => o.messages.unshift({ role: 'system', content: 'Be brief.' }, { role: 'developer', content: 'Really.' }),
      (o) => (o.temperature = 3),
      (o) => (o.n = 2),
      (o) => (o.metadata = { team: 'a' }), // unknown: passed through
      (o) => (o.stream_options = { include_usage: true }),
    ]),
    fromJson('{"__proto__":{},"model":"m","messages":[{"role":"user","content":"x"}]}'),
  ];
  for (const body of bodies) {
    const expected = chatRequestSchema.safeParse(structuredClone(body));
    const result = parseChatRequest(body);
    assert.equal(result.ok, expected.success, JSON.stringify(body));
    if (result.ok && expected.success) assert.deepEqual(result.request, expected.data, JSON.stringify(body));
  }
  const plain = structuredClone(minimal);
  const parsed = parseChatRequest(plain);
  assert.ok(parsed.ok);
  assert.equal(parsed.request, plain);
});
