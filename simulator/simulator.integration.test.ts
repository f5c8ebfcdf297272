import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, errors, request } from 'undici';
import pg from 'pg';
import { createSseParser, type SseEvent } from '@/lib/gateway/sse';
import { auditEntriesFor, createTestUser, disconnect, rejectsWith, uniqueName } from '@/test/fixtures';
import { db } from '@/lib/server/db';
import { AppError } from '@/lib/server/errors';
import { faultsSchema, NO_FAULTS, type Faults, type FaultsInput } from '@/lib/simulator/faults';
import { startDemoTraffic } from './demo-traffic';
import { answerBody } from './replies';
import { resetFaults, setDemoTraffic, setFaults } from '@/lib/simulator/mutations';
import { DEMO_TRAFFIC_KEY } from '@/lib/simulator/schemas';
import { createSimulator, type Simulator } from './server';
import { createFaultCache } from './fault-cache';
import { listSimulatedUpstreams } from '@/lib/simulator/store';

// ---------------------------------------------------------------- HTTP, no database

const faultsByName = new Map<string, Faults>();
const setFaultsFor = (name: string, input: FaultsInput) => faultsByName.set(name, faultsSchema.parse(input));

let simulator: Simulator;
let server: http.Server;
let origin: string;
const agent = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });

before(async () => {
  simulator = createSimulator({ loadFaults: (name) => faultsByName.get(name) ?? NO_FAULTS, chunkDelayMs: 1, publishStats: false });
  server = http.createServer((req, res) => {
    if (!simulator.handle(req, res, req.url ?? '/')) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not the simulator');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  simulator.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await agent.close();
  await disconnect();
});

type Usage = { prompt_tokens: number; completion_tokens: number; total_tokens: number };
type Chunk = { id: string; model: string; choices: { delta: { role?: string; content?: string; refusal?: null }; finish_reason: string | null }[]; usage?: Usage | null };
type Completion = { object: string; model: string; choices: { message: { role: string; content: string }; finish_reason: string }[]; usage: Usage };
type OpenAiError = { error: { message: string; type: string; code: string | null; param: string | null } };
type AnthropicMessage = { type: string; content: { type: string; text: string }[]; stop_reason: string; usage: { input_tokens: number; output_tokens: number } };
type AnthropicError = { type: 'error'; error: { type: string; message: string } };
type ModelList = { object: string; data: { id: string }[] };

/** A JSON body, typed as the test expects it to be (the assertions check it). */
const json = async <T,>(response: { body: { json(): Promise<unknown> } }) => (await response.body.json()) as T;

type Call = { path: string; body?: unknown; headers?: Record<string, string>; method?: 'GET' | 'POST'; headersTimeout?: number; bodyTimeout?: number };

function call({ path, body, headers, method = 'POST', headersTimeout, bodyTimeout }: Call) {
  return request(`${origin}${path}`, {
    method,
    dispatcher: agent,
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-sim-test', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    headersTimeout,
    bodyTimeout,
  });
}

/** Reads a body to its end or its failure, keeping what arrived before the failure. */
async function readAll(body: AsyncIterable<Buffer>): Promise<{ text: string; error: unknown }> {
  let text = '';
  try {
    for await (const chunk of body) text += chunk.toString('utf8');
    return { text, error: null };
  } catch (error) {
    return { text, error };
  }
}

function sse(text: string): SseEvent[] {
  const parser = createSseParser();
  return [...parser.push(text), ...parser.end()];
}

const chat = (model = 'gpt-4o', extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: 'user', content: 'Where is the nearest data centre?' }], ...extra });
const messages = (extra: Record<string, unknown> = {}) => ({ model: 'claude-sonnet-4-5', max_tokens: 200, messages: [{ role: 'user', content: 'Where is the nearest data centre?' }], ...extra });

/** Text deltas in an OpenAI stream's events that parse; malformed ones are counted apart. */
function openAiDeltas(events: SseEvent[]) {
  const parsed: Chunk[] = [];
  let malformed = 0;
  for (const event of events) {
    if (event.data === '[DONE]') continue;
    try {
      parsed.push(JSON.parse(event.data));
    } catch {
      malformed++;
    }
  }
  const content = parsed.flatMap((chunk) => chunk.choices.map((choice) => choice.delta.content ?? '').filter(Boolean));
  return { parsed, content, malformed };
}

