// The gateway end to end, without streaming (streams: gateway-streaming.integration.test.ts):
// the real handler behind a real HTTP server, calling real local upstreams over
// real sockets with undici, one test per row of DESIGN.md's table "What the
// gateway does when an upstream misbehaves", then bad input, then the path
// through PostgreSQL (snapshot from the database, NOTIFY, HealthSample rows).
// Assertions use counts, order and content; waits are bounds, never measurements.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { generateToken } from '@/lib/access/tokens';
import { answerText } from '@/simulator/replies';
import { NO_FAULTS } from '@/lib/simulator/faults';
import { createSimulator } from '@/simulator/server';
import { db } from '@/lib/server/db';
import { disconnect, seedRoutedService } from '@/test/fixtures';
import { BreakerRegistry } from './breaker-registry';
import { createGatewayHandler } from './handler';
import { SampleRecorder } from './recorder';
import { SnapshotSource } from './snapshot';
import { openAiCompletion, sendJson, startHarness, waitFor, type Harness } from '@/test/gateway-harness';

const QUESTION = 'Tell me about failover please';
const ask = (model: string, content = QUESTION) => ({ model, messages: [{ role: 'user' as const, content }] });

let h: Harness;
before(async () => {
  h = await startHarness({ maxBodyBytes: 16 * 1024 });
});
after(async () => {
  await h.close();
});

function assertApiError(error: unknown, status: number, type: string, code?: string): asserts error is InstanceType<typeof OpenAI.APIError> {
  assert.ok(error instanceof OpenAI.APIError, `expected an APIError, got ${String(error)}`);
  assert.equal(error.status, status, error.message);
  assert.equal((error.error as { type?: string } | undefined)?.type, type);
  if (code !== undefined) assert.equal(error.code, code);
}

const gaps = (times: number[]) => times.slice(1).map((at, i) => at - times[i]);

describe('a healthy upstream', () => {
  test('answers through the OpenAI SDK, named by target and model, with usage and a traffic sample', async () => {
    const { name, service, targets } = h.addService([{ label: 'ok' }]);
    const [a] = targets;
    const { data, response } = await h.client().chat.completions.create(ask(name)).withResponse();
    assert.equal(data.object, 'chat.completion');
    assert.equal(data.model, a.model);
    assert.equal(data.choices[0].message.content, answerText(a.name, a.model, QUESTION));
    assert.equal(data.choices[0].finish_reason, 'stop');
    assert.ok(data.usage && data.usage.prompt_tokens > 0 && data.usage.completion_tokens > 0);
    assert.equal(response.headers.get('x-standby-target'), a.name);
    assert.equal(response.headers.get('x-standby-attempts'), '1');
    assert.equal(response.headers.get('x-standby-service'), name);
    assert.equal(response.headers.get('x-request-id'), data.id);
    assert.equal(a.hits().length, 1);
    assert.equal(a.hits()[0].body.model, a.model, 'the upstream is asked for the target model, not the service name');

    const sample = h.samples.find((s) => s.requestId === data.id);
    assert.ok(sample);
    assert.deepEqual(
      { targetId: sample.targetId, serviceId: sample.serviceId, source: sample.source, ok: sample.ok, attempt: sample.attempt, statusCode: sample.statusCode, completionTokens: sample.completionTokens },
      { targetId: a.id, serviceId: service.id, source: 'traffic', ok: true, attempt: 1, statusCode: 200, completionTokens: data.usage.completion_tokens },
    );
  });
});

