// Each degradation tier's policy as a client sees it: the official OpenAI SDK
// against the real gateway handler over real sockets, local simulated
// upstreams, and the retry queue in real PostgreSQL. The tier is set on the
// routing snapshot the way the snapshot loader sets it (automatic tier or an
// operator's override); the control loop that computes it is tested apart.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { DEFAULT_TIER_POLICY } from '@/lib/routing/defaults';
import type { Tier } from '@/lib/routing/enums';
import { answerText } from '@/simulator/replies';
import { db } from '@/lib/server/db';
import { disconnect } from '@/test/fixtures';
import { replayQueuedRequests } from './queue-replay';
import { createRetryQueue } from './retry-queue';
import type { SnapshotService, TierPolicy } from '@/lib/routing/model';
import { drain, finishReasons, startHarness, type Harness } from '@/test/gateway-harness';

const QUESTION = 'How does failover work here?';
const ask = (model: string, content = QUESTION, extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: 'user' as const, content }], ...extra });

const queue = createRetryQueue();
let h: Harness;
before(async () => {
  h = await startHarness({ queue });
  // In a replica the snapshot loader has opened the pool long before a request is queued.
  await db().$queryRaw`SELECT 1`;
});
after(async () => {
  await h.close();
  await disconnect();
});

/**
 * `servedShare` is the share of requests the capacity has room for, served as in Full: 0 (the default here)
 * puts every request in the tier, to test what the tier does; the overflow tests give it a share.
 */
function setTier(service: SnapshotService, tier: Tier, policy: Partial<TierPolicy> = {}, how: 'automatic' | 'override' = 'automatic', servedShare = 0) {
  service.degradation = {
    policy: { ...DEFAULT_TIER_POLICY, ...service.degradation.policy, ...policy },
    automaticTier: how === 'automatic' ? tier : 'full',
    override: how === 'override' ? { tier, reason: 'integration test', by: 'operator@standby.test', at: Date.now(), expiresAt: null } : null,
    servedShare,
  };
}

function assertApiError(error: unknown, status: number, type: string, code?: string): asserts error is InstanceType<typeof OpenAI.APIError> {
  assert.ok(error instanceof OpenAI.APIError, `expected an APIError, got ${String(error)}`);
  assert.equal(error.status, status, error.message);
  assert.equal((error.error as { type?: string } | undefined)?.type, type);
  if (code !== undefined) assert.equal(error.code, code);
}

