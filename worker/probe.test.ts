import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_BREAKER_CONFIG, UNDEGRADED } from '@/lib/routing/defaults';
import type { SnapshotService, SnapshotTarget } from '@/lib/routing/model';
import { buildProbeRequest, classifyProbeError, PROBE_COMPLETION_TOKENS, classifyProbeResponse, ProbeFailure, probedTargets, probeTarget, probeTimeoutMs, type ProbeFetch } from './probe';

function target(overrides: Partial<SnapshotTarget> = {}): SnapshotTarget {
  return {
    id: 't1', name: 'openai-east', providerName: 'OpenAI', providerKind: 'openai', apiStyle: 'openai_chat', failureDomain: null, regionCode: 'us-east',
    endpointUrl: 'https://api.example.com/v1', model: 'gpt-4o-mini', apiKey: 'sk-test', enabled: true, contextWindow: 128_000, rpm: 1000, tpm: 100_000,
    qualityClass: 'standard', breaker: DEFAULT_BREAKER_CONFIG, probeIntervalMs: 15_000, ...overrides,
  };
}

function service(name: string, targetIds: string[]): SnapshotService {
  return {
    id: name, name, enabled: true, routingVersion: 1, degradation: UNDEGRADED,
    chain: targetIds.map((targetId, position) => ({
      targetId, position, failoverOn: [], latencyLimitMs: null, budget: { maxRetries: 0, baseBackoffMs: 0, maxBackoffMs: 0 },
      timeouts: { connectMs: 3000, headerMs: 30_000, firstTokenMs: 15_000, streamIdleMs: 20_000, totalMs: 120_000 },
    })),
  };
}

const completion = JSON.stringify({
  id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'p' }, finish_reason: 'length' }],
  usage: { prompt_tokens: 8, completion_tokens: 1, total_tokens: 9 },
});

describe('which targets are probed', () => {
  test('enabled targets in some chain, each with its own interval', () => {
    const targets = new Map([
      ['a', target({ id: 'a', probeIntervalMs: 5_000 })],
      ['b', target({ id: 'b', enabled: false })],
      ['c', target({ id: 'c' })],
      ['d', target({ id: 'd', probeIntervalMs: 0 })],
    ]);
    const services = new Map([['svc', service('svc', ['a', 'b', 'd'])]]);
    assert.deepEqual([...probedTargets({ services, targets })], [['a', 5_000], ['d', 100]]);
  });

  test('every enabled target when no chain exists yet', () => {
    const targets = new Map([['a', target({ id: 'a' })], ['b', target({ id: 'b', enabled: false })]]);
    assert.deepEqual([...probedTargets({ services: new Map([['empty', service('empty', [])]]), targets })].map(([id]) => id), ['a']);
  });

  test('a probe never waits longer than its interval, nor than 10 s', () => {
    assert.equal(probeTimeoutMs(200), 200);
    assert.equal(probeTimeoutMs(60_000), 10_000);
  });
});

describe('the probe request', () => {
  test('OpenAI: one user message, not streamed, with max_completion_tokens (reasoning models refuse max_tokens)', () => {
    const request = buildProbeRequest(target({ providerKind: 'openai' }));
    assert.equal(request.url, 'https://api.example.com/v1/chat/completions');
    const body = JSON.parse(request.body);
    assert.equal(body.model, 'gpt-4o-mini');
    assert.equal(body.max_completion_tokens, PROBE_COMPLETION_TOKENS);
    assert.equal(body.max_tokens, undefined);
    assert.equal(body.messages.length, 1);
    assert.equal(body.stream, undefined);
    assert.equal(request.headers.authorization, 'Bearer sk-test');
    assert.equal(JSON.parse(buildProbeRequest(target({ providerKind: 'azure_openai' })).body).max_tokens, undefined);
  });

  test('other OpenAI-compatible servers (vLLM, Ollama, Gemini): max_tokens 1, which they all accept', () => {
    for (const providerKind of ['self_hosted', 'google'] as const) {
      const body = JSON.parse(buildProbeRequest(target({ providerKind })).body);
      assert.equal(body.max_tokens, 1, providerKind);
      assert.equal(body.max_completion_tokens, undefined, providerKind);
    }
  });

  test('Anthropic-style: the Messages API with max_tokens 1', () => {
    const request = buildProbeRequest(target({ apiStyle: 'anthropic_messages', providerKind: 'anthropic', endpointUrl: 'https://api.anthropic.com', model: 'claude-haiku' }));
    assert.equal(request.url, 'https://api.anthropic.com/v1/messages');
    assert.equal(JSON.parse(request.body).max_tokens, 1);
    assert.equal(request.headers['x-api-key'], 'sk-test');
  });
});