describe('OpenAI Chat Completions', () => {
  const name = 'openai-sim-us-east';
  const path = `/simulated/${name}/v1/chat/completions`;

  test('a non-streaming answer echoes the model, names the simulated upstream and reports usage', async () => {
    faultsByName.delete(name);
    const response = await call({ path, body: chat('gpt-4o-mini') });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['x-standby-simulated'], name);
    const body = await json<Completion>(response);
    assert.equal(body.object, 'chat.completion');
    assert.equal(body.model, 'gpt-4o-mini');
    assert.equal(body.choices[0].message.role, 'assistant');
    assert.equal(body.choices[0].finish_reason, 'stop');
    assert.match(body.choices[0].message.content, /^\[simulated openai-sim-us-east\/gpt-4o-mini\] Answer to: "Where is the nearest data centre\?"/);
    assert.ok(body.usage.prompt_tokens > 0 && body.usage.completion_tokens > 0);
    assert.equal(body.usage.total_tokens, body.usage.prompt_tokens + body.usage.completion_tokens);
  });

  test('a stream: role chunk, several text chunks, finish, usage when asked, then [DONE]', async () => {
    const response = await call({ path, body: chat('gpt-4o', { stream: true, stream_options: { include_usage: true } }) });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/event-stream/);
    const { text, error } = await readAll(response.body);
    assert.equal(error, null);
    const events = sse(text);
    assert.equal(events.at(-1)?.data, '[DONE]');
    const { parsed, content, malformed } = openAiDeltas(events);
    assert.equal(malformed, 0);
    assert.deepEqual(parsed[0].choices[0].delta, { role: 'assistant', content: '', refusal: null });
    assert.ok(content.length >= 5, `streamed in several chunks (${content.length})`);
    assert.match(content.join(''), /^\[simulated openai-sim-us-east\/gpt-4o\] Answer to:/);
    assert.equal(parsed.at(-2)!.choices[0].finish_reason, 'stop');
    const usage = parsed.at(-1)!.usage!;
    assert.deepEqual(parsed.at(-1)!.choices, []);
    assert.ok(usage.completion_tokens > 0 && usage.total_tokens === usage.prompt_tokens + usage.completion_tokens);
    assert.ok(parsed.every((chunk) => chunk.model === 'gpt-4o' && chunk.id === parsed[0].id));
  });

  test('a stream without include_usage has no usage chunk', async () => {
    const response = await call({ path, body: chat('gpt-4o', { stream: true }) });
    const { parsed } = openAiDeltas(sse((await readAll(response.body)).text));
    assert.ok(parsed.every((chunk) => !('usage' in chunk)));
  });

  test("vLLM's continue_final_message continues the assistant's partial answer", async () => {
    const partial = '[simulated azure-sim-eu-west/gpt-4o] Answer to: "Where is the nearest data centre?". This reply comes';
    const body = chat('llama', { messages: [{ role: 'user', content: 'Where is the nearest data centre?' }, { role: 'assistant', content: partial }], continue_final_message: true });
    const response = await call({ path: '/simulated/vllm-sim-on-prem/v1/chat/completions', body });
    const answer = await json<Completion>(response);
    assert.match(answer.choices[0].message.content, /^ from a simulated provider/);
    assert.equal(partial + answer.choices[0].message.content, `[simulated azure-sim-eu-west/gpt-4o] ${answerBody('Where is the nearest data centre?')}`);
  });

  test('no key is 401, bad JSON and bad fields are 400, all in OpenAI\'s error shape', async () => {
    const noKey = await call({ path, body: chat(), headers: { authorization: '' } });
    assert.equal(noKey.statusCode, 401);
    assert.equal((await json<OpenAiError>(noKey)).error.code, 'invalid_api_key');
    const badJson = await call({ path, body: '{"model": ' });
    assert.equal(badJson.statusCode, 400);
    assert.equal((await json<OpenAiError>(badJson)).error.type, 'invalid_request_error');
    const badField = await call({ path, body: { model: 'gpt-4o', messages: 'hello' } });
    assert.equal(badField.statusCode, 400);
    assert.equal((await json<OpenAiError>(badField)).error.param, 'messages');
    const wrongMethod = await call({ path, method: 'GET' });
    assert.equal(wrongMethod.statusCode, 405);
    await wrongMethod.body.dump();
  });

  test('GET /v1/models lists the upstream\'s models; other paths are 404, and paths outside /simulated are not handled', async () => {
    const models = await call({ path: `/simulated/${name}/v1/models`, method: 'GET' });
    assert.equal(models.statusCode, 200);
    const list = await json<ModelList>(models);
    assert.equal(list.object, 'list');
    assert.deepEqual(list.data.map((m) => m.id), ['gpt-4o', 'gpt-4o-mini']);
    const unknown = await call({ path: `/simulated/${name}/v1/embeddings` });
    assert.equal(unknown.statusCode, 404);
    assert.ok((await json<OpenAiError>(unknown)).error.message);
    const elsewhere = await call({ path: '/api/v1/chat/completions' });
    assert.equal(await elsewhere.body.text(), 'not the simulator');
  });
});