describe('429 with Retry-After', () => {
  test('fails over at once, and the target is not called again before its wait is over', async () => {
    const { name, targets } = h.addService([{ label: 'ra-primary' }, { label: 'ra-fallback' }]);
    const [a, b] = targets;
    h.setFaults(a, { rateLimitRate: 1, retryAfterSeconds: 1 });

    const first = await h.client().chat.completions.create(ask(name)).withResponse();
    assert.equal(first.response.headers.get('x-standby-target'), b.name);
    assert.equal(first.response.headers.get('x-standby-attempts'), '2');
    assert.equal(first.data.model, b.model);
    assert.equal(a.hits().length, 1);

    // Until the wait is over, requests go straight to the fallback; then the primary is asked again.
    let served = 1;
    await waitFor('the primary to be asked again', async () => {
      const next = await h.client().chat.completions.create(ask(name)).withResponse();
      served += 1;
      assert.equal(next.response.headers.get('x-standby-target'), b.name);
      return a.hits().length === 2;
    }, 5_000, 50);
    const [firstHit, secondHit] = a.hits().map((hit) => hit.at);
    assert.ok(secondHit - firstHit >= 1_000, `the primary was asked again ${secondHit - firstHit} ms after it asked to wait 1 s`);
    assert.ok(served > 2, 'requests arrived while the primary was waiting');
    assert.equal(b.hits().length, served);
  });

  test('alone, the target is waited for (not a tight loop) and then answers', async () => {
    const { name, targets } = h.addService([{ label: 'ra-alone', budget: { maxRetries: 2, maxBackoffMs: 3_000 } }]);
    const [a] = targets;
    h.setFaults(a, { rateLimitRate: 1, retryAfterSeconds: 1 }, {});
    const { data, response } = await h.client().chat.completions.create(ask(name)).withResponse();
    assert.equal(data.choices[0].message.content, answerText(a.name, a.model, QUESTION));
    assert.equal(response.headers.get('x-standby-target'), a.name);
    assert.equal(response.headers.get('x-standby-attempts'), '2');
    const times = a.hits().map((hit) => hit.at);
    assert.equal(times.length, 2);
    assert.ok(gaps(times)[0] >= 1_000, `retried ${gaps(times)[0]} ms after a Retry-After of 1 s`);
  });

  test('alone and still limited: 1 + maxRetries calls, the 429 reaches the client, and the next request does not call it early', async () => {
    const { name, targets } = h.addService([{ label: 'ra-stuck', budget: { maxRetries: 1, maxBackoffMs: 3_000 } }]);
    const [a] = targets;
    h.setFaults(a, { rateLimitRate: 1, retryAfterSeconds: 1 });
    const first = await h.post(ask(name));
    assert.equal(first.status, 429);
    assert.equal(first.json.error?.type, 'rate_limit_error');
    assert.match(first.json.error?.message ?? '', /Rate limit reached/);
    assert.ok(Number(first.headers.get('retry-after')) >= 1);
    assert.equal(a.hits().length, 2);
    assert.ok(gaps(a.hits().map((hit) => hit.at))[0] >= 1_000);

    // The next request waits out the 1 s the target asked for (within maxBackoffMs) before calling it again.
    const second = await h.post(ask(name));
    assert.equal(second.status, 429);
    assert.equal(a.hits().length, 4);
    for (const gap of gaps(a.hits().map((hit) => hit.at))) assert.ok(gap >= 1_000, `called again ${gap} ms after a Retry-After of 1 s`);
  });

  test('a wait longer than the target may wait fails at once; the next request within the wait calls nobody', async () => {
    const { name, targets } = h.addService([{ label: 'ra-long', budget: { maxRetries: 3, maxBackoffMs: 2_000 } }]);
    const [a] = targets;
    h.setFaults(a, { rateLimitRate: 1, retryAfterSeconds: 30 });
    const first = await h.post(ask(name));
    assert.equal(first.status, 429);
    assert.equal(first.headers.get('retry-after'), '30');
    assert.equal(a.hits().length, 1);

    const second = await h.post(ask(name));
    assert.equal(second.status, 429);
    assert.equal(second.json.error?.type, 'rate_limit_error');
    assert.ok(Number(second.headers.get('retry-after')) >= 28 && Number(second.headers.get('retry-after')) <= 30);
    assert.equal(a.hits().length, 1, 'the target asked to wait 30 s: nobody calls it in the meantime');
  });

  test('when every target has asked to wait, none is called again before its wait is over', async () => {
    const { name, targets } = h.addService([{ label: 'ra-all-a' }, { label: 'ra-all-b' }]);
    const [a, b] = targets;
    h.setFaults(a, { rateLimitRate: 1, retryAfterSeconds: 30 });
    h.setFaults(b, { rateLimitRate: 1, retryAfterSeconds: 30 });
    const first = await h.post(ask(name));
    assert.equal(first.status, 429);
    assert.deepEqual([a.hits().length, b.hits().length], [1, 1]);
    for (let i = 0; i < 3; i += 1) {
      const again = await h.post(ask(name));
      assert.equal(again.status, 429);
      assert.equal(again.json.error?.type, 'rate_limit_error');
    }
    assert.deepEqual([a.hits().length, b.hits().length], [1, 1]);
  });
});