async function getQueued(id: string, token = h.token) {
  const response = await fetch(`${h.gatewayOrigin}/api/v1/queued/${id}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> & { error?: { type: string; code: string | null; message: string } } };
}

const replay = (now?: () => number) => replayQueuedRequests({ snapshot: () => h.snapshot, complete: h.complete, queue, now });

describe('Full', () => {
  test('routes as usual, says so in x-standby-tier, and records the request as good', async () => {
    const { name, service, targets } = h.addService([{ label: 'full' }]);
    const { data, response } = await h.client().chat.completions.create(ask(name)).withResponse();
    assert.equal(response.headers.get('x-standby-tier'), 'full');
    assert.equal(response.headers.get('x-standby-degraded'), null);
    assert.equal(data.model, targets[0].model);
    assert.equal(targets[0].hits()[0].body.max_tokens, undefined, 'no cap in Full');
    const outcome = h.outcomes.find((o) => o.requestId === data.id);
    assert.deepEqual(
      outcome && { serviceId: outcome.serviceId, ok: outcome.ok, status: outcome.status, tier: outcome.tier, servedBy: outcome.servedBy, targetId: outcome.targetId, attempts: outcome.attempts },
      { serviceId: service.id, ok: true, status: 200, tier: 'full', servedBy: 'upstream', targetId: targets[0].id, attempts: 1 },
    );
  });
});

describe('Degraded', () => {
  test("answers from the degraded target's model, with max_tokens capped as the upstream sees it", async () => {
    const { targets: [small] } = h.addService([{ label: 'small' }]);
    const { name, service, targets: [big] } = h.addService([{ label: 'big' }]);
    setTier(service, 'degraded', { degradedTargetId: small.id, degradedMaxTokens: 64 });

    const { data, response } = await h.client().chat.completions.create(ask(name, QUESTION, { max_tokens: 4000 })).withResponse();
    assert.equal(data.model, small.model, 'the response names the model that answered');
    assert.equal(response.headers.get('x-standby-target'), small.name);
    assert.equal(response.headers.get('x-standby-tier'), 'degraded');
    assert.equal(response.headers.get('x-standby-degraded'), 'smaller-model');
    assert.equal(small.hits().at(-1)?.body.max_tokens, 64);
    assert.equal(big.hits().length, 0);

    // A lower value the client asked for is kept, in either field.
    await h.client().chat.completions.create(ask(name, QUESTION, { max_completion_tokens: 10 }));
    assert.equal(small.hits().at(-1)?.body.max_completion_tokens, 10);
    // No limit asked for: the cap is added.
    await h.client().chat.completions.create(ask(name));
    assert.equal(small.hits().at(-1)?.body.max_tokens, 64);

    const outcome = h.outcomes.find((o) => o.requestId === data.id);
    assert.equal(outcome?.tier, 'degraded');
    assert.equal(outcome?.targetId, small.id);
  });

  test('a tiny cap shortens the streamed answer, which says the length ran out', async () => {
    const { targets: [small] } = h.addService([{ label: 'small-stream' }]);
    const { name, service } = h.addService([{ label: 'big-stream' }]);
    setTier(service, 'degraded', { degradedTargetId: small.id, degradedMaxTokens: 2 });
    const { data: stream, response } = await h.client().chat.completions.create({ ...ask(name), stream: true }).withResponse();
    const { chunks, error } = await drain(stream);
    assert.equal(error, null);
    assert.equal(response.headers.get('x-standby-degraded'), 'smaller-model');
    assert.deepEqual(finishReasons(chunks), ['length']);
    assert.equal(small.hits().at(-1)?.body.max_tokens, 2);
  });

  test('a drained or failing degraded target is passed over: the chain serves, still capped', async () => {
    const { targets: [small] } = h.addService([{ label: 'small-drained' }]);
    const { name, service, targets: [big] } = h.addService([{ label: 'big-after-drain' }]);
    setTier(service, 'degraded', { degradedTargetId: small.id, degradedMaxTokens: 100 });
    h.snapshot.overrides.push({ id: 'drain-small', kind: 'drain', serviceId: null, targetId: small.id, reason: 'test', createdBy: 'op', createdAt: Date.now(), expiresAt: null });
    try {
      const { data, response } = await h.client().chat.completions.create(ask(name)).withResponse();
      assert.equal(data.model, big.model);
      assert.equal(response.headers.get('x-standby-degraded'), 'max-tokens');
      assert.equal(small.hits().length, 0);
      assert.equal(big.hits().at(-1)?.body.max_tokens, 100);
    } finally {
      h.snapshot.overrides = h.snapshot.overrides.filter((o) => o.id !== 'drain-small');
    }

    h.setFaults(small, { errorRate: 1, errorStatus: 500 });
    const { data, response } = await h.client().chat.completions.create(ask(name)).withResponse();
    assert.equal(data.model, big.model, 'the degraded target failed, the chain answered');
    assert.ok(Number(response.headers.get('x-standby-attempts')) > 1);
  });
});

describe('Minimal', () => {
  test('serves a repeated request from the cache, as JSON and as a stream, with fresh ids and no upstream call', async () => {
    const { name, service, targets: [a] } = h.addService([{ label: 'cache' }]);
    const first = await h.client().chat.completions.create(ask(name, QUESTION, { temperature: 0 }));
    assert.equal(a.hits().length, 1);

    setTier(service, 'minimal', {}, 'override');
    // The same request, told apart only by fields the cache key leaves out.
    const { data, response } = await h.client().chat.completions.create(ask(name, QUESTION, { temperature: 0, user: 'someone-else' })).withResponse();
    assert.equal(response.headers.get('x-standby-cache'), 'hit');
    assert.equal(response.headers.get('x-standby-tier'), 'minimal');
    assert.equal(data.choices[0].message.content, first.choices[0].message.content);
    assert.equal(data.model, a.model);
    assert.notEqual(data.id, first.id);
    assert.deepEqual(data.usage, { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });

    const { data: stream, response: streamed } = await h.client().chat.completions.create({ ...ask(name, QUESTION, { temperature: 0 }), stream: true, stream_options: { include_usage: true } }).withResponse();
    assert.equal(streamed.headers.get('x-standby-cache'), 'hit');
    const { text, chunks, error } = await drain(stream);
    assert.equal(error, null);
    assert.equal(text, first.choices[0].message.content);
    assert.deepEqual(finishReasons(chunks), ['stop']);
    assert.equal(chunks.at(-1)?.usage?.total_tokens, 0);
    assert.equal(a.hits().length, 1, 'no upstream call in Minimal');

    const outcome = h.outcomes.find((o) => o.requestId === data.id);
    assert.deepEqual(outcome && { ok: outcome.ok, servedBy: outcome.servedBy, tier: outcome.tier, attempts: outcome.attempts }, { ok: true, servedBy: 'cache', tier: 'minimal', attempts: 0 });
  });

  test('a streamed answer fills the cache too', async () => {
    const { name, service, targets: [a] } = h.addService([{ label: 'cache-stream' }]);
    const { text } = await drain(await h.client().chat.completions.create({ ...ask(name), stream: true }));
    setTier(service, 'minimal');
    const cached = await h.client().chat.completions.create(ask(name));
    assert.equal(cached.choices[0].message.content, text);
    assert.equal(cached.choices[0].message.content, answerText(a.name, a.model, QUESTION));
  });

  test("an answer given in Degraded is cached under the client's request, not the capped one", async () => {
    const { targets: [small] } = h.addService([{ label: 'small-fill' }]);
    const { name, service } = h.addService([{ label: 'big-fill' }]);
    setTier(service, 'degraded', { degradedTargetId: small.id, degradedMaxTokens: 300 });
    const degraded = await h.client().chat.completions.create(ask(name, QUESTION, { max_tokens: 1000 }));
    setTier(service, 'minimal');
    const { data, response } = await h.client().chat.completions.create(ask(name, QUESTION, { max_tokens: 1000 })).withResponse();
    assert.equal(response.headers.get('x-standby-cache'), 'hit');
    assert.equal(data.choices[0].message.content, degraded.choices[0].message.content);
    assert.equal(data.model, small.model);
  });

  test('answers from a matching rule as standby-rule with zero usage; otherwise 503 with Retry-After naming the tier', async () => {
    const { name, service, targets: [a] } = h.addService([{ label: 'rules' }]);
    setTier(service, 'minimal', { rules: [{ match: 'contains', pattern: 'opening hours', answer: 'We are open 9:00 to 17:00.' }], retryAfterSeconds: 45 });

    const { data, response } = await h.client().chat.completions.create(ask(name, 'What are your Opening Hours?')).withResponse();
    assert.equal(data.model, 'standby-rule');
    assert.equal(data.choices[0].message.content, 'We are open 9:00 to 17:00.');
    assert.deepEqual(data.usage, { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
    assert.equal(response.headers.get('x-standby-rule'), 'matched');

    const { text } = await drain(await h.client().chat.completions.create({ ...ask(name, 'opening hours?'), stream: true }));
    assert.equal(text, 'We are open 9:00 to 17:00.');

    const error = await h.client().chat.completions.create(ask(name, 'Something never asked before')).catch((e: unknown) => e);
    assertApiError(error, 503, 'service_unavailable', 'tier_minimal');
    assert.equal(error.headers?.get('retry-after'), '45');
    assert.equal(error.headers?.get('x-standby-tier'), 'minimal');
    assert.match(error.message, /Minimal tier/);
    assert.equal(a.hits().length, 0);

    const refused = h.outcomes.filter((o) => o.serviceId === service.id && o.servedBy === 'refused');
    assert.equal(refused.length, 1);
    assert.equal(refused[0].ok, false);
  });
});

describe('a tier sheds only the overflow', () => {
  test('demand beyond what is left: the share the capacity has room for is served by the chain, only the rest gets Minimal', async () => {
    const { name, service, targets: [a] } = h.addService([{ label: 'overflow' }]);
    // 750 RPM left for 1,000 RPM of demand: three requests in four fit.
    setTier(service, 'minimal', {}, 'automatic', 0.75);
    const results = [];
    for (let i = 0; i < 8; i += 1) {
      const response = await fetch(`${h.gatewayOrigin}/api/v1/chat/completions`, {
        method: 'POST', headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' }, body: JSON.stringify(ask(name, `question ${i} never asked before`)),
      });
      const body = (await response.json()) as { error?: { code: string } };
      results.push(`${response.status} ${response.headers.get('x-standby-tier')}${body.error ? ` ${body.error.code}` : ''}`);
    }
    assert.deepEqual(results.filter((r) => r === '200 full').length, 6, results.join(', '));
    assert.deepEqual(results.filter((r) => r === '503 minimal tier_minimal').length, 2, results.join(', '));
    assert.equal(a.hits().length, 6, 'only the requests within capacity reach the target');
    const recorded = h.outcomes.filter((o) => o.serviceId === service.id);
    assert.deepEqual([recorded.filter((o) => o.tier === 'full' && o.ok).length, recorded.filter((o) => o.tier === 'minimal' && o.servedBy === 'refused').length], [6, 2]);
  });

  test('Degraded for the overflow: half the requests keep the chain and their length, half go to the smaller model, capped', async () => {
    const { name, service, targets: [main, small] } = h.addService([{ label: 'main' }, { label: 'small' }]);
    setTier(service, 'degraded', { degradedTargetId: small.id, degradedMaxTokens: 64 }, 'automatic', 0.5);
    const tiers = [];
    for (let i = 0; i < 4; i += 1) {
      const { response } = await h.client().chat.completions.create(ask(name, `degraded overflow ${i}`)).withResponse();
      tiers.push(response.headers.get('x-standby-tier'));
    }
    assert.deepEqual(tiers.sort(), ['degraded', 'degraded', 'full', 'full']);
    assert.equal(main.hits().length, 2);
    assert.deepEqual(small.hits().map((hit) => hit.body.max_tokens), [64, 64]);
  });

  test('capacity back but the tier still holding: every request is served normally', async () => {
    const { name, service, targets: [a] } = h.addService([{ label: 'holding' }]);
    setTier(service, 'minimal', {}, 'automatic', 1);
    for (let i = 0; i < 5; i += 1) {
      const { response } = await h.client().chat.completions.create(ask(name, `held ${i}`)).withResponse();
      assert.equal(response.headers.get('x-standby-tier'), 'full');
    }
    assert.equal(a.hits().length, 5);
  });
});

describe('Emergency', () => {
  test('answers with the maintenance message in OpenAI shape, with Retry-After', async () => {
    const { name, service, targets: [a] } = h.addService([{ label: 'maint' }]);
    setTier(service, 'emergency', { maintenanceMessage: 'Support is down for emergency maintenance.', retryAfterSeconds: 120 });
    const error = await h.client().chat.completions.create(ask(name)).catch((e: unknown) => e);
    assertApiError(error, 503, 'service_unavailable', 'maintenance');
    assert.equal((error.error as { message: string }).message, 'Support is down for emergency maintenance.');
    assert.equal(error.headers?.get('retry-after'), '120');
    assert.equal(a.hits().length, 0);

    setTier(service, 'emergency', { queueEnabled: false });
    const off = await h.client().chat.completions.create(ask(name), { headers: { 'x-standby-queue': 'true' } }).catch((e: unknown) => e);
    assertApiError(off, 503, 'service_unavailable', 'maintenance');
    assert.match(off.message, /turned off/);
  });

  test('a request holding a NUL character, which PostgreSQL cannot store, is refused with a 400 that says so, not "queue unavailable"', async () => {
    const { name, service, targets: [a] } = h.addService([{ label: 'nul' }]);
    setTier(service, 'emergency');
    const queuedBefore = await db().queuedRequest.count({ where: { serviceId: service.id } });
    const error = await h.client().chat.completions.create(ask(name, 'before\u0000after'), { headers: { 'x-standby-queue': 'true' } }).catch((e: unknown) => e);
    assertApiError(error, 400, 'invalid_request_error', 'unqueueable_nul');
    assert.match(error.message, /NUL character/);
    assert.equal(await db().queuedRequest.count({ where: { serviceId: service.id } }), queuedBefore);
    assert.equal(a.hits().length, 0);
  });

  test('queues on request, and after the tier returns to Full the replay leaves a result to fetch', async () => {
    const { name, service, targets: [a] } = h.addService([{ label: 'queue' }]);
    setTier(service, 'emergency');
    const { data, response } = await h.client().chat.completions
      .create({ ...ask(name), stream: true }, { headers: { 'x-standby-queue': 'true' } })
      .asResponse()
      .then(async (r) => ({ response: r, data: (await r.json()) as { id: string; object: string; status: string; url: string; expires_at: number } }));
    assert.equal(response.status, 202);
    assert.match(data.id, /^sbq_/);
    assert.equal(data.object, 'standby.queued_request');
    assert.equal(data.status, 'queued');
    assert.equal(response.headers.get('location'), `/api/v1/queued/${data.id}`);
    assert.ok(data.expires_at > Date.now() / 1000);
    const row = await db().queuedRequest.findUniqueOrThrow({ where: { publicId: data.id } });
    assert.equal((row.body as { stream?: unknown }).stream, undefined, 'stored without streaming');

    assert.equal((await getQueued(data.id)).json.status, 'queued');
    await replay();
    assert.equal((await getQueued(data.id)).json.status, 'queued', 'no replay while the service is still in Emergency');
    assert.equal(a.hits().length, 0);

    setTier(service, 'full');
    await replay();
    const done = await getQueued(data.id);
    assert.equal(done.status, 200);
    assert.equal(done.json.status, 'succeeded');
    assert.equal(done.json.status_code, 200);
    const result = done.json.result as OpenAI.Chat.Completions.ChatCompletion;
    assert.equal(result.object, 'chat.completion');
    assert.equal(result.choices[0].message.content, answerText(a.name, a.model, QUESTION));
    assert.equal(a.hits().length, 1);
    assert.equal(a.hits()[0].body.stream, undefined);

    const outcome = h.outcomes.find((o) => o.serviceId === service.id);
    assert.deepEqual(outcome && { ok: outcome.ok, status: outcome.status, servedBy: outcome.servedBy }, { ok: false, status: 202, servedBy: 'queued' });
  });

  test('replays each queued request, and fails one whose token has been revoked since', async () => {
    const { name, service } = h.addService([{ label: 'queue-order' }]);
    const other = h.addToken([name]);
    setTier(service, 'emergency');
    const post = (token: string) => h.post(ask(name), { token, headers: { 'x-standby-queue': 'true' } });
    const first = await post(h.token);
    const revoked = await post(other);
    assert.equal(first.status, 202);
    assert.equal(revoked.status, 202);
    for (const [hash, token] of h.snapshot.tokens) if (token.services.includes(name)) h.snapshot.tokens.delete(hash);

    setTier(service, 'full');
    await replay();
    const ok = await getQueued(String(first.json.id));
    assert.equal(ok.json.status, 'succeeded');
    const failed = await getQueued(String(revoked.json.id));
    assert.equal(failed.json.status, 'failed');
    assert.equal(failed.json.status_code, 401);
    assert.equal(failed.json.error?.type, 'authentication_error');
  });

  test('a request not replayed before it expires is expired, and says so', async () => {
    const { name, service } = h.addService([{ label: 'queue-expiry' }]);
    setTier(service, 'emergency', { queueTtlSeconds: 60 });
    const queued = await h.post(ask(name), { headers: { 'x-standby-queue': 'true' } });
    assert.equal(queued.status, 202);
    await replay(() => Date.now() + 61_000);
    const expired = await getQueued(String(queued.json.id));
    assert.equal(expired.json.status, 'expired');
    assert.equal(expired.json.error?.code, 'queue_expired');
  });

  test('with the queue unreachable, the client gets the maintenance answer saying it was not queued', async () => {
    const broken = await startHarness({ queue: { enqueue: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')), find: () => Promise.resolve(null) } });
    try {
      const { name, service } = broken.addService([{ label: 'queue-down' }]);
      setTier(service, 'emergency');
      const error = await broken.client().chat.completions.create(ask(name), { headers: { 'x-standby-queue': 'true' } }).catch((e: unknown) => e);
      assertApiError(error, 503, 'service_unavailable', 'maintenance');
      assert.match(error.message, /queue is unavailable/);
      assert.equal(broken.outcomes.at(-1)?.servedBy, 'maintenance');
    } finally {
      await broken.close();
    }
  });
});

describe('GET /api/v1/queued/<id>: bad input', () => {
  test('an unknown or malformed id is a 404, another service token a 403, a POST a 405: OpenAI-shaped, never 5xx', async () => {
    const { name, service } = h.addService([{ label: 'queue-access' }]);
    const { name: elsewhere } = h.addService([{ label: 'queue-elsewhere' }]);
    setTier(service, 'emergency');
    const owner = h.addToken([name]);
    const queued = await h.post(ask(name), { token: owner, headers: { 'x-standby-queue': 'true' } });
    const id = String(queued.json.id);

    const unknown = await getQueued('sbq_doesnotexist');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error?.type, 'not_found_error');
    assert.equal(unknown.json.error?.code, 'queued_request_not_found');
    assert.equal((await getQueued('not-an-id')).status, 404);
    assert.equal((await getQueued('sbq_%E0%A4%A')).status, 404, 'a malformed escape is a 404, not a crash');

    const stranger = await getQueued(id, h.addToken([elsewhere]));
    assert.equal(stranger.status, 403);
    assert.equal(stranger.json.error?.type, 'permission_error');
    assert.equal((await getQueued(id, owner)).status, 200, 'the token that queued it');
    assert.equal((await getQueued(id, h.addToken([name]))).status, 200, 'another token allowed the service');
    assert.equal((await getQueued(id, 'sbk_wrong')).status, 401);

    const post = await h.post({}, { path: `/api/v1/queued/${id}` });
    assert.equal(post.status, 405);
    assert.equal(post.json.error?.type, 'invalid_request_error');
  });
});
