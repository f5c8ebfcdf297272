import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatRequest } from './openai-schema';
import { AnswerAssembler, answerBytes, answerFromCompletion, cacheKey, completionFromAnswer, normaliseRequest, ResponseCache, sseFromAnswer, type CachedAnswer } from './response-cache';

const request = (extra: Record<string, unknown> = {}) => ({ model: 'svc', messages: [{ role: 'user', content: 'hi' }], ...extra }) as ChatRequest;
/** A stream as written on the wire, fed to an AnswerAssembler as the gateway feeds it the chunks it writes; null without [DONE]. */
function answerFromSse(text: string): CachedAnswer | null {
  const assembler = new AnswerAssembler();
  const events = text.split('\n').filter((line) => line.startsWith('data: ')).map((line) => line.slice(6));
  for (const data of events) if (data !== '[DONE]') assembler.push(JSON.parse(data));
  return events.includes('[DONE]') ? assembler.answer() : null;
}

const answer = (content: string): CachedAnswer => ({ model: 'gpt-small', message: { role: 'assistant', content }, finish_reason: 'stop' });

describe('cacheKey', () => {
  it('ignores how the answer is delivered and who asks: stream, stream_options, user, metadata', () => {
    const plain = cacheKey('svc', request({ temperature: 0.2 }));
    assert.equal(cacheKey('svc', request({ temperature: 0.2, stream: true, stream_options: { include_usage: true }, user: 'u-1', metadata: { a: 1 } })), plain);
  });

  it('does not depend on key order or on null fields', () => {
    const a = { model: 'svc', messages: [{ role: 'user', content: 'hi', name: 'x' }], temperature: 0.5, top_p: 1 } as ChatRequest;
    const b = { top_p: 1, temperature: 0.5, seed: null, messages: [{ name: 'x', content: 'hi', role: 'user' }], model: 'svc' } as unknown as ChatRequest;
    assert.equal(cacheKey('svc', a), cacheKey('svc', b));
  });

  it('changes with the service, the messages and every sampling parameter', () => {
    const base = cacheKey('svc', request());
    const variants = [
      cacheKey('other', request()),
      cacheKey('svc', request({ messages: [{ role: 'user', content: 'hi!' }] })),
      cacheKey('svc', request({ temperature: 0.7 })),
      cacheKey('svc', request({ top_p: 0.9 })),
      cacheKey('svc', request({ max_tokens: 10 })),
      cacheKey('svc', request({ max_completion_tokens: 10 })),
      cacheKey('svc', request({ tools: [{ type: 'function', function: { name: 'f' } }] })),
      cacheKey('svc', request({ response_format: { type: 'json_object' } })),
    ];
    assert.equal(new Set([base, ...variants]).size, variants.length + 1);
  });

  it('is a SHA-256 hex digest: no prompt text in the key', () => {
    assert.match(cacheKey('svc', request()), /^[0-9a-f]{64}$/);
  });

  it('keeps the normalised request sorted at every level', () => {
    assert.equal(JSON.stringify(normaliseRequest(request({ temperature: 1, stream: true }))), '{"messages":[{"content":"hi","role":"user"}],"temperature":1}');
  });
});

describe('ResponseCache', () => {
  it('serves an entry within its TTL and not after', () => {
    const cache = new ResponseCache();
    cache.set('k', answer('a'), 1_000);
    assert.deepEqual(cache.get('k', 60_000, 60_999), answer('a'));
    assert.equal(cache.get('k', 60_000, 61_000), null);
    assert.equal(cache.size, 0, 'an expired entry is dropped when found');
    assert.equal(cache.bytes, 0);
  });

  it('applies the TTL in force at lookup, so a shorter one takes effect at once', () => {
    const cache = new ResponseCache();
    cache.set('k', answer('a'), 0);
    assert.equal(cache.get('k', 1_000, 5_000), null);
  });

  it('evicts the least recently used entry past the entry limit', () => {
    const cache = new ResponseCache({ maxEntries: 2 });
    cache.set('a', answer('a'), 0);
    cache.set('b', answer('b'), 0);
    cache.get('a', 60_000, 1); // a is now the most recently used
    cache.set('c', answer('c'), 2);
    assert.equal(cache.get('b', 60_000, 3), null);
    assert.ok(cache.get('a', 60_000, 3));
    assert.ok(cache.get('c', 60_000, 3));
    assert.equal(cache.stats.evicted, 1);
  });

  it('evicts by bytes, and refuses an answer larger than the entry limit', () => {
    const big = 'x'.repeat(1_000);
    const cache = new ResponseCache({ maxBytes: 5_000, maxEntryBytes: 3_000 });
    cache.set('a', answer(big), 0);
    cache.set('b', answer(big), 0);
    assert.equal(cache.size, 2);
    cache.set('c', answer(big), 0);
    assert.equal(cache.size, 2, 'three entries of about 2.3 kB do not fit in 5 kB');
    assert.ok(cache.bytes <= 5_000);
    assert.equal(cache.set('d', answer('x'.repeat(2_000)), 0), false);
    assert.equal(cache.get('d', 60_000, 0), null);
  });

  it('replaces an entry stored again under the same key without double-counting its bytes', () => {
    const cache = new ResponseCache();
    cache.set('k', answer('first'), 0);
    const bytes = cache.bytes;
    cache.set('k', answer('again'), 1);
    assert.equal(cache.size, 1);
    assert.equal(cache.bytes, bytes);
    assert.equal(cache.get('k', 60_000, 2)?.message.content, 'again');
  });
});