describe('Anthropic Messages', () => {
  const name = 'anthropic-sim-us-west';
  const path = `/simulated/${name}/v1/messages`;
  const key = { authorization: '', 'x-api-key': 'sk-ant-sim', 'anthropic-version': '2023-06-01' };

  test('a stream follows the Messages event sequence, with stop reason and usage', async () => {
    faultsByName.delete(name);
    const response = await call({ path, body: messages({ stream: true }), headers: key });
    assert.equal(response.statusCode, 200);
    const events = sse((await readAll(response.body)).text);
    const names = events.map((event) => event.event);
    assert.deepEqual(names.slice(0, 2), ['message_start', 'content_block_start']);
    assert.deepEqual(names.slice(-3), ['content_block_stop', 'message_delta', 'message_stop']);
    const deltas = events.filter((event) => event.event === 'content_block_delta').map((event) => JSON.parse(event.data));
    assert.ok(deltas.length >= 5);
    assert.ok(deltas.every((delta) => delta.delta.type === 'text_delta'));
    assert.match(deltas.map((delta) => delta.delta.text).join(''), /^\[simulated anthropic-sim-us-west\/claude-sonnet-4-5\] Answer to:/);
    const start = JSON.parse(events[0].data);
    assert.equal(start.message.model, 'claude-sonnet-4-5');
    assert.ok(start.message.usage.input_tokens > 0);
    const messageDelta = JSON.parse(events.at(-2)!.data);
    assert.equal(messageDelta.delta.stop_reason, 'end_turn');
    assert.ok(messageDelta.usage.output_tokens > 0);
  });

  test('a non-streaming message, and an assistant prefill continued rather than restarted', async () => {
    const whole = await json<AnthropicMessage>(await call({ path, body: messages(), headers: key }));
    assert.equal(whole.type, 'message');
    assert.equal(whole.stop_reason, 'end_turn');
    assert.ok(whole.usage.input_tokens > 0 && whole.usage.output_tokens > 0);
    const text: string = whole.content[0].text;

    const prefill = text.slice(0, 50);
    const body = messages({ messages: [{ role: 'user', content: 'Where is the nearest data centre?' }, { role: 'assistant', content: prefill }] });
    const continued = await json<AnthropicMessage>(await call({ path, body, headers: key }));
    assert.equal(prefill + continued.content[0].text, text);
  });

  test("errors come in Anthropic's shape: missing key, missing max_tokens", async () => {
    const noKey = await call({ path, body: messages(), headers: { authorization: '' } });
    assert.equal(noKey.statusCode, 401);
    assert.deepEqual(await noKey.body.json(), { type: 'error', error: { type: 'authentication_error', message: 'x-api-key header is required' } });
    const bad = await call({ path, body: { model: 'claude', messages: [{ role: 'user', content: 'x' }] }, headers: key });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(await bad.body.json(), { type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } });
  });
});