describe('429 without Retry-After, and 5xx that persists', () => {
  test('a 429 is retried maxRetries times with jittered backoff, then the next target answers', async () => {
    const { name, targets } = h.addService([{ label: 'rl-primary', budget: { maxRetries: 2, baseBackoffMs: 100, maxBackoffMs: 1_000 } }, { label: 'rl-fallback' }]);
    const [a, b] = targets;
    h.setFaults(a, { rateLimitRate: 1, retryAfterSeconds: null });
    const calls = h.randomCalls.length;
    h.control.random = () => 1;
    try {
      const { data, response } = await h.client().chat.completions.create(ask(name)).withResponse();
      assert.equal(data.model, b.model);
      assert.equal(response.headers.get('x-standby-target'), b.name);
      assert.equal(response.headers.get('x-standby-attempts'), '4');
    } finally {
      h.control.random = () => 0.5;
    }
    assert.equal(a.hits().length, 3, '1 + maxRetries');
    assert.equal(b.hits().length, 1);
    assert.equal(h.randomCalls.length - calls, 2, 'one random draw per backoff');
    // random() = 1: the full ceiling, base * 2^(n-1): 100 ms, then 200 ms.
    const [first, second] = gaps(a.hits().map((hit) => hit.at));
    assert.ok(first >= 95 && second >= 195, `backoffs ${first} ms and ${second} ms`);
    assert.ok(a.hits()[2].at <= b.hits()[0].at);
  });

  test('a 429 on the only target: the client gets the 429 as rate_limit_error', async () => {
    const { name, targets } = h.addService([{ label: 'rl-alone' }]);
    const [a] = targets;
    h.setFaults(a, { rateLimitRate: 1, retryAfterSeconds: null });
    const error = await h.client().chat.completions.create(ask(name)).catch((e: unknown) => e);
    assertApiError(error, 429, 'rate_limit_error', 'rate_limit_exceeded');
    assert.match(error.message, /Rate limit reached for requests/);
    assert.equal(a.hits().length, 3);
  });

  test('a persistent 503 is retried maxRetries times, then the next target answers', async () => {
    const { name, targets } = h.addService([{ label: '5xx-primary' }, { label: '5xx-fallback' }]);
    const [a, b] = targets;
    h.setFaults(a, { errorRate: 1, errorStatus: 503 });
    const { data, response } = await h.client().chat.completions.create(ask(name)).withResponse();
    assert.equal(data.choices[0].message.content, answerText(b.name, b.model, QUESTION));
    assert.equal(response.headers.get('x-standby-attempts'), '4');
    assert.deepEqual([a.hits().length, b.hits().length], [3, 1]);
  });

  test('a persistent 503 with nothing left: 502 carrying the provider message', async () => {
    const { name, targets } = h.addService([{ label: '5xx-alone' }]);
    const [a] = targets;
    h.setFaults(a, { errorRate: 1, errorStatus: 503 });
    const error = await h.client().chat.completions.create(ask(name)).catch((e: unknown) => e);
    assertApiError(error, 502, 'api_error', 'upstream_error');
    assert.match(error.message, /The server is temporarily unable to handle your request/);
    assert.equal(a.hits().length, 3);
    assert.equal(error.headers?.get('x-standby-attempts'), '3');
  });
});

describe('one 5xx, or a connection reset before the headers', () => {
  test('one 503 is retried once on the same target, which answers', async () => {
    const { name, targets } = h.addService([{ label: 'blip' }, { label: 'blip-fallback' }]);
    const [a, b] = targets;
    h.setFaults(a, { errorRate: 1, errorStatus: 503 }, {});
    const { data, response } = await h.client().chat.completions.create(ask(name)).withResponse();
    assert.equal(data.model, a.model);
    assert.equal(response.headers.get('x-standby-target'), a.name);
    assert.equal(response.headers.get('x-standby-attempts'), '2');
    assert.deepEqual([a.hits().length, b.hits().length], [2, 0]);
  });

  test('a reset before the headers is retried once on the same target, which answers', async () => {
    const { name, targets } = h.addService([{ label: 'reset', upstream: 'custom' }, { label: 'reset-fallback' }]);
    const [a, b] = targets;
    h.custom(a, ({ req, res, n }) => {
      if (n === 1) req.socket.destroy();
      else sendJson(res, 200, openAiCompletion(a.model, 'after the reset'));
    });
    const { data, response } = await h.client().chat.completions.create(ask(name)).withResponse();
    assert.equal(data.choices[0].message.content, 'after the reset');
    assert.equal(response.headers.get('x-standby-target'), a.name);
    assert.equal(response.headers.get('x-standby-attempts'), '2');
    assert.deepEqual([a.hits().length, b.hits().length], [2, 0]);
    const failed = h.samples.find((s) => s.requestId === data.id && !s.ok);
    assert.equal(failed?.errorClass, 'connection_reset');
  });

  test('only once: a second reset moves on to the next target', async () => {
    const { name, targets } = h.addService([{ label: 'resets', upstream: 'custom', budget: { maxRetries: 3 } }, { label: 'resets-fallback' }]);
    const [a, b] = targets;
    h.custom(a, ({ req }) => {
      req.socket.destroy();
    });
    const { data, response } = await h.client().chat.completions.create(ask(name)).withResponse();
    assert.equal(data.model, b.model);
    assert.equal(response.headers.get('x-standby-attempts'), '3');
    assert.deepEqual([a.hits().length, b.hits().length], [2, 1]);
  });
});