describe('reading answers to cache', () => {
  it('reads a chat completion, with tool calls', () => {
    const completion = {
      id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-x',
      choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] }, finish_reason: 'tool_calls' }],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    };
    assert.deepEqual(answerFromCompletion(completion), {
      model: 'gpt-x', message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] }, finish_reason: 'tool_calls',
    });
    assert.equal(answerFromCompletion({ error: { message: 'x' } }), null);
  });

  it('puts a finished stream back together, ignoring comments and usage', () => {
    const chunk = (delta: object, finish: string | null = null) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', model: 'gpt-x', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const text = [
      chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hel' }), chunk({ content: 'lo' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a"' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }),
      chunk({}, 'stop'), `data: ${JSON.stringify({ id: 'c', choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } })}\n\n`,
      ': standby target=a attempts=1\n\n', 'data: [DONE]\n\n',
    ].join('');
    assert.deepEqual(answerFromSse(text), {
      model: 'gpt-x', message: { role: 'assistant', content: 'Hello', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] }, finish_reason: 'stop',
    });
  });

  it('refuses a stream that did not finish: no [DONE], no finish_reason, or an error event', () => {
    const first = `data: ${JSON.stringify({ model: 'm', choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null }] })}\n\n`;
    const finish = `data: ${JSON.stringify({ model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`;
    assert.equal(answerFromSse(first + finish), null);
    assert.equal(answerFromSse(`${first}data: [DONE]\n\n`), null);
    assert.equal(answerFromSse(`${first}data: ${JSON.stringify({ error: { message: 'cut' } })}\n\n`), null);
    assert.ok(answerFromSse(`${first}${finish}data: [DONE]\n\n`));
  });

  it('keeps a continued stream as the client read it: the text of both targets, the first model named', () => {
    const assembler = new AnswerAssembler();
    assembler.push({ model: 'primary', choices: [{ index: 0, delta: { role: 'assistant', content: 'The capital' }, finish_reason: null }] });
    assert.equal(assembler.answer(), null, 'not finished yet');
    assembler.push({ model: 'fallback', choices: [{ index: 0, delta: { content: ' is Paris.' }, finish_reason: 'stop' }] });
    assert.deepEqual(assembler.answer(), { model: 'primary', message: { role: 'assistant', content: 'The capital is Paris.' }, finish_reason: 'stop' });
  });
});

describe('answerBytes', () => {
  it('grows with the text and the tool calls kept, two bytes a character', () => {
    const small = answerBytes('k', answer('Hi'));
    assert.equal(answerBytes('k', answer('Hi'.repeat(1001))) - small, 2 * 2000);
    const withCall: CachedAnswer = { ...answer('Hi'), message: { role: 'assistant', content: 'Hi', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: 'x'.repeat(100) } }] } };
    assert.ok(answerBytes('k', withCall) > small + 200);
  });
});

describe('answering from the cache', () => {
  const meta = { id: 'chatcmpl-new', created: 1_800_000_000 };

  it('answers with a fresh id and created, and zero usage', () => {
    const completion = completionFromAnswer(answer('Hi'), meta);
    assert.equal(completion.id, 'chatcmpl-new');
    assert.equal(completion.created, 1_800_000_000);
    assert.equal(completion.model, 'gpt-small');
    assert.equal(completion.choices[0].message.content, 'Hi');
    assert.deepEqual(completion.usage, { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });

  it('streams the same answer, ending with [DONE], and reads back as the same answer', () => {
    const sse = sseFromAnswer(answer('Hi there'), meta, true);
    assert.ok(sse.endsWith('data: [DONE]\n\n'));
    assert.deepEqual(answerFromSse(sse), answer('Hi there'));
    assert.ok(sse.includes('"usage":{"prompt_tokens":0'), 'usage when asked for');
    assert.ok(!sseFromAnswer(answer('Hi'), meta, false).includes('usage'));
  });
});