describe('injected faults', () => {
  const name = 'fault-sim';
  const openai = `/simulated/${name}/v1/chat/completions`;
  const anthropic = `/simulated/${name}/v1/messages`;
  const stream = chat('gpt-4o', { stream: true, stream_options: { include_usage: true } });

  test('429 with Retry-After, and without it (nor any reset header a gateway could read instead)', async () => {
    setFaultsFor(name, { rateLimitRate: 1, retryAfterSeconds: 5 });
    const limited = await call({ path: openai, body: chat() });
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.headers['retry-after'], '5');
    assert.equal((await json<OpenAiError>(limited)).error.code, 'rate_limit_exceeded');

    setFaultsFor(name, { rateLimitRate: 1 });
    const bare = await call({ path: anthropic, body: messages() });
    assert.equal(bare.statusCode, 429);
    assert.deepEqual(Object.keys(bare.headers).filter((h) => /retry-after|ratelimit/i.test(h)), []);
    assert.equal((await json<OpenAiError>(bare)).error.type, 'rate_limit_error');
  });

  test('503 in each shape', async () => {
    setFaultsFor(name, { errorRate: 1, errorStatus: 503 });
    const openAiDown = await call({ path: openai, body: stream });
    assert.equal(openAiDown.statusCode, 503);
    assert.equal((await json<OpenAiError>(openAiDown)).error.type, 'server_error');
    const anthropicDown = await call({ path: anthropic, body: messages() });
    assert.equal(anthropicDown.statusCode, 503);
    assert.equal((await json<AnthropicError>(anthropicDown)).type, 'error');
  });

  test('stream cut: the connection closes after three text chunks, before any finish or [DONE]', async () => {
    setFaultsFor(name, { streamCutAfterChunks: 3 });
    const response = await call({ path: openai, body: stream });
    assert.equal(response.statusCode, 200);
    const { text, error } = await readAll(response.body);
    assert.ok(error instanceof Error, 'the body ends in an error, not a clean end');
    const events = sse(text);
    assert.ok(!events.some((event) => event.data === '[DONE]'));
    const { parsed, content } = openAiDeltas(events);
    assert.equal(content.length, 3);
    assert.ok(parsed.every((chunk) => chunk.choices.every((choice) => choice.finish_reason === null)));
  });

  test('stream stall: three text chunks, then no bytes on an open connection until the client gives up', async () => {
    setFaultsFor(name, { streamStallAfterChunks: 3 });
    const response = await call({ path: anthropic, body: messages({ stream: true }), bodyTimeout: 400 });
    const { text, error } = await readAll(response.body);
    assert.ok(error instanceof errors.BodyTimeoutError, `the client's body timeout fired (${String(error)})`);
    const events = sse(text);
    assert.equal(events.filter((event) => event.event === 'content_block_delta').length, 3);
    assert.ok(!events.some((event) => event.event === 'message_stop' || event.event === 'message_delta'));
  });

  test('malformed chunks: some events are not JSON, the rest still are', async () => {
    setFaultsFor(name, { malformedChunkRate: 0.5 });
    let malformedSeen = 0;
    for (let i = 0; i < 5 && malformedSeen === 0; i++) {
      const response = await call({ path: openai, body: stream });
      const events = sse((await readAll(response.body)).text);
      const { parsed, malformed } = openAiDeltas(events);
      malformedSeen += malformed;
      assert.ok(parsed.length > 0);
      assert.equal(events.at(-1)?.data, '[DONE]');
    }
    assert.ok(malformedSeen > 0, 'at least one malformed chunk in five streams at 50%');
  });

  test('omitDone: the stream ends cleanly, with finish and usage, but without [DONE] or message_stop', async () => {
    setFaultsFor(name, { omitDone: true });
    const response = await call({ path: openai, body: stream });
    const { text, error } = await readAll(response.body);
    assert.equal(error, null);
    const events = sse(text);
    assert.ok(!events.some((event) => event.data === '[DONE]'));
    const { parsed } = openAiDeltas(events);
    assert.ok(parsed.at(-1)!.usage);
    assert.ok(parsed.some((chunk) => chunk.choices[0]?.finish_reason === 'stop'));

    const claude = await call({ path: anthropic, body: messages({ stream: true }) });
    const names = sse((await readAll(claude.body)).text).map((event) => event.event);
    assert.equal(names.at(-1), 'message_delta');
  });

  test("context length: a prompt over the window gets each provider's context-length error", async () => {
    setFaultsFor(name, { contextWindow: 50 });
    const long = 'word '.repeat(200);
    const openAiTooLong = await call({ path: openai, body: chat('gpt-4o', { messages: [{ role: 'user', content: long }] }) });
    assert.equal(openAiTooLong.statusCode, 400);
    const openAiError = (await json<OpenAiError>(openAiTooLong)).error;
    assert.equal(openAiError.code, 'context_length_exceeded');
    assert.match(openAiError.message, /maximum context length is 50 tokens/);
    const anthropicTooLong = await call({ path: anthropic, body: messages({ messages: [{ role: 'user', content: long }] }) });
    assert.equal(anthropicTooLong.statusCode, 400);
    assert.match((await json<OpenAiError>(anthropicTooLong)).error.message, /^prompt is too long: \d+ tokens > 50 maximum$/);
    const short = await call({ path: openai, body: chat() });
    assert.equal(short.statusCode, 200, 'a prompt that fits is answered');
    await short.body.dump();
  });

  test('no response: no headers arrive before the client gives up', async () => {
    setFaultsFor(name, { noResponse: true });
    const before = simulator.stats().upstreams[name]?.outcomes.no_response ?? 0;
    await assert.rejects(call({ path: openai, body: chat(), headersTimeout: 300 }), errors.HeadersTimeoutError);
    assert.equal(simulator.stats().upstreams[name].outcomes.no_response, before + 1);
  });

  test('counters record each outcome per upstream', async () => {
    faultsByName.delete(name);
    const counters = simulator.stats().upstreams[name];
    assert.ok(counters.requests >= 10);
    for (const outcome of ['rate_limited', 'server_error', 'stream_cut', 'stream_stall', 'stream_without_done', 'context_length', 'no_response', 'ok'] as const) {
      assert.ok(counters.outcomes[outcome] > 0, outcome);
    }
    assert.ok(counters.malformedChunks > 0);
  });
});