describe('no response', () => {
  test('one header timeout, then the next target: the silent one is called exactly once', async () => {
    const { name, targets } = h.addService([{ label: 'silent', timeouts: { headerMs: 300 } }, { label: 'silent-fallback' }]);
    const [a, b] = targets;
    h.setFaults(a, { noResponse: true });
    const { data, response } = await h.client().chat.completions.create(ask(name)).withResponse();
    assert.equal(data.model, b.model);
    assert.equal(response.headers.get('x-standby-target'), b.name);
    assert.equal(response.headers.get('x-standby-attempts'), '2');
    assert.deepEqual([a.hits().length, b.hits().length], [1, 1]);
    assert.equal(h.samples.find((s) => s.requestId === data.id && s.targetId === a.id)?.errorClass, 'header_timeout');
  });

  test('alone: 504 after one header timeout, without waiting again', async () => {
    const { name, targets } = h.addService([{ label: 'silent-alone', timeouts: { headerMs: 300 } }]);
    const [a] = targets;
    h.setFaults(a, { noResponse: true });
    const error = await h.client().chat.completions.create(ask(name)).catch((e: unknown) => e);
    assertApiError(error, 504, 'api_error', 'upstream_timeout');
    assert.equal(a.hits().length, 1);
  });
});

describe('malformed answers', () => {
  test('a 200 that is not JSON fails cleanly over to the next target, and the gateway stays healthy', async () => {
    const { name, targets } = h.addService([{ label: 'garbled', upstream: 'custom' }, { label: 'garbled-fallback' }]);
    const [a, b] = targets;
    h.custom(a, ({ res }) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id": "chatcmpl-1", "choices": [{"mess');
    });
    const { data, response } = await h.client().chat.completions.create(ask(name)).withResponse();
    assert.equal(data.model, b.model);
    assert.equal(response.headers.get('x-standby-attempts'), '2');
    assert.equal(a.hits().length, 1);
    assert.equal(h.samples.find((s) => s.requestId === data.id && s.targetId === a.id)?.errorClass, 'malformed_response');

    const alone = h.addService([{ label: 'garbled-alone', upstream: 'custom' }]);
    h.custom(alone.targets[0], ({ res }) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('<html>oops</html>');
    });
    const error = await h.client().chat.completions.create(ask(alone.name)).catch((e: unknown) => e);
    assertApiError(error, 502, 'api_error');

    const again = await h.client().chat.completions.create(ask(name));
    assert.equal(again.choices[0].finish_reason, 'stop');
  });
});

describe('context length exceeded', () => {
  const longQuestion = 'Please summarise this long document. '.repeat(20);

  test('no retry on the same model; the next larger-context target answers, smaller ones are skipped', async () => {
    const { name, targets } = h.addService([
      { label: 'ctx-small', contextWindow: 1_000 },
      { label: 'ctx-smaller', contextWindow: 800 },
      { label: 'ctx-large', contextWindow: 200_000 },
    ]);
    const [a, smaller, large] = targets;
    h.setFaults(a, { contextWindow: 50 });
    h.setFaults(smaller, { contextWindow: 50 });
    const { data, response } = await h.client().chat.completions.create(ask(name, longQuestion)).withResponse();
    assert.equal(data.model, large.model);
    assert.equal(response.headers.get('x-standby-target'), large.name);
    assert.equal(response.headers.get('x-standby-attempts'), '2');
    assert.deepEqual([a.hits().length, smaller.hits().length, large.hits().length], [1, 0, 1]);
  });

  test('no larger target: the provider error reaches the caller as 400 context_length_exceeded', async () => {
    const { name, targets } = h.addService([{ label: 'ctx-only', contextWindow: 1_000 }, { label: 'ctx-less', contextWindow: 1_000 }]);
    const [a, b] = targets;
    h.setFaults(a, { contextWindow: 50 });
    const error = await h.client().chat.completions.create(ask(name, longQuestion)).catch((e: unknown) => e);
    assertApiError(error, 400, 'invalid_request_error', 'context_length_exceeded');
    assert.equal(error.param, 'messages');
    assert.match(error.message, /maximum context length is 50 tokens/);
    assert.deepEqual([a.hits().length, b.hits().length], [1, 0]);
  });
});

