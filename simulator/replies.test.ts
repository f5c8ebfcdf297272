import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyHttpError, parseRetryAfter } from '@/lib/gateway/classify-error';
import { estimateTokens } from '@/lib/gateway/openai-schema';
import { createSseParser } from '@/lib/gateway/sse';
import {
  answerBody,
  answerText,
  anthropicStream,
  contentPolicyReply,
  contextLengthReply,
  continuationText,
  malformed,
  openAiStream,
  parseAnthropicRequest,
  parseOpenAiRequest,
  planReply,
  rateLimitReply,
  rejection,
  serverErrorReply,
  type SimRequest,
} from './replies';

const request = (overrides: Partial<SimRequest> = {}): SimRequest => ({
  model: 'gpt-4o', stream: true, includeUsage: true, maxTokens: null, promptTokens: 12, question: 'What is the capital of France?', prefill: null, ...overrides,
});
const meta = { id: 'sim-1', created: 1_700_000_000, upstream: 'openai-sim-us-east' };

// --- requests ---------------------------------------------------------------------

test('an OpenAI request: model, stream, usage option, max tokens, prompt size and the last user message', () => {
  const parsed = parseOpenAiRequest({
    model: 'gpt-4o', stream: true, stream_options: { include_usage: true }, max_tokens: 50,
    messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'First?' }, { role: 'assistant', content: 'One.' }, { role: 'user', content: [{ type: 'text', text: 'Second?' }] }],
  });
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.request, { model: 'gpt-4o', stream: true, includeUsage: true, maxTokens: 50, promptTokens: 3 + 3 + 2 + 3 + 1 + 3 + 2 + 3, question: 'Second?', prefill: null });
});

test('an OpenAI request continues a final assistant message only with vLLM\'s continue_final_message', () => {
  const messages = [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello th' }];
  const history = parseOpenAiRequest({ model: 'm', messages });
  const continued = parseOpenAiRequest({ model: 'm', messages, continue_final_message: true });
  assert.ok(history.ok && continued.ok);
  assert.equal(history.request.prefill, null);
  assert.equal(continued.request.prefill, 'Hello th');
  assert.equal(continued.request.question, 'Hi');
});

test('a bad OpenAI request says which field is wrong, the way OpenAI does', () => {
  assert.deepEqual(parseOpenAiRequest([]), { ok: false, message: 'The request body must be a JSON object.', param: null });
  const noMessages = parseOpenAiRequest({ model: 'gpt-4o', messages: [] });
  assert.ok(!noMessages.ok);
  assert.equal(noMessages.param, 'messages');
  assert.match(noMessages.message, /^Invalid 'messages'/);
  const noModel = parseOpenAiRequest({ messages: [{ role: 'user', content: 'x' }] });
  assert.ok(!noModel.ok);
  assert.equal(noModel.message, "Invalid 'model': Field required");
});

test('an Anthropic request: max_tokens is required, the system prompt counts, a final assistant turn is a prefill', () => {
  const missing = parseAnthropicRequest({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }] });
  assert.deepEqual(missing, { ok: false, message: 'max_tokens: Field required', param: 'max_tokens' });
  const parsed = parseAnthropicRequest({
    model: 'claude', max_tokens: 100, system: 'Be brief.', stream: true,
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi there' }] }, { role: 'assistant', content: 'Well,' }],
  });
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.request, { model: 'claude', stream: true, includeUsage: true, maxTokens: 100, promptTokens: 3 + 3 + 2 + 3 + 2 + 3, question: 'Hi there', prefill: 'Well,' });
});

// --- answers ----------------------------------------------------------------------

test('the answer names the simulated upstream and model, and quotes up to 60 characters of the question', () => {
  assert.equal(answerText('a-sim', 'gpt-4o', 'Hi'), `[simulated a-sim/gpt-4o] ${answerBody('Hi')}`);
  assert.match(answerBody('Hi'), /^Answer to: "Hi"\./);
  assert.match(answerBody(`${'x'.repeat(70)}`), new RegExp(`^Answer to: "${'x'.repeat(60)}…"`));
  assert.match(answerBody('  two\n\nlines  '), /^Answer to: "two lines"/);
  assert.match(answerBody(''), /^Answer to: "\(no user message\)"/);
});