// ---------------------------------------------------------------- database

type Users = Record<'viewer' | 'operator' | 'commander', Awaited<ReturnType<typeof createTestUser>>>;

async function createUpstream(faults: FaultsInput = {}) {
  const name = uniqueName('sim');
  await db().simulatedUpstream.create({ data: { name, faults: faultsSchema.parse(faults) } });
  return name;
}

async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}


describe('setFaults, resetFaults and setDemoTraffic', () => {
  let users: Users;
  before(async () => {
    users = { viewer: await createTestUser('viewer'), operator: await createTestUser('operator'), commander: await createTestUser('commander') };
  });

  test('an operator sets faults: the row changes, its version goes up, and the audit keeps before, after and why', async () => {
    const name = await createUpstream();
    const saved = await setFaults(users.operator, { name, version: 1, faults: { errorRate: 1, errorStatus: 529 }, reason: 'drill: provider down' });
    assert.equal(saved.version, 2);
    assert.equal(saved.faults.errorStatus, 529);
    const [row] = (await listSimulatedUpstreams()).filter((upstream) => upstream.name === name);
    assert.equal(row.faults.errorRate, 1);
    assert.equal(row.version, 2);

    const [entry] = await auditEntriesFor(name);
    assert.equal(entry.action, 'simulator.faults');
    assert.equal(entry.entityType, 'simulated_upstream');
    assert.equal(entry.actorEmail, users.operator.email);
    assert.equal(entry.reason, 'drill: provider down');
    assert.deepEqual((entry.before as { faults: unknown }).faults, NO_FAULTS);
    assert.equal((entry.after as { faults: Faults; version: number }).faults.errorRate, 1);
    assert.equal((entry.after as { version: number }).version, 2);
  });

  test('a viewer, or no session, cannot set faults, and nothing is written', async () => {
    const name = await createUpstream();
    await rejectsWith(setFaults(users.viewer, { name, version: 1, faults: { noResponse: true } }), 'FORBIDDEN');
    await rejectsWith(setFaults(null, { name, version: 1, faults: { noResponse: true } }), 'UNAUTHENTICATED');
    await rejectsWith(resetFaults(users.viewer, { name, version: 1 }), 'FORBIDDEN');
    await rejectsWith(setDemoTraffic(users.viewer, { requestsPerSecond: 0, services: [], stream: false }), 'FORBIDDEN');
    const row = await db().simulatedUpstream.findUniqueOrThrow({ where: { name } });
    assert.equal(row.version, 1);
    assert.equal((await auditEntriesFor(name)).length, 0);
  });

  test('bad faults are refused field by field', async () => {
    const name = await createUpstream();
    const error = await setFaults(users.operator, { name, version: 1, faults: { errorRate: 2, retryAfterSeconds: -1, errorStatus: 418 } }).catch((e) => e);
    assert.ok(error instanceof AppError && error.code === 'INVALID');
    assert.deepEqual(Object.keys(error.fieldErrors ?? {}).sort(), ['faults.errorRate', 'faults.errorStatus', 'faults.retryAfterSeconds']);
  });

  test('of two edits from the same version, one wins and the other is told; an unknown upstream is not found', async () => {
    const name = await createUpstream();
    const results = await Promise.allSettled([
      setFaults(users.operator, { name, version: 1, faults: { errorRate: 0.5 } }),
      setFaults(users.commander, { name, version: 1, faults: { rateLimitRate: 0.5 } }),
    ]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    assert.equal(((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as AppError).code, 'CONFLICT');
    assert.equal((await auditEntriesFor(name)).length, 1);
    await rejectsWith(setFaults(users.operator, { name: uniqueName('missing'), version: 1, faults: {} }), 'NOT_FOUND');
  });

  test('reset returns an upstream to healthy, audited', async () => {
    const name = await createUpstream({ noResponse: true });
    const reset = await resetFaults(users.operator, { name, version: 1, reason: 'drill over' });
    assert.deepEqual(reset.faults, NO_FAULTS);
    const entries = await auditEntriesFor(name);
    assert.equal(entries.at(-1)?.action, 'simulator.faults');
    assert.equal((entries.at(-1)?.before as { faults: Faults }).faults.noResponse, true);
  });

  test('demo traffic is stored in its setting and audited; unknown services and services-less traffic are refused', async () => {
    const service = await db().service.create({ data: { name: uniqueName('svc') }, select: { name: true } });
    const saved = await setDemoTraffic(users.operator, { requestsPerSecond: 2.5, services: [service.name, service.name], stream: true, reason: 'demo' });
    assert.deepEqual(saved, { requestsPerSecond: 2.5, services: [service.name], stream: true });
    const row = await db().setting.findUniqueOrThrow({ where: { key: DEMO_TRAFFIC_KEY } });
    assert.deepEqual(row.value, saved);
    const [entry] = (await auditEntriesFor(DEMO_TRAFFIC_KEY)).slice(-1);
    assert.equal(entry.action, 'simulator.demo_traffic');
    assert.equal(entry.reason, 'demo');

    const unknown = await setDemoTraffic(users.operator, { requestsPerSecond: 1, services: [uniqueName('nope')], stream: false }).catch((e) => e);
    assert.ok(unknown instanceof AppError && unknown.fieldErrors?.services);
    const none = await setDemoTraffic(users.operator, { requestsPerSecond: 1, services: [], stream: false }).catch((e) => e);
    assert.ok(none instanceof AppError && none.fieldErrors?.services);
    const tooMany = await setDemoTraffic(users.operator, { requestsPerSecond: 51, services: [service.name], stream: false }).catch((e) => e);
    assert.ok(tooMany instanceof AppError && tooMany.fieldErrors?.requestsPerSecond);
    await setDemoTraffic(users.operator, { requestsPerSecond: 0, services: [], stream: false });
  });
});

describe('fault cache', () => {
  let users: Users;
  before(async () => {
    users = { viewer: await createTestUser('viewer'), operator: await createTestUser('operator'), commander: await createTestUser('commander') };
  });

  test('loads every upstream, follows changes through NOTIFY, and drives the simulator', async () => {
    const name = await createUpstream({ errorRate: 1 });
    const cache = createFaultCache(process.env.DATABASE_URL!, { log: () => {} });
    const cachedSimulator = createSimulator({ loadFaults: cache.get, chunkDelayMs: 0, publishStats: false });
    const cachedServer = http.createServer((req, res) => void cachedSimulator.handle(req, res, req.url ?? '/'));
    await new Promise<void>((resolve) => cachedServer.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(cachedServer.address() as AddressInfo).port}/simulated/${name}/v1/chat/completions`;
    const status = async () => {
      const response = await request(url, { method: 'POST', dispatcher: agent, headers: { authorization: 'Bearer k' }, body: JSON.stringify(chat()) });
      await response.body.dump();
      return response.statusCode;
    };
    try {
      await cache.ready;
      assert.equal(cache.get(name).errorRate, 1);
      assert.deepEqual(cache.get(uniqueName('unknown')), NO_FAULTS);
      assert.equal(await status(), 503);

      await resetFaults(users.operator, { name, version: 1 });
      await eventually(() => cache.get(name).errorRate === 0, 'the reset to reach the cache');
      assert.equal(await status(), 200);

      const service = await db().service.create({ data: { name: uniqueName('svc') }, select: { name: true } });
      await setDemoTraffic(users.operator, { requestsPerSecond: 3, services: [service.name], stream: false });
      await eventually(() => cache.demoTraffic().requestsPerSecond === 3, 'the demo traffic setting to reach the cache');
      await setDemoTraffic(users.operator, { requestsPerSecond: 0, services: [], stream: false });
    } finally {
      await cache.close();
      cachedSimulator.close();
      cachedServer.closeAllConnections();
      await new Promise<void>((resolve) => cachedServer.close(() => resolve()));
    }
  });

  test('keeps the last known faults while the database connection is gone, and catches up after reconnecting', async () => {
    const name = await createUpstream({ rateLimitRate: 1 });
    const cache = createFaultCache(process.env.DATABASE_URL!, { log: () => {}, minBackoffMs: 50, maxBackoffMs: 200 });
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    try {
      await cache.ready;
      assert.equal(cache.get(name).rateLimitRate, 1);
      // Cut the cache's connection from the server side, as a database restart would.
      const { rowCount } = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'standby-simulator' AND datname = current_database()`);
      assert.ok((rowCount ?? 0) >= 1);
      assert.equal(cache.get(name).rateLimitRate, 1, 'the last known faults stay in force');
      // A change made while it may still be away, with no one to hear the NOTIFY.
      await admin.query(`UPDATE "SimulatedUpstream" SET faults = '{"errorRate": 1}', version = version + 1 WHERE name = $1`, [name]);
      await eventually(() => cache.get(name).errorRate === 1 && cache.get(name).rateLimitRate === 0, 'the cache to reconnect and reload');
    } finally {
      await admin.end();
      await cache.close();
    }
  });
});