describe('content policy rejection', () => {
  test('no retry, no failover by default: the provider reason reaches the caller', async () => {
    const { name, targets } = h.addService([{ label: 'policy' }, { label: 'policy-fallback' }]);
    const [a, b] = targets;
    h.setFaults(a, { contentPolicyRate: 1 });
    const error = await h.client().chat.completions.create(ask(name)).catch((e: unknown) => e);
    assertApiError(error, 400, 'invalid_request_error', 'content_policy_violation');
    assert.match(error.message, /rejected as a result of our safety system/);
    assert.deepEqual([a.hits().length, b.hits().length], [1, 0]);
  });

  test('an Anthropic refusal reads the same to an OpenAI client', async () => {
    const { name, targets } = h.addService([{ label: 'policy-claude', apiStyle: 'anthropic_messages' }]);
    const [a] = targets;
    h.setFaults(a, { contentPolicyRate: 1 });
    const error = await h.client().chat.completions.create(ask(name)).catch((e: unknown) => e);
    assertApiError(error, 400, 'invalid_request_error', 'content_policy_violation');
    assert.match(error.message, /Output blocked by content filtering policy/);
    assert.equal(a.hits().length, 1);
  });

  test('a chain that lists content_policy in failoverOn moves on, still without retrying the same model', async () => {
    const { name, targets } = h.addService([{ label: 'policy-opt-in', failoverOn: ['content_policy'] }, { label: 'policy-opt-in-fallback' }]);
    const [a, b] = targets;
    h.setFaults(a, { contentPolicyRate: 1 });
    const { data } = await h.client().chat.completions.create(ask(name)).withResponse();
    assert.equal(data.model, b.model);
    assert.deepEqual([a.hits().length, b.hits().length], [1, 1]);
  });
});

describe('a primary that flaps', () => {
  test('the breaker opens, the fallback serves, a half-open probe goes to the primary, and traffic returns', async () => {
    // openMs is a minute of the breakers' clock, which the test moves on by hand: no step depends on how fast the machine is.
    const breaker = { minimumRequests: 4, failureRateThreshold: 0.5, windowMs: 10_000, openMs: 60_000, halfOpenSuccesses: 1, halfOpenMaxInFlight: 1 };
    const { name, targets } = h.addService([{ label: 'flappy', breaker, budget: { maxRetries: 0 } }, { label: 'steady' }]);
    const [a, b] = targets;
    const served = async () => {
      const { data, response } = await h.client().chat.completions.create(ask(name)).withResponse();
      assert.equal(data.choices[0].finish_reason, 'stop');
      return { target: response.headers.get('x-standby-target'), attempts: response.headers.get('x-standby-attempts'), model: data.model };
    };
    const transitionsOfA = () => h.transitions.filter((t) => t.targetId === a.id).map((t) => `${t.from}->${t.to}`);

    // Failing: each request tries the primary once, then the fallback answers; the 4th failure opens the breaker.
    h.setFaults(a, { errorRate: 1, errorStatus: 503 });
    for (let i = 0; i < 4; i += 1) assert.deepEqual(await served(), { target: b.name, attempts: '2', model: b.model });
    assert.equal(h.breakers.view(a.id), 'open');
    assert.deepEqual(transitionsOfA(), ['closed->open']);
    const hitsWhenOpened = a.hits().length;

    // Open: the fallback serves alone, and the primary is not asked, until openMs has passed.
    for (let i = 0; i < 3; i += 1) assert.deepEqual(await served(), { target: b.name, attempts: '1', model: b.model });
    assert.equal(a.hits().length, hitsWhenOpened, 'nothing reaches an open primary before openMs');

    // openMs later: one request probes the primary half-open; the probe fails, the breaker reopens, the fallback answers.
    h.advanceBreakerClock(60_000);
    assert.equal(h.breakers.view(a.id), 'half_open');
    assert.deepEqual(await served(), { target: b.name, attempts: '2', model: b.model });
    assert.deepEqual(transitionsOfA(), ['closed->open', 'open->half_open', 'half_open->open']);
    assert.equal(a.hits().length, hitsWhenOpened + 1, 'while open, the primary got only the one probe');
    for (let i = 0; i < 3; i += 1) assert.deepEqual(await served(), { target: b.name, attempts: '1', model: b.model });
    assert.equal(a.hits().length, hitsWhenOpened + 1);

    // Healthy again: the next probe, openMs later, closes the breaker and traffic returns to the primary.
    h.setFaults(a, {});
    h.advanceBreakerClock(60_000);
    assert.deepEqual(await served(), { target: a.name, attempts: '1', model: a.model });
    assert.deepEqual(transitionsOfA(), ['closed->open', 'open->half_open', 'half_open->open', 'open->half_open', 'half_open->closed']);
    for (let i = 0; i < 3; i += 1) assert.deepEqual(await served(), { target: a.name, attempts: '1', model: a.model });
  });
});