test('an answer streams in chunks of a few words that join back into the whole text, with usage', () => {
  const reply = planReply('a-sim', request());
  assert.equal(reply.text, answerText('a-sim', 'gpt-4o', 'What is the capital of France?'));
  assert.ok(reply.pieces.length >= 8, 'enough chunks for cut and stall faults to land mid-answer');
  assert.equal(reply.pieces.join(''), reply.text);
  assert.equal(reply.finish, 'stop');
  assert.equal(reply.completionTokens, estimateTokens(reply.text));
});

test('max_tokens cuts the answer at a word and says the length ran out; one word is the least', () => {
  const short = planReply('a-sim', request({ maxTokens: 10 }));
  assert.equal(short.finish, 'length');
  assert.ok(short.completionTokens <= 10);
  assert.ok(answerText('a-sim', 'gpt-4o', 'What is the capital of France?').startsWith(short.text));
  const one = planReply('a-sim', request({ maxTokens: 1 }));
  assert.deepEqual(one.pieces, ['[simulated ']);
  assert.equal(one.finish, 'length');
});

test('a prefill cut from this answer continues where it stopped', () => {
  const full = answerText('a-sim', 'm', 'Q?');
  assert.equal(continuationText('a-sim', 'm', 'Q?', full.slice(0, 40)), full.slice(40));
  // Gateways trim a prefill's trailing whitespace; the continuation then brings it back.
  const atSpace = full.indexOf(' ', 30) + 1;
  assert.equal(continuationText('a-sim', 'm', 'Q?', full.slice(0, atSpace).trimEnd()), full.slice(atSpace - 1));
});

test("a prefill cut from another simulated upstream's answer continues its body without repeating it", () => {
  const other = answerText('b-sim', 'other-model', 'Q?');
  const cutAt = other.indexOf('This reply') + 'This reply'.length;
  const rest = continuationText('a-sim', 'm', 'Q?', other.slice(0, cutAt));
  assert.equal(other.slice(0, cutAt) + rest, other);
});

test('any other prefill is followed by the whole answer', () => {
  assert.equal(continuationText('a-sim', 'm', 'Q?', 'Sure, here goes:'), ` ${answerText('a-sim', 'm', 'Q?')}`);
  const reply = planReply('a-sim', request({ prefill: 'Sure,' }));
  assert.equal(reply.pieces.join(''), reply.text);
  assert.match(reply.text, /^ \[simulated a-sim\/gpt-4o\]/);
});

// --- streams ----------------------------------------------------------------------

function eventsOf(frames: { data: string; event?: string }[]) {
  const parser = createSseParser();
  const text = frames.map((f) => `${f.event ? `event: ${f.event}\n` : ''}data: ${f.data}\n\n`).join('');
  return [...parser.push(text), ...parser.end()];
}

test('an OpenAI stream: a role chunk, text chunks, a finish chunk, a usage chunk when asked, then [DONE]', () => {
  const reply = planReply('a-sim', request());
  const plan = openAiStream(meta, request(), reply);
  const chunks = [...plan.head, ...plan.text, ...plan.tail].map((f) => JSON.parse(f.data));
  assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: '', refusal: null });
  assert.equal(chunks.slice(1, -2).map((c) => c.choices[0].delta.content).join(''), reply.text);
  assert.equal(chunks.at(-2).choices[0].finish_reason, 'stop');
  assert.deepEqual(chunks.at(-1).choices, []);
  assert.deepEqual(chunks.at(-1).usage, { prompt_tokens: 12, completion_tokens: reply.completionTokens, total_tokens: 12 + reply.completionTokens });
  assert.ok(chunks.every((c) => c.id === 'sim-1' && c.model === 'gpt-4o' && c.object === 'chat.completion.chunk'));
  assert.equal(plan.done.data, '[DONE]');
  assert.ok(plan.text.every((f) => f.text) && !plan.head.some((f) => f.text) && !plan.tail.some((f) => f.text));

  const withoutUsage = openAiStream(meta, request({ includeUsage: false }), reply);
  assert.equal(withoutUsage.tail.length, 1);
  assert.ok(!('usage' in JSON.parse(withoutUsage.head[0].data)));
});