describe('demo traffic', () => {
  // Requests run concurrently, so the order they reach the gateway is not the order they were sent in (a loaded
  // machine reorders them): the order is planDemoRequest's, unit-tested; here only what holds in any order.
  test('sends the configured traffic to the gateway with the demo token, every service streamed and not, and stops when turned off', async () => {
    const seen: { auth: string | undefined; model: string; stream: boolean }[] = [];
    let open = 0;
    let maxOpen = 0;
    const gateway = http.createServer(async (req, res) => {
      open++;
      maxOpen = Math.max(maxOpen, open);
      let body = '';
      for await (const chunk of req) body += chunk;
      const parsed = JSON.parse(body);
      seen.push({ auth: req.headers.authorization, model: parsed.model, stream: parsed.stream === true });
      assert.equal(req.url, '/api/v1/chat/completions');
      setTimeout(() => {
        open--;
        if (parsed.stream) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.end('data: {"choices":[]}\n\ndata: [DONE]\n\n');
        } else {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"choices":[]}');
        }
      }, 20);
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    let setting: { requestsPerSecond: number; services: string[]; stream: boolean } | null = { requestsPerSecond: 40, services: ['support-bot', 'search'], stream: true };
    let throwNext = false;
    const logged: string[] = [];
    const traffic = startDemoTraffic({
      gatewayUrl: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/`,
      token: 'sb_demo_token',
      readSetting: () => {
        if (throwNext) throw new Error('database away');
        return setting;
      },
      pollIntervalMs: 20,
      log: (line) => logged.push(line),
    });
    let sentWhenOff = 0;
    try {
      await eventually(() => seen.length >= 12, 'a dozen demo requests');
      throwNext = true; // a failing read keeps the last setting
      const before = seen.length;
      await eventually(() => seen.length >= before + 4, 'traffic to continue while the setting cannot be read');
      throwNext = false;
      setting = { requestsPerSecond: 0, services: ['support-bot'], stream: true };
      await eventually(() => logged.at(-1) === 'demo traffic off', 'a later poll to turn it off');
      sentWhenOff = traffic.stats().sent;
      // Several more polls: however slow the machine, nothing more may be sent.
      const polled = logged.length;
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(logged.length, polled, 'the setting did not change again');
      assert.equal(traffic.stats().sent, sentWhenOff, 'no new request once turned off');
    } finally {
      await traffic.close();
      gateway.closeAllConnections();
      await new Promise<void>((resolve) => gateway.close(() => resolve()));
    }
    assert.ok(seen.every((s) => s.auth === 'Bearer sb_demo_token'));
    for (const model of ['support-bot', 'search']) {
      const mine = seen.filter((s) => s.model === model);
      assert.ok(mine.some((s) => s.stream) && mine.some((s) => !s.stream), `${model} is called streamed and not`);
    }
    assert.ok(maxOpen <= 20);
    const stats = traffic.stats();
    assert.equal(stats.inFlight, 0);
    assert.ok(stats.succeeded >= 12);
  });
});