describe('any failover', () => {
  test('names the model that answered, with its usage, the target and the attempts', async () => {
    const { name, targets } = h.addService([{ label: 'gpt', budget: { maxRetries: 1 } }, { label: 'claude', apiStyle: 'anthropic_messages' }]);
    const [a, b] = targets;
    h.setFaults(a, { errorRate: 1, errorStatus: 500 });
    const { data, response } = await h.client().chat.completions.create(ask(name)).withResponse();
    assert.equal(data.model, b.model);
    assert.equal(data.choices[0].message.content, answerText(b.name, b.model, QUESTION));
    assert.ok(data.usage && data.usage.prompt_tokens > 0 && data.usage.completion_tokens > 0);
    assert.equal(data.usage.total_tokens, data.usage.prompt_tokens + data.usage.completion_tokens);
    assert.equal(response.headers.get('x-standby-target'), b.name);
    assert.equal(response.headers.get('x-standby-attempts'), '3');
    const attempts = h.samples.filter((s) => s.requestId === data.id);
    assert.deepEqual(attempts.map((s) => [s.targetId, s.attempt, s.ok, s.errorClass]), [
      [a.id, 1, false, 'server_error'],
      [a.id, 2, false, 'server_error'],
      [b.id, 3, true, null],
    ]);
    assert.equal(b.hits()[0].body.model, b.model);
  });
});