test("an Anthropic stream follows the Messages API's event sequence", () => {
  const reply = planReply('a-sim', request({ model: 'claude', maxTokens: 12 }));
  const plan = anthropicStream(meta, request({ model: 'claude' }), reply);
  const events = eventsOf([...plan.head, ...plan.text, ...plan.tail, plan.done]);
  const names = events.map((e) => e.event);
  assert.deepEqual(names.slice(0, 3), ['message_start', 'content_block_start', 'ping']);
  assert.deepEqual(names.slice(-3), ['content_block_stop', 'message_delta', 'message_stop']);
  assert.ok(names.slice(3, -3).every((name) => name === 'content_block_delta'));
  for (const event of events) assert.equal(JSON.parse(event.data).type, event.event);
  const delta = JSON.parse(events.at(-2)!.data);
  assert.deepEqual(delta.delta, { stop_reason: 'max_tokens', stop_sequence: null });
  assert.equal(delta.usage.output_tokens, reply.completionTokens);
  assert.equal(JSON.parse(events[0].data).message.usage.input_tokens, 12);
});

test('a malformed chunk is never valid JSON and keeps its event name', () => {
  const plan = anthropicStream(meta, request(), planReply('a-sim', request()));
  for (const frame of [...plan.head, ...plan.text, ...plan.tail, plan.done]) {
    const spoiled = malformed(frame);
    assert.equal(spoiled.event, frame.event);
    assert.throws(() => JSON.parse(spoiled.data));
  }
});

// --- errors -----------------------------------------------------------------------

test('errors come in each provider\'s shape', () => {
  assert.deepEqual(serverErrorReply('anthropic_messages', 529).body, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
  assert.equal((serverErrorReply('openai_chat', 503).body as { error: { type: string } }).error.type, 'server_error');
  assert.deepEqual(rejection('anthropic_messages', 401, 'x-api-key header is required'), {
    status: 401, headers: {}, body: { type: 'error', error: { type: 'authentication_error', message: 'x-api-key header is required' } },
  });
  assert.equal((rejection('openai_chat', 401, 'no key').body as { error: { code: string } }).error.code, 'invalid_api_key');
});

test('a 429 carries Retry-After only when one is set', () => {
  assert.deepEqual(rateLimitReply('openai_chat', 5).headers, { 'retry-after': '5' });
  assert.deepEqual(rateLimitReply('openai_chat', null).headers, {});
  assert.deepEqual(rateLimitReply('anthropic_messages', 0).headers, { 'retry-after': '0' });
  assert.equal((rateLimitReply('anthropic_messages', null).body as { error: { type: string } }).error.type, 'rate_limit_error');
});

test("the context-length error uses each provider's wording, which gateways recognise", () => {
  const openai = contextLengthReply('openai_chat', 100, 150).body as { error: { code: string; message: string } };
  assert.equal(openai.error.code, 'context_length_exceeded');
  assert.match(openai.error.message, /maximum context length is 100 tokens/);
  const anthropic = contextLengthReply('anthropic_messages', 100, 150).body as { error: { message: string } };
  assert.equal(anthropic.error.message, 'prompt is too long: 150 tokens > 100 maximum');
});

test("the gateway's classifier reads every simulated failure as the fault it stands for", () => {
  for (const protocol of ['openai_chat', 'anthropic_messages'] as const) {
    const classify = (reply: { status: number; body: unknown }) => classifyHttpError(reply.status, reply.body, protocol);
    assert.equal(classify(serverErrorReply(protocol, 503)), 'server_error', protocol);
    assert.equal(classify(serverErrorReply(protocol, 529)), 'overloaded', protocol);
    assert.equal(classify(rateLimitReply(protocol, null)), 'rate_limited', protocol);
    assert.equal(classify(contentPolicyReply(protocol)), 'content_policy', protocol);
    assert.equal(classify(contextLengthReply(protocol, 100, 150)), 'context_length', protocol);
    assert.equal(classify(rejection(protocol, 401, 'no key')), 'auth_failed', protocol);
    assert.equal(parseRetryAfter(rateLimitReply(protocol, 5).headers, 0), 5000, protocol);
    assert.equal(parseRetryAfter(rateLimitReply(protocol, null).headers, 0), null, protocol);
  }
});
