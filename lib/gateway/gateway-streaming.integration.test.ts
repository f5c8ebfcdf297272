// The gateway end to end with `stream: true` (the rest: gateway.integration.test.ts):
// DESIGN.md's table "What the gateway does when an upstream misbehaves", for
// streams, with the OpenAI SDK as the client and real local upstreams over real
// sockets. Assertions use counts, order and content; waits are bounds only.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import OpenAI from 'openai';
import { answerText, planReply } from '@/simulator/replies';
import { estimateTokens } from './openai-schema';
import { drain, finishReasons, openAiChunk, openAiUsageChunk, sendJson, sleep, startHarness, startSse, waitFor, type Harness } from '@/test/gateway-harness';

const QUESTION = 'Tell me about failover please';
const ask = (model: string, content = QUESTION) => ({ model, messages: [{ role: 'user' as const, content }] });
const streamed = (model: string, content = QUESTION) => ({ ...ask(model, content), stream: true as const, stream_options: { include_usage: true } });

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
});

/** The whole SSE body as the gateway sent it, read without the SDK. */
async function rawStream(model: string) {
  const response = await h.post(streamed(model));
  return { status: response.status, headers: response.headers, text: response.text, events: response.text.split('\n\n').filter((e) => e.trim() !== '') };
}

/** A streamed request over plain node:http, which keeps the HTTP trailers that fetch drops. */
function rawWithTrailers(model: string): Promise<{ headers: http.IncomingHttpHeaders; trailers: NodeJS.Dict<string>; text: string }> {
  const body = JSON.stringify(streamed(model));
  return new Promise((resolve, reject) => {
    const req = http.request(`${h.gatewayOrigin}/api/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json', te: 'trailers' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ headers: res.headers, trailers: res.trailers, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function assertInterrupted(result: Awaited<ReturnType<typeof drain>>) {
  assert.ok(result.error instanceof OpenAI.APIError, `iterating the stream should throw an APIError, got ${String(result.error)}`);
  assert.match(result.error.message, /interrupted/);
  assert.equal((result.error.error as { code?: string }).code, 'upstream_stream_interrupted');
  assert.deepEqual(finishReasons(result.chunks), [], 'no chunk may claim the answer finished');
  assert.ok(result.text.length > 0, 'part of the answer had been sent');
}

describe('a healthy stream', () => {
  test('streams the whole answer with finish_reason, usage, the target headers and [DONE]', async () => {
    const { name, targets } = h.addService([{ label: 'ok' }]);
    const [a] = targets;
    const { data: stream, response } = await h.client().chat.completions.create(streamed(name)).withResponse();
    assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.equal(response.headers.get('x-standby-target'), a.name);
    assert.equal(response.headers.get('x-standby-attempts'), '1');
    const result = await drain(stream);
    assert.equal(result.error, null);
    assert.equal(result.text, answerText(a.name, a.model, QUESTION));
    assert.deepEqual(finishReasons(result.chunks), ['stop']);
    const usage = result.chunks.at(-1)?.usage;
    assert.ok(usage && usage.completion_tokens > 0, 'the last chunk carries usage');
    assert.ok(result.chunks.every((c) => c.model === a.model && c.id === result.chunks[0].id));

    const raw = await rawStream(name);
    assert.equal(raw.events.at(-1), 'data: [DONE]');
    const sample = h.samples.findLast((s) => s.targetId === a.id);
    assert.ok(sample?.ok && sample.ttftMs !== null && sample.completionTokens === usage.completion_tokens);
  });
});

describe('errors before the stream starts', () => {
  test('429 with Retry-After: fails over at once', async () => {
    const { name, targets } = h.addService([{ label: 'ra' }, { label: 'ra-fallback' }]);
    const [a, b] = targets;
    h.setFaults(a, { rateLimitRate: 1, retryAfterSeconds: 1 });
    const { data, response } = await h.client().chat.completions.create(streamed(name)).withResponse();
    const result = await drain(data);
    assert.equal(result.text, answerText(b.name, b.model, QUESTION));
    assert.equal(response.headers.get('x-standby-target'), b.name);
    assert.equal(response.headers.get('x-standby-attempts'), '2');
    const second = await drain(await h.client().chat.completions.create(streamed(name)));
    assert.equal(second.error, null);
    assert.deepEqual([a.hits().length, b.hits().length], [1, 2], 'not asked again before its wait is over');
  });

  test('429 without Retry-After on the only target: 1 + maxRetries calls, then a 429', async () => {
    const { name, targets } = h.addService([{ label: 'rl-alone', budget: { maxRetries: 2 } }]);
    const [a] = targets;
    h.setFaults(a, { rateLimitRate: 1 });
    const error = await h.client().chat.completions.create(streamed(name)).catch((e: unknown) => e);
    assert.ok(error instanceof OpenAI.APIError);
    assert.equal(error.status, 429);
    assert.equal((error.error as { type: string }).type, 'rate_limit_error');
    assert.equal(a.hits().length, 3);
  });

  test('a persistent 503: retried, then the next target streams the answer', async () => {
    const { name, targets } = h.addService([{ label: '5xx', budget: { maxRetries: 1 } }, { label: '5xx-fallback' }]);
    const [a, b] = targets;
    h.setFaults(a, { errorRate: 1, errorStatus: 503 });
    const { data, response } = await h.client().chat.completions.create(streamed(name)).withResponse();
    const result = await drain(data);
    assert.equal(result.text, answerText(b.name, b.model, QUESTION));
    assert.equal(response.headers.get('x-standby-attempts'), '3');
    assert.deepEqual([a.hits().length, b.hits().length], [2, 1]);
  });

  test('a persistent 503 with nothing left: 502 with the provider message', async () => {
    const { name, targets } = h.addService([{ label: '5xx-alone', budget: { maxRetries: 1 } }]);
    h.setFaults(targets[0], { errorRate: 1, errorStatus: 503 });
    const error = await h.client().chat.completions.create(streamed(name)).catch((e: unknown) => e);
    assert.ok(error instanceof OpenAI.APIError);
    assert.equal(error.status, 502);
    assert.match(error.message, /temporarily unable to handle your request/);
    assert.equal(targets[0].hits().length, 2);
  });

  test('one 503, or a reset before the headers: retried once on the same target', async () => {
    const blip = h.addService([{ label: 'blip' }, { label: 'blip-fallback' }]);
    h.setFaults(blip.targets[0], { errorRate: 1, errorStatus: 503 }, {});
    const first = await h.client().chat.completions.create(streamed(blip.name)).withResponse();
    assert.equal((await drain(first.data)).text, answerText(blip.targets[0].name, blip.targets[0].model, QUESTION));
    assert.equal(first.response.headers.get('x-standby-target'), blip.targets[0].name);
    assert.equal(first.response.headers.get('x-standby-attempts'), '2');

    const reset = h.addService([{ label: 'reset', upstream: 'custom' }, { label: 'reset-fallback' }]);
    const [a] = reset.targets;
    h.custom(a, async ({ req, res, n }) => {
      if (n === 1) return void req.socket.destroy();
      const sse = startSse(res);
      await sse.data(openAiChunk({ model: a.model }, { role: 'assistant', content: '' }));
      await sse.data(openAiChunk({ model: a.model }, { content: 'fine now' }));
      await sse.data(openAiChunk({ model: a.model }, {}, 'stop'));
      await sse.data('[DONE]');
      res.end();
    });
    const second = await h.client().chat.completions.create(streamed(reset.name)).withResponse();
    const result = await drain(second.data);
    assert.equal(result.text, 'fine now');
    assert.equal(second.response.headers.get('x-standby-target'), a.name);
    assert.equal(second.response.headers.get('x-standby-attempts'), '2');
    assert.deepEqual([a.hits().length, reset.targets[1].hits().length], [2, 0]);
  });

  test('no response: one header timeout, then the next target; alone, a 504', async () => {
    const { name, targets } = h.addService([{ label: 'silent', timeouts: { headerMs: 300 } }, { label: 'silent-fallback' }]);
    const [a, b] = targets;
    h.setFaults(a, { noResponse: true });
    const { data, response } = await h.client().chat.completions.create(streamed(name)).withResponse();
    assert.equal((await drain(data)).text, answerText(b.name, b.model, QUESTION));
    assert.equal(response.headers.get('x-standby-attempts'), '2');
    assert.deepEqual([a.hits().length, b.hits().length], [1, 1]);

    const alone = h.addService([{ label: 'silent-alone', timeouts: { headerMs: 300 } }]);
    h.setFaults(alone.targets[0], { noResponse: true });
    const error = await h.client().chat.completions.create(streamed(alone.name)).catch((e: unknown) => e);
    assert.ok(error instanceof OpenAI.APIError);
    assert.equal(error.status, 504);
    assert.equal(alone.targets[0].hits().length, 1);
  });

  test('context length exceeded: a larger-context target, else 400 context_length_exceeded', async () => {
    const long = 'Please summarise this long document. '.repeat(20);
    const { name, targets } = h.addService([{ label: 'ctx-small', contextWindow: 1_000 }, { label: 'ctx-large', contextWindow: 200_000, apiStyle: 'anthropic_messages' }]);
    const [a, b] = targets;
    h.setFaults(a, { contextWindow: 50 });
    const { data, response } = await h.client().chat.completions.create(streamed(name, long)).withResponse();
    const result = await drain(data);
    assert.equal(result.text, answerText(b.name, b.model, long));
    assert.equal(result.chunks.at(-1)?.model, b.model);
    assert.equal(response.headers.get('x-standby-target'), b.name);
    assert.deepEqual([a.hits().length, b.hits().length], [1, 1]);

    const alone = h.addService([{ label: 'ctx-alone', contextWindow: 1_000 }]);
    h.setFaults(alone.targets[0], { contextWindow: 50 });
    const error = await h.client().chat.completions.create(streamed(alone.name, long)).catch((e: unknown) => e);
    assert.ok(error instanceof OpenAI.APIError);
    assert.equal(error.status, 400);
    assert.equal(error.code, 'context_length_exceeded');
    assert.equal(alone.targets[0].hits().length, 1);
  });

  test('content policy: no retry, the provider reason reaches the caller', async () => {
    const { name, targets } = h.addService([{ label: 'policy' }, { label: 'policy-fallback' }]);
    h.setFaults(targets[0], { contentPolicyRate: 1 });
    const error = await h.client().chat.completions.create(streamed(name)).catch((e: unknown) => e);
    assert.ok(error instanceof OpenAI.APIError);
    assert.equal(error.status, 400);
    assert.equal(error.code, 'content_policy_violation');
    assert.match(error.message, /safety system/);
    assert.deepEqual([targets[0].hits().length, targets[1].hits().length], [1, 0]);
  });
});

describe('slow first token', () => {
  test('the first-token limit moves on; the client gets the whole answer from the next target', async () => {
    const { name, targets } = h.addService([{ label: 'slow', timeouts: { firstTokenMs: 300 } }, { label: 'slow-fallback' }]);
    const [a, b] = targets;
    h.setFaults(a, { firstTokenDelayMs: 10_000 });
    const { data, response } = await h.client().chat.completions.create(streamed(name)).withResponse();
    const result = await drain(data);
    assert.equal(result.error, null);
    assert.equal(result.text, answerText(b.name, b.model, QUESTION));
    assert.deepEqual(finishReasons(result.chunks), ['stop']);
    assert.equal(response.headers.get('x-standby-target'), b.name);
    assert.equal(response.headers.get('x-standby-attempts'), '2');
    assert.deepEqual([a.hits().length, b.hits().length], [1, 1]);
    assert.equal(h.samples.findLast((s) => s.targetId === a.id)?.errorClass, 'first_token_timeout');
  });

  test('keep-alive comments before the first token do not extend the limit', async () => {
    const { name, targets } = h.addService([{ label: 'pinging', upstream: 'custom', timeouts: { firstTokenMs: 400, totalMs: 15_000 } }, { label: 'pinging-fallback' }]);
    const [a, b] = targets;
    h.custom(a, async ({ res }) => {
      const sse = startSse(res);
      while (!sse.closed()) {
        await sse.raw(': keep-alive\n\n');
        await sleep(50);
      }
    });
    const { data, response } = await h.client().chat.completions.create(streamed(name)).withResponse();
    assert.equal((await drain(data)).text, answerText(b.name, b.model, QUESTION));
    assert.equal(response.headers.get('x-standby-target'), b.name);
    assert.equal(h.samples.findLast((s) => s.targetId === a.id)?.errorClass, 'first_token_timeout');
  });

  test('an Anthropic stream that starts a message but sends no token in time moves on before anything reaches the client', async () => {
    const { name, targets } = h.addService([
      { label: 'claude-mute', upstream: 'custom', apiStyle: 'anthropic_messages', timeouts: { firstTokenMs: 400, totalMs: 15_000 } },
      { label: 'claude-mute-fallback' },
    ]);
    const [a, b] = targets;
    h.custom(a, async ({ res }) => {
      const sse = startSse(res);
      await sse.data({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: a.model, content: [], usage: { input_tokens: 5, output_tokens: 1 } } }, 'message_start');
      await sse.data({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start');
      while (!sse.closed()) {
        await sse.data({ type: 'ping' }, 'ping');
        await sleep(50);
      }
    });
    const { data, response } = await h.client().chat.completions.create(streamed(name)).withResponse();
    const result = await drain(data);
    assert.equal(result.text, answerText(b.name, b.model, QUESTION));
    assert.equal(response.headers.get('x-standby-target'), b.name, 'nothing had been sent, so the answer comes from the fallback alone');
    assert.ok(result.chunks.every((c) => c.model === b.model));
  });

  test('alone: a 504 before any byte of answer', async () => {
    const { name, targets } = h.addService([{ label: 'slow-alone', timeouts: { firstTokenMs: 300 } }]);
    h.setFaults(targets[0], { firstTokenDelayMs: 10_000 });
    const error = await h.client().chat.completions.create(streamed(name)).catch((e: unknown) => e);
    assert.ok(error instanceof OpenAI.APIError);
    assert.equal(error.status, 504);
    assert.equal(targets[0].hits().length, 1);
  });
});

describe('stream cut or stalled mid-answer', () => {
  test('cut: an Anthropic target next continues the answer without losing or repeating text', async () => {
    const { name, targets } = h.addService([{ label: 'cut' }, { label: 'cut-claude', apiStyle: 'anthropic_messages' }]);
    const [a, b] = targets;
    h.setFaults(a, { streamCutAfterChunks: 2 });
    const { data, response } = await h.client().chat.completions.create(streamed(name)).withResponse();
    assert.equal(response.headers.get('x-standby-target'), a.name, 'the headers name the target that began the answer');
    const result = await drain(data);
    assert.equal(result.error, null);
    assert.equal(result.text, answerText(a.name, a.model, QUESTION), 'one continuous answer');
    assert.deepEqual(finishReasons(result.chunks), ['stop']);
    assert.equal(result.chunks.at(-1)?.model, b.model, 'the model that finished the answer');
    assert.ok(result.chunks.at(-1)?.usage?.completion_tokens, 'usage of the answering target');
    assert.equal(result.chunks.filter((c) => c.choices[0]?.delta?.role).length, 1, 'one role chunk, at the start');
    assert.deepEqual([a.hits().length, b.hits().length], [1, 1]);
    const messages = b.hits()[0].body.messages as { role: string; content: { text: string }[] }[];
    assert.equal(messages.at(-1)?.role, 'assistant', 'the part already sent is the prefill');
    assert.ok(answerText(a.name, a.model, QUESTION).startsWith(messages.at(-1)!.content[0].text));
  });

  test('cut, with only OpenAI targets left: a clear error event, no [DONE], and no chunk claims the answer finished', async () => {
    const { name, targets } = h.addService([{ label: 'cut-only' }, { label: 'cut-openai-next' }]);
    const [a, b] = targets;
    h.setFaults(a, { streamCutAfterChunks: 2 });
    const result = await drain(await h.client().chat.completions.create(streamed(name)));
    assertInterrupted(result);
    assert.match((result.error as Error).message, /the remaining targets cannot continue a partial answer/, 'not "no other target is left": one is left, and cannot continue');
    assert.ok(answerText(a.name, a.model, QUESTION).startsWith(result.text));
    assert.equal(b.hits().length, 0, 'an OpenAI target cannot continue a partial answer: it is not asked');

    const { name: alone, targets: [only] } = h.addService([{ label: 'cut-alone' }]);
    h.setFaults(only, { streamCutAfterChunks: 2 });
    const lone = await drain(await h.client().chat.completions.create(streamed(alone)));
    assert.match((lone.error as Error).message, /no other target is left/);

    const raw = await rawStream(name);
    assert.equal(raw.status, 200);
    assert.ok(!raw.text.includes('[DONE]'));
    assert.match(raw.events.at(-1) ?? '', /"code":"upstream_stream_interrupted"/);
  });

  test('cut and continued: usage covers the whole answer, each attempt records its own share, and the end names the target that finished', async () => {
    const { name, service, targets } = h.addService([{ label: 'usage-cut' }, { label: 'usage-claude', apiStyle: 'anthropic_messages' }]);
    const [a, b] = targets;
    h.setFaults(a, { streamCutAfterChunks: 2 });
    const { data, response } = await h.client().chat.completions.create(streamed(name)).withResponse();
    const result = await drain(data);
    const whole = answerText(a.name, a.model, QUESTION);
    assert.equal(result.text, whole);
    const usage = result.chunks.at(-1)?.usage;
    assert.ok(usage);

    const [first, second] = h.samples.filter((s) => s.requestId === response.headers.get('x-request-id'));
    assert.deepEqual([first.targetId, second.targetId], [a.id, b.id]);
    assert.equal(first.promptTokens, null, 'the cut target never said how many tokens it read');
    const sentByA = planReply(a.name, { model: a.model, question: QUESTION, prefill: null, maxTokens: null }).pieces.slice(0, 2).join('');
    assert.equal(first.completionTokens, estimateTokens(sentByA), 'its part of the answer (two chunks), estimated');
    assert.ok(second.completionTokens! > 0 && second.promptTokens! > 0, 'the continuing target reported its own');
    assert.equal(usage.completion_tokens, first.completionTokens! + second.completionTokens!, 'every part the client received');
    assert.ok(Math.abs(usage.completion_tokens - estimateTokens(whole)) <= 1, `${usage.completion_tokens} tokens for ${whole.length} characters`);
    assert.equal(usage.prompt_tokens, second.promptTokens! - first.completionTokens!, "the prefill is the answer's own text, not the client's prompt");
    assert.equal(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens);

    const outcome = h.outcomes.find((o) => o.requestId === response.headers.get('x-request-id'))!;
    assert.deepEqual([outcome.serviceId, outcome.targetId, outcome.promptTokens, outcome.completionTokens], [service.id, b.id, usage.prompt_tokens, usage.completion_tokens]);

    // The headers went out before anyone knew: they name the target that began. The end names the one that finished.
    const raw = await rawWithTrailers(name);
    assert.equal(raw.headers['x-standby-target'], a.name);
    assert.equal(raw.trailers['x-standby-target'], b.name);
    assert.equal(raw.trailers['x-standby-attempts'], '2');
    assert.match(raw.text, new RegExp(`: standby target=${b.name} attempts=2 usage=estimated\\n\\ndata: \\[DONE\\]`));
  });

  test('cut: capability-aware, the OpenAI target in between is skipped and the Anthropic one continues', async () => {
    const { name, targets } = h.addService([{ label: 'cut-1' }, { label: 'cut-2-openai' }, { label: 'cut-3-claude', apiStyle: 'anthropic_messages' }]);
    const [a, b, c] = targets;
    h.setFaults(a, { streamCutAfterChunks: 3 });
    const result = await drain(await h.client().chat.completions.create(streamed(name)));
    assert.equal(result.text, answerText(a.name, a.model, QUESTION));
    assert.deepEqual([a.hits().length, b.hits().length, c.hits().length], [1, 0, 1]);
  });

  test('stalled: the idle timeout moves on; an Anthropic target continues, else an error event', async () => {
    const { name, targets } = h.addService([{ label: 'stall', timeouts: { streamIdleMs: 300 } }, { label: 'stall-claude', apiStyle: 'anthropic_messages' }]);
    const [a, b] = targets;
    h.setFaults(a, { streamStallAfterChunks: 2 });
    const result = await drain(await h.client().chat.completions.create(streamed(name)));
    assert.equal(result.error, null);
    assert.equal(result.text, answerText(a.name, a.model, QUESTION));
    assert.deepEqual(finishReasons(result.chunks), ['stop']);
    assert.deepEqual([a.hits().length, b.hits().length], [1, 1]);
    assert.equal(h.samples.findLast((s) => s.targetId === a.id)?.errorClass, 'stream_stall');

    const alone = h.addService([{ label: 'stall-alone', timeouts: { streamIdleMs: 300 } }]);
    h.setFaults(alone.targets[0], { streamStallAfterChunks: 2 });
    assertInterrupted(await drain(await h.client().chat.completions.create(streamed(alone.name))));
    assert.equal(alone.targets[0].hits().length, 1);
  });

  test('a cut before any text is retried cleanly on the same target', async () => {
    const { name, targets } = h.addService([{ label: 'cut-early' }, { label: 'cut-early-fallback' }]);
    const [a, b] = targets;
    h.setFaults(a, { streamCutAfterChunks: 0 }, {});
    const { data, response } = await h.client().chat.completions.create(streamed(name)).withResponse();
    const result = await drain(data);
    assert.equal(result.error, null);
    assert.equal(result.text, answerText(a.name, a.model, QUESTION));
    assert.equal(response.headers.get('x-standby-target'), a.name);
    assert.equal(response.headers.get('x-standby-attempts'), '2');
    assert.deepEqual([a.hits().length, b.hits().length], [2, 0]);
  });
});

describe('malformed chunks', () => {
  test('are skipped: the answer completes, and the next request is served', async () => {
    const { name, targets } = h.addService([{ label: 'malformed', upstream: 'custom' }]);
    const [a] = targets;
    h.custom(a, async ({ res, n }) => {
      const sse = startSse(res);
      const o = { model: a.model };
      await sse.data(openAiChunk(o, { role: 'assistant', content: '' }));
      await sse.data(openAiChunk(o, { content: `Answer ${n}: one, ` }));
      await sse.data('{"id": "chatcmpl-custom", "choices": [{"delta": {"content": "lost');
      await sse.data(openAiChunk(o, { content: 'two, ' }));
      await sse.data({ unexpected: ['shape'] });
      await sse.raw('data: \u0000\u00ff not json\n\n');
      await sse.data(openAiChunk(o, { content: 'three.' }));
      await sse.data(openAiChunk(o, {}, 'stop'));
      await sse.data(openAiUsageChunk(o, 9, 6));
      await sse.data('[DONE]');
      res.end();
    });
    const first = await drain(await h.client().chat.completions.create(streamed(name)));
    assert.equal(first.error, null);
    assert.equal(first.text, 'Answer 1: one, two, three.');
    assert.deepEqual(finishReasons(first.chunks), ['stop']);
    assert.deepEqual(first.chunks.at(-1)?.usage, { prompt_tokens: 9, completion_tokens: 6, total_tokens: 15 });

    const second = await drain(await h.client().chat.completions.create(streamed(name)));
    assert.equal(second.text, 'Answer 2: one, two, three.');
    const plain = await h.client().chat.completions.create({ ...ask(name) }).catch((e: unknown) => e);
    assert.ok(plain instanceof OpenAI.APIError, 'a non-streamed request to an upstream that only streams fails cleanly');
    assert.equal(plain.status, 502);
  });

  test('from the simulator: a stream where every text chunk is spoiled still ends cleanly', async () => {
    const { name, targets } = h.addService([{ label: 'spoiled' }]);
    h.setFaults(targets[0], { malformedChunkRate: 1 });
    const result = await drain(await h.client().chat.completions.create(streamed(name)));
    assert.equal(result.error, null);
    assert.deepEqual(finishReasons(result.chunks), ['stop']);
    assert.ok(result.chunks.at(-1)?.usage);
    h.setFaults(targets[0], {});
    assert.equal((await drain(await h.client().chat.completions.create(streamed(name)))).text, answerText(targets[0].name, targets[0].model, QUESTION));
  });
});

describe('a stream without [DONE]', () => {
  test('with finish_reason (simulator, OpenAI and Anthropic): complete, with usage and a [DONE] of our own', async () => {
    for (const apiStyle of ['openai_chat', 'anthropic_messages'] as const) {
      const { name, targets } = h.addService([{ label: `no-done-${apiStyle === 'openai_chat' ? 'openai' : 'claude'}`, apiStyle }]);
      const [a] = targets;
      h.setFaults(a, { omitDone: true });
      const result = await drain(await h.client().chat.completions.create(streamed(name)));
      assert.equal(result.error, null);
      assert.equal(result.text, answerText(a.name, a.model, QUESTION));
      assert.deepEqual(finishReasons(result.chunks), ['stop']);
      assert.ok(result.chunks.at(-1)?.usage?.completion_tokens, `${apiStyle}: usage`);
      const raw = await rawStream(name);
      assert.equal(raw.events.at(-1), 'data: [DONE]');
    }
  });

  test('with finish_reason and usage on a connection held open: finishes promptly', async () => {
    const { name, targets } = h.addService([{ label: 'held-open', upstream: 'custom', timeouts: { streamIdleMs: 60_000, totalMs: 60_000 } }]);
    const [a] = targets;
    h.custom(a, async ({ res }) => {
      const sse = startSse(res);
      const o = { model: a.model };
      await sse.data(openAiChunk(o, { role: 'assistant', content: '' }));
      await sse.data(openAiChunk(o, { content: 'All done.' }));
      await sse.data(openAiChunk(o, {}, 'stop'));
      await sse.data(openAiUsageChunk(o, 4, 3));
      // ... and nothing more, not even [DONE], on a connection left open.
    });
    // A bound, not a measurement: without the fix the gateway waits for the 60 s idle timeout.
    const signal = AbortSignal.timeout(10_000);
    const { data, response } = await h.client().chat.completions.create(streamed(name), { signal }).withResponse();
    const result = await drain(data);
    assert.equal(signal.aborted, false, 'the stream ended on its own');
    assert.equal(result.error, null);
    assert.deepEqual(finishReasons(result.chunks), ['stop']);
    assert.equal(result.text, 'All done.');
    assert.deepEqual(result.chunks.at(-1)?.usage, { prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 });
    assert.equal(response.headers.get('x-standby-attempts'), '1');
  });

  test('cut after finish_reason: the answer is complete and is presented as such', async () => {
    const { name, targets } = h.addService([{ label: 'cut-after-finish', upstream: 'custom' }]);
    const [a] = targets;
    h.custom(a, async ({ res }) => {
      const sse = startSse(res);
      const o = { model: a.model };
      await sse.data(openAiChunk(o, { role: 'assistant', content: '' }));
      await sse.data(openAiChunk(o, { content: 'Complete answer.' }));
      await sse.data(openAiChunk(o, {}, 'stop'));
      res.destroy();
    });
    const result = await drain(await h.client().chat.completions.create(streamed(name)));
    assert.equal(result.error, null);
    assert.equal(result.text, 'Complete answer.');
    assert.deepEqual(finishReasons(result.chunks), ['stop']);
  });

  test('without finish_reason: treated as cut (continued on Anthropic, else an error event)', async () => {
    const endsEarly = (model: string) => async ({ res }: { res: import('node:http').ServerResponse }) => {
      const sse = startSse(res);
      await sse.data(openAiChunk({ model }, { role: 'assistant', content: '' }));
      await sse.data(openAiChunk({ model }, { content: 'Answer to: "Tell me about failover please". ' }));
      res.end();
    };
    const alone = h.addService([{ label: 'ends-early', upstream: 'custom' }]);
    h.custom(alone.targets[0], endsEarly(alone.targets[0].model));
    assertInterrupted(await drain(await h.client().chat.completions.create(streamed(alone.name))));
    const raw = await rawStream(alone.name);
    assert.ok(!raw.text.includes('[DONE]'));

    const chain = h.addService([{ label: 'ends-early-2', upstream: 'custom' }, { label: 'ends-early-claude', apiStyle: 'anthropic_messages' }]);
    const [a, b] = chain.targets;
    h.custom(a, endsEarly(a.model));
    const result = await drain(await h.client().chat.completions.create(streamed(chain.name)));
    assert.equal(result.error, null);
    assert.equal(result.text, `Answer to: "Tell me about failover please". ${answerText(b.name, b.model, QUESTION).split('". ')[1]}`);
    assert.deepEqual(finishReasons(result.chunks), ['stop']);
  });
});

describe('a primary that flaps, streaming', () => {
  test('streams cut mid-answer open its breaker; the fallback serves whole answers; a probe, then traffic returns', async () => {
    const breaker = { minimumRequests: 4, failureRateThreshold: 0.5, windowMs: 10_000, openMs: 500, halfOpenSuccesses: 1, halfOpenMaxInFlight: 1 };
    const { name, targets } = h.addService([{ label: 'flappy', breaker }, { label: 'steady-claude', apiStyle: 'anthropic_messages' }]);
    const [a, b] = targets;
    const whole = answerText(a.name, a.model, QUESTION);
    const served = async () => {
      const { data, response } = await h.client().chat.completions.create(streamed(name)).withResponse();
      const result = await drain(data);
      assert.equal(result.error, null);
      assert.deepEqual(finishReasons(result.chunks), ['stop']);
      return { target: response.headers.get('x-standby-target'), finishedBy: result.chunks.at(-1)?.model, text: result.text };
    };
    const transitionsOfA = () => h.transitions.filter((t) => t.targetId === a.id).map((t) => `${t.from}->${t.to}`);

    // Cut mid-answer: each answer begins on the primary and is finished by the fallback; the 4th cut opens the breaker.
    h.setFaults(a, { streamCutAfterChunks: 2 });
    for (let i = 0; i < 4; i += 1) assert.deepEqual(await served(), { target: a.name, finishedBy: b.model, text: whole });
    assert.deepEqual(transitionsOfA(), ['closed->open']);
    const openedAt = h.transitions.find((t) => t.targetId === a.id && t.to === 'open')!.at;
    const hitsWhenOpened = a.hits().length;

    // Open: the fallback alone serves whole answers of its own.
    const fallback = await served();
    assert.deepEqual(fallback, { target: b.name, finishedBy: b.model, text: answerText(b.name, b.model, QUESTION) });
    assert.equal(a.hits().length, hitsWhenOpened);

    // Healthy again: after openMs a probe reaches the primary, closes the breaker, and traffic stays there.
    h.setFaults(a, {});
    await waitFor('traffic back on the primary', async () => (await served()).target === a.name, 5_000, 25);
    assert.ok(a.hits()[hitsWhenOpened].at - openedAt >= 500, 'no request reached the primary while its breaker was open');
    assert.deepEqual(transitionsOfA(), ['closed->open', 'open->half_open', 'half_open->closed']);
    assert.deepEqual(await served(), { target: a.name, finishedBy: a.model, text: whole });
  });
});

describe('any failover', () => {
  test('the stream names the model that answered, with usage, the target and the attempts', async () => {
    const { name, targets } = h.addService([{ label: 'gpt', budget: { maxRetries: 0 } }, { label: 'claude', apiStyle: 'anthropic_messages' }]);
    const [a, b] = targets;
    h.setFaults(a, { errorRate: 1, errorStatus: 500 });
    const { data, response } = await h.client().chat.completions.create(streamed(name)).withResponse();
    const result = await drain(data);
    assert.equal(result.text, answerText(b.name, b.model, QUESTION));
    assert.ok(result.chunks.every((c) => c.model === b.model));
    const usage = result.chunks.at(-1)?.usage;
    assert.ok(usage && usage.prompt_tokens > 0 && usage.completion_tokens > 0 && usage.total_tokens === usage.prompt_tokens + usage.completion_tokens);
    assert.equal(response.headers.get('x-standby-target'), b.name);
    assert.equal(response.headers.get('x-standby-attempts'), '2');
  });

  test('without include_usage no usage chunk is sent, and a plain completion to a streaming-only failure still fails over', async () => {
    const { name, targets } = h.addService([{ label: 'plain', upstream: 'custom' }, { label: 'plain-fallback' }]);
    const [a, b] = targets;
    h.custom(a, ({ res }) => sendJson(res, 503, { error: { message: 'down for maintenance', type: 'server_error' } }));
    const result = await drain(await h.client().chat.completions.create({ ...ask(name), stream: true }));
    assert.equal(result.text, answerText(b.name, b.model, QUESTION));
    assert.ok(result.chunks.every((c) => !c.usage));
    const plain = await h.client().chat.completions.create(ask(name));
    assert.equal(plain.model, b.model);
  });
});

describe("a drill's fault on a stream (inject-fault.ts), acting on the body as it comes from a real upstream", () => {
  /** A fault lease on `target` in the routing snapshot, as a drill run puts it there; removed after `body`. */
  async function withFault(target: { id: string }, kind: 'stream_cut' | 'slow_first_token', params: { afterChunks?: number; delayMs?: number }, body: () => Promise<void>) {
    const at = Date.now();
    h.snapshot.faults = new Map([[target.id, [{ id: `fault-${kind}`, runId: 'run-stream-fault', kind, share: 1, drillOnly: false, startsAt: at - 1_000, expiresAt: at + 60_000, params }]]]);
    try {
      await body();
    } finally {
      h.snapshot.faults = undefined;
    }
  }

  test('cut before the first piece: the attempt fails as stream_cut and the next target gives the whole answer', async () => {
    const { name, targets } = h.addService([{ label: 'drill-cut' }, { label: 'drill-cut-next' }]);
    const [a, b] = targets;
    await withFault(a, 'stream_cut', { afterChunks: 0 }, async () => {
      const result = await drain(await h.client().chat.completions.create(streamed(name)));
      assert.equal(result.error, null);
      assert.equal(result.text, answerText(b.name, b.model, QUESTION));
      assert.deepEqual(finishReasons(result.chunks), ['stop']);
      // Each attempt on the first target (the chain entry retries it once) was cut; the second answered.
      const onA = h.samples.filter((s) => s.targetId === a.id);
      assert.ok(onA.length >= 1 && onA.length === a.hits().length);
      assert.deepEqual(new Set(onA.map((s) => s.errorClass)), new Set(['stream_cut']));
      assert.equal(b.hits().length, 1);
    });
  });

  test('a slow first token: the first piece is held back for the delay, then the whole answer follows from the same target', async () => {
    const { name, targets } = h.addService([{ label: 'drill-slow' }]);
    const [a] = targets;
    await withFault(a, 'slow_first_token', { delayMs: 300 }, async () => {
      const started = performance.now();
      const result = await drain(await h.client().chat.completions.create(streamed(name)));
      assert.equal(result.error, null);
      assert.equal(result.text, answerText(a.name, a.model, QUESTION));
      assert.ok(performance.now() - started >= 290, 'the first piece waited for the delay');
      assert.ok((h.samples.findLast((s) => s.targetId === a.id)?.ttftMs ?? 0) >= 290, 'the time to first token counts the delay');
    });
  });
});