describe('bad input never reaches an upstream', () => {
  let service: { name: string };
  let hitsBefore: number;
  before(() => {
    service = h.addService([{ label: 'guarded' }]);
  });
  const expectRefusal = async (result: Promise<{ status: number; json: { error?: { type: string; code: string | null; param: string | null } } }>, status: number, code: string | null, type?: string) => {
    hitsBefore = h.upstreamHits().length;
    const response = await result;
    assert.equal(response.status, status);
    assert.equal(response.json.error?.code, code);
    if (type) assert.equal(response.json.error?.type, type);
    assert.equal(h.upstreamHits().length, hitsBefore, 'no upstream was called');
    return response.json.error!;
  };

  test('malformed JSON: 400 invalid_json', async () => {
    await expectRefusal(h.post('{"model": "x", "messages": ['), 400, 'invalid_json', 'invalid_request_error');
  });

  test('missing messages: 400 naming the parameter', async () => {
    const error = await expectRefusal(h.post({ model: service.name }), 400, 'missing_required_parameter', 'invalid_request_error');
    assert.equal(error.param, 'messages');
  });

  test('a body over maxBodyBytes: 413', async () => {
    await expectRefusal(h.post(ask(service.name, 'x'.repeat(20 * 1024))), 413, 'request_too_large', 'invalid_request_error');
  });

  test('a body over maxBodyBytes without a Content-Length: 413', async () => {
    hitsBefore = h.upstreamHits().length;
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${h.gatewayOrigin}/api/v1/chat/completions`, {
        method: 'POST', headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      }, (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      const payload = JSON.stringify(ask(service.name, 'y'.repeat(40 * 1024)));
      for (let i = 0; i < payload.length; i += 4096) req.write(payload.slice(i, i + 4096));
      req.end();
    });
    assert.equal(status, 413);
    assert.equal((JSON.parse(body) as { error: { code: string } }).error.code, 'request_too_large');
    assert.equal(h.upstreamHits().length, hitsBefore);
  });

  test('an unknown service: 404 model_not_found', async () => {
    const error = await expectRefusal(h.post(ask('no-such-service')), 404, 'model_not_found', 'not_found_error');
    assert.equal(error.param, 'model');
  });

  test('a disabled service: 404 model_not_found', async () => {
    const disabled = h.addService([{ label: 'disabled' }], { enabled: false });
    await expectRefusal(h.post(ask(disabled.name)), 404, 'model_not_found');
  });

  test('a missing, malformed, unknown or expired token: 401, and no use of a token is noted', async () => {
    const uses = h.tokenUses.length;
    await expectRefusal(h.post(ask(service.name), { token: null }), 401, 'invalid_api_key', 'authentication_error');
    await expectRefusal(h.post(ask(service.name), { token: 'not-a-standby-token' }), 401, 'invalid_api_key');
    await expectRefusal(h.post(ask(service.name), { token: generateToken(randomBytes).token }), 401, 'invalid_api_key');
    const expired = h.addToken([], { expiresAt: Date.now() - 1_000 });
    await expectRefusal(h.post(ask(service.name), { token: expired }), 401, 'invalid_api_key');
    const error = await h.client('sbk_AAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB').chat.completions.create(ask(service.name)).catch((e: unknown) => e);
    assertApiError(error, 401, 'authentication_error', 'invalid_api_key');
    assert.equal(h.tokenUses.length, uses);
  });

  test('a token not allowed to call the service: 403', async () => {
    const other = h.addService([{ label: 'other' }]);
    const limited = h.addToken([other.name]);
    await expectRefusal(h.post(ask(service.name), { token: limited }), 403, 'service_not_allowed', 'permission_error');
  });

  test('GET on the completions path: 405; an unknown /api/v1 path: 404', async () => {
    hitsBefore = h.upstreamHits().length;
    const get = await fetch(`${h.gatewayOrigin}/api/v1/chat/completions`, { headers: { authorization: `Bearer ${h.token}` } });
    assert.equal(get.status, 405);
    const unknown = await h.post(ask(service.name), { path: '/api/v1/embeddings' });
    assert.equal(unknown.status, 404);
    assert.equal(h.upstreamHits().length, hitsBefore);
  });

  test('no routing snapshot yet: 503 not_ready with Retry-After', async () => {
    h.setSnapshotAvailable(false);
    try {
      const response = await h.post(ask(service.name));
      assert.equal(response.status, 503);
      assert.equal(response.json.error?.code, 'not_ready');
      assert.equal(response.headers.get('retry-after'), '1');
    } finally {
      h.setSnapshotAvailable(true);
    }
  });

  test('GET /api/v1/models lists the enabled services the token may call', async () => {
    const other = h.addService([{ label: 'listed' }]);
    const hidden = h.addService([{ label: 'hidden' }], { enabled: false });
    const limited = h.addToken([other.name]);
    const models = await h.client(limited).models.list();
    assert.deepEqual(models.data.map((m) => m.id), [other.name]);
    const all = (await h.client().models.list()).data.map((m) => m.id);
    assert.ok(all.includes(other.name) && all.includes(service.name));
    assert.ok(!all.includes(hidden.name));
    const anonymous = await fetch(`${h.gatewayOrigin}/api/v1/models`);
    assert.equal(anonymous.status, 401);
  });
});

// ---------------------------------------------------------------- through PostgreSQL

describe('routing from the database', () => {
  const sim = createSimulator({ loadFaults: () => NO_FAULTS, publishStats: false, chunkDelayMs: 1 });
  let upstream: http.Server;
  let gateway: http.Server;
  let origin: string;
  let gatewayApi: string;
  let snapshots: SnapshotSource;
  let recorder: SampleRecorder;

  before(async () => {
    upstream = http.createServer((req, res) => {
      if (!sim.handle(req, res, (req.url ?? '/').split('?')[0])) res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    snapshots = await new SnapshotSource().start();
    recorder = new SampleRecorder();
    const breakers = new BreakerRegistry('db-test', undefined, async () => {});
    const handle = createGatewayHandler({ snapshot: () => snapshots.get(), breakers, recorder });
    gateway = http.createServer((req, res) => {
      void handle(req, res, (req.url ?? '/').split('?')[0]).then((handled) => {
        if (!handled) res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    gatewayApi = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/api/v1`;
  });
  after(async () => {
    sim.close();
    for (const server of [gateway, upstream]) {
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    }
    await snapshots?.close();
    await recorder?.close();
    await disconnect();
  });

  const seed = () => seedRoutedService(origin, 'db', { failoverOn: ['server_error'], headerTimeoutMs: 5_000, totalTimeoutMs: 20_000 });

  test('a request routed from the database snapshot writes a traffic HealthSample on flush', async () => {
    const { service, targets, token, tokenHash } = await seed();
    await waitFor('the seeded service in the snapshot', () => snapshots.get()?.services.has(service.name) && snapshots.get()?.tokens.has(tokenHash));
    const client = new OpenAI({ baseURL: gatewayApi, apiKey: token, maxRetries: 0 });
    const { data, response } = await client.chat.completions.create(ask(service.name)).withResponse();
    assert.equal(response.headers.get('x-standby-target'), targets[0].name);
    assert.equal(data.model, targets[0].model);

    assert.equal(await db().healthSample.count({ where: { requestId: data.id } }), 0, 'recording never waits on the database');
    await recorder.flush();
    const rows = await db().healthSample.findMany({ where: { requestId: data.id } });
    assert.equal(rows.length, 1);
    const [row] = rows;
    assert.equal(row.source, 'traffic');
    assert.equal(row.targetId, targets[0].id);
    assert.equal(row.serviceId, service.id);
    assert.equal(row.ok, true);
    assert.equal(row.statusCode, 200);
    assert.equal(row.attempt, 1);
    assert.equal(row.errorClass, null);
    assert.equal(row.completionTokens, data.usage?.completion_tokens);
  });

  test("a token's last use is written with the records, and never moved back", async () => {
    const { service, token, tokenHash, apiToken } = await seed();
    await waitFor('the seeded service in the snapshot', () => snapshots.get()?.services.has(service.name) && snapshots.get()?.tokens.has(tokenHash));
    assert.equal((await db().apiToken.findUniqueOrThrow({ where: { id: apiToken.id } })).lastUsedAt, null);
    const before = Date.now();
    await new OpenAI({ baseURL: gatewayApi, apiKey: token, maxRetries: 0 }).chat.completions.create(ask(service.name));
    await recorder.flush();
    const used = (await db().apiToken.findUniqueOrThrow({ where: { id: apiToken.id } })).lastUsedAt;
    assert.ok(used && used.getTime() >= before - 1 && used.getTime() <= Date.now(), `lastUsedAt ${used?.toISOString()}`);

    recorder.tokenUsed(apiToken.id, before - 60_000); // a late flush from another replica
    await recorder.flush();
    assert.equal((await db().apiToken.findUniqueOrThrow({ where: { id: apiToken.id } })).lastUsedAt?.getTime(), used.getTime());
  });

  test('an operator pin reaches the snapshot through NOTIFY and the next request is served by the pinned target; a revoked token is refused', async () => {
    const { service, targets, token, tokenHash, apiToken } = await seed();
    await waitFor('the seeded service in the snapshot', () => snapshots.get()?.services.has(service.name) && snapshots.get()?.tokens.has(tokenHash));
    const client = new OpenAI({ baseURL: gatewayApi, apiKey: token, maxRetries: 0 });
    const before = await client.chat.completions.create(ask(service.name)).withResponse();
    assert.equal(before.response.headers.get('x-standby-target'), targets[0].name);

    const pin = await db().routingOverride.create({ data: { kind: 'pin', serviceId: service.id, targetId: targets[1].id, reason: 'integration test pin', createdBy: 'operator@standby.test' }, select: { id: true } });
    await waitFor('the pin in the snapshot', () => snapshots.get()?.overrides.some((o) => o.id === pin.id));
    const pinned = await client.chat.completions.create(ask(service.name)).withResponse();
    assert.equal(pinned.response.headers.get('x-standby-target'), targets[1].name);
    assert.equal(pinned.data.model, targets[1].model);
    assert.equal(pinned.data.choices[0].message.content, answerText(targets[1].name, targets[1].model, QUESTION));

    await db().apiToken.update({ where: { id: apiToken.id }, data: { revokedAt: new Date(), revokedBy: 'admin@standby.test' } });
    await waitFor('the revoked token to leave the snapshot', () => !snapshots.get()?.tokens.has(tokenHash));
    const error = await client.chat.completions.create(ask(service.name)).catch((e: unknown) => e);
    assertApiError(error, 401, 'authentication_error', 'invalid_api_key');
  });
});