describe('classifying what came back', () => {
  test('a chat completion is healthy, with its usage', () => {
    assert.deepEqual(classifyProbeResponse(target(), { statusCode: 200, body: completion }), { ok: true, errorClass: null, promptTokens: 8, completionTokens: 1, detail: null });
  });

  test('error statuses follow classifyHttpError', () => {
    assert.equal(classifyProbeResponse(target(), { statusCode: 503, body: 'Service Unavailable' }).errorClass, 'server_error');
    assert.equal(classifyProbeResponse(target(), { statusCode: 429, body: '{"error":{"message":"slow down","type":"rate_limit_error"}}' }).errorClass, 'rate_limited');
    assert.equal(classifyProbeResponse(target(), { statusCode: 401, body: '' }).errorClass, 'auth_failed');
  });

  test('a 200 that is not a completion is malformed; one carrying an error is read from the body', () => {
    assert.equal(classifyProbeResponse(target(), { statusCode: 200, body: '<html>maintenance</html>' }).errorClass, 'malformed_response');
    assert.equal(classifyProbeResponse(target(), { statusCode: 200, body: '{"object":"list","data":[]}' }).errorClass, 'malformed_response');
    assert.equal(classifyProbeResponse(target(), { statusCode: 200, body: '{"error":{"message":"Overloaded","type":"overloaded_error"}}' }).errorClass, 'overloaded');
  });

  test('transport failures', () => {
    const withCode = (code: string, name = 'Error') => Object.assign(new Error(code), { code, name });
    assert.equal(classifyProbeError(withCode('ECONNREFUSED')), 'connect_failed');
    assert.equal(classifyProbeError(withCode('UND_ERR_CONNECT_TIMEOUT', 'ConnectTimeoutError')), 'connect_failed');
    assert.equal(classifyProbeError(withCode('UND_ERR_SOCKET', 'SocketError')), 'connection_reset');
    assert.equal(classifyProbeError(withCode('ECONNRESET')), 'connection_reset');
    assert.equal(classifyProbeError(withCode('UND_ERR_HEADERS_TIMEOUT', 'HeadersTimeoutError')), 'header_timeout');
    assert.equal(classifyProbeError(Object.assign(new Error('aborted due to timeout'), { name: 'TimeoutError' })), 'header_timeout');
    assert.equal(classifyProbeError(withCode('HPE_INVALID_CONSTANT', 'HTTPParserError')), 'malformed_response');
    assert.equal(classifyProbeError(new ProbeFailure('malformed_response', 'too big')), 'malformed_response');
    assert.equal(classifyProbeError(Object.assign(new Error('fetch failed'), { cause: { code: 'ENOTFOUND' } })), 'connect_failed');
  });
});

describe('probing a target', () => {
  const clock = (...readings: number[]) => () => readings.shift() ?? 0;
  // AbortSignal.timeout does not keep a process alive (in Standby the server does): without this, a
  // test waiting on nothing but the probe's timeout can see the event loop drain and be cancelled.
  let alive: NodeJS.Timeout;
  before(() => {
    alive = setInterval(() => {}, 60_000);
  });
  after(() => clearInterval(alive));

  test('a healthy answer, timed', async () => {
    const fetch: ProbeFetch = async () => ({ statusCode: 200, body: completion });
    const outcome = await probeTarget(target(), fetch, new AbortController().signal, 1000, clock(10, 52));
    assert.deepEqual(outcome, { ok: true, errorClass: null, statusCode: 200, latencyMs: 42, promptTokens: 8, completionTokens: 1, detail: null });
  });

  test('a thrown transport error becomes an outcome, never a rejection', async () => {
    const fetch: ProbeFetch = async () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    };
    const outcome = await probeTarget(target(), fetch, new AbortController().signal, 1000);
    assert.equal(outcome?.ok, false);
    assert.equal(outcome?.errorClass, 'connect_failed');
    assert.equal(outcome?.statusCode, null);
  });

  test('no answer within the timeout is a header timeout', async () => {
    const fetch: ProbeFetch = (_request, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    const outcome = await probeTarget(target(), fetch, new AbortController().signal, 20);
    assert.equal(outcome?.errorClass, 'header_timeout');
  });

  test('a probe stopped because leadership ended says nothing', async () => {
    const stop = new AbortController();
    const fetch: ProbeFetch = (_request, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    const pending = probeTarget(target(), fetch, stop.signal, 10_000);
    stop.abort();
    assert.equal(await pending, null);
  });

  test('an endpoint that cannot be parsed cannot be connected to', async () => {
    const outcome = await probeTarget(target({ endpointUrl: 'not a url' }), async () => ({ statusCode: 200, body: completion }), new AbortController().signal, 1000);
    assert.equal(outcome?.errorClass, 'connect_failed');
  });
});
