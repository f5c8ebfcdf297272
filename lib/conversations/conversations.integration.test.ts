// Conversations that survive a failover, through the real gateway handler,
// the demo's simulated upstreams and PostgreSQL: the second target receives
// the whole history; turns are written off the request path, sealed, in
// order even from two replicas at once; another replica reads the history
// back; export, deletion (an answer still buffered is not written back),
// retention, the measured RPO as evidence, and the refusals.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateToken } from '@/lib/access/tokens';
import { DEFAULT_BREAKER_CONFIG } from '@/lib/routing/defaults';
import { BreakerRegistry } from '@/lib/gateway/breaker-registry';
import { createGatewayHandler } from '@/lib/gateway/handler';
import { loadSnapshot } from '@/lib/gateway/snapshot';
import type { RoutingSnapshot } from '@/lib/routing/model';
import { syncComponents } from '@/lib/recovery/components';
import { faultsSchema, NO_FAULTS, type Faults } from '@/lib/simulator/faults';
import { createSimulator } from '@/simulator/server';
import { db } from '@/lib/server/db';
import { endpointPolicyOf } from '@/lib/server/endpoint-policy';
import { setEndpointPolicy } from '@/lib/server/guarded-connect';
import { createTestUsers, rejectsWith, seedRoutedService, uniqueName, type TestUsers } from '@/test/fixtures';
import { conversationRoutes } from './api';
import { deleteConversations, eraseEndUser, purgeExpiredConversations, setConversationStore } from './mutations';
import { closeConversationPool, loadHistory, writeTurns } from './persistence';
import { checkConversationResume } from './resume-check';
import { ConversationStore } from './store';
import { recordEvidence } from '@/lib/recovery/evidence';
import { conversationComponentName } from '@/lib/recovery/model';

type Hit = { upstream: string; body: { messages?: { role: string; content: string }[] } };
const hits: Hit[] = [];
const faults = new Map<string, Faults>();
const simulator = createSimulator({ loadFaults: (name) => faults.get(name) ?? NO_FAULTS, publishStats: false, chunkDelayMs: 1 });
const upstreams = http.createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  const hit: Hit = { upstream: /\/simulated\/([^/]+)\//.exec(path)?.[1] ?? '', body: {} };
  hits.push(hit);
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => (hit.body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Hit['body']));
  if (!simulator.handle(req, res, path)) res.writeHead(404).end();
});

let users: TestUsers;
let seeded: Awaited<ReturnType<typeof seedRoutedService>>;
let plain: Awaited<ReturnType<typeof seedRoutedService>>;
let snapshot: RoutingSnapshot;
let gateway = '';
let server: http.Server;
let store: ConversationStore;
const reported: { service: string; maxMs: number; p99Ms: number | null; answers: number }[] = [];

function startGateway(withStore: ConversationStore) {
  const breakers = new BreakerRegistry('test', (id) => snapshot.targets.get(id)?.breaker ?? DEFAULT_BREAKER_CONFIG, async () => {});
  const handle = createGatewayHandler({ snapshot: () => snapshot, breakers, recorder: { record() {}, recordRequest() {}, tokenUsed() {} }, random: () => 0.5, conversations: withStore });
  // What the front door hands to Next in production: here only the conversation API (the resume check deletes its conversation).
  const conversationApi = conversationRoutes('/api/v1/conversations/[key]', (p) => p.key ?? null);
  return http.createServer((req, res) => void (async () => {
    const path = (req.url ?? '/').split('?')[0];
    if (await handle(req, res, path)) return;
    const key = /^\/api\/v1\/conversations\/([^/]+)$/.exec(path)?.[1];
    const method = req.method === 'DELETE' ? 'DELETE' : req.method === 'GET' ? 'GET' : null;
    if (!key || !method) return void res.writeHead(404).end();
    const answer = await conversationApi[method](new Request(`http://standby.test${req.url}`, { method, headers: { authorization: req.headers.authorization ?? '' } }), { params: Promise.resolve({ key: decodeURIComponent(key) }) });
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
  })());
}

before(async () => {
  await new Promise<void>((resolve) => upstreams.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(upstreams.address() as AddressInfo).port}`;
  setEndpointPolicy(endpointPolicyOf(['127.0.0.0/8']));
  users = await createTestUsers();
  seeded = await seedRoutedService(origin, 'conv', { failoverOn: ['server_error'], maxRetries: 0 });
  plain = await seedRoutedService(origin, 'plain');
  const service = await db().service.findUniqueOrThrow({ where: { id: seeded.service.id }, select: { version: true } });
  await rejectsWith(setConversationStore(users.operator, { serviceId: seeded.service.id, expectedVersion: service.version, store: true, retentionDays: 7, reason: 'resume sessions' }), 'FORBIDDEN');
  await setConversationStore(users.admin, { serviceId: seeded.service.id, expectedVersion: service.version, store: 'true', retentionDays: 7, reason: 'support sessions resume after a failover' });
  await syncComponents();
  snapshot = await loadSnapshot();
  store = new ConversationStore({ load: loadHistory, write: writeTurns, report: async (service, lag) => void reported.push({ service, ...lag }) }, { flushMs: 20 }).start();
  server = startGateway(store);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gateway = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await store.close();
  await closeConversationPool();
  simulator.close();
  for (const s of [server, upstreams]) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
  await db().$disconnect();
});

const upstreamOf = (index: number) => /\/simulated\/([^/]+)\//.exec(snapshot.targets.get(snapshot.services.get(seeded.service.name)!.chain[index].targetId)!.endpointUrl)![1];

async function chat(body: Record<string, unknown>, headers: Record<string, string> = {}, token = seeded.token, url = gateway) {
  const response = await fetch(`${url}/api/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: seeded.service.name, max_tokens: 32, ...body }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: (() => { try { return JSON.parse(text) as { choices?: { message: { content: string } }[]; error?: { code: string; message: string } }; } catch { return null; } })() };
}

const conversationRow = (key: string) => db().conversation.findFirstOrThrow({ where: { key, serviceId: seeded.service.id }, select: { id: true, messageCount: true, endUserHash: true, messages: { orderBy: { seq: 'asc' } } } });

describe('a conversation resumes on the next target', () => {
  test('after a failover the second target receives the whole history', async () => {
    const first = await chat({ messages: [{ role: 'system', content: 'You are support.' }, { role: 'user', content: 'My name is Ada and order 42 is late.' }], user: 'end-user-ada' }, { 'x-standby-conversation': 'session-1' });
    assert.equal(first.status, 200, first.text);
    assert.equal(first.headers.get('x-standby-conversation'), 'session-1');
    const answer = first.json!.choices![0].message.content;

    faults.set(upstreamOf(0), faultsSchema.parse({ errorRate: 1, errorStatus: 503 }));
    hits.length = 0;
    const second = await chat({ messages: [{ role: 'user', content: 'What is my name?' }] }, { 'x-standby-conversation': 'session-1' });
    faults.clear();
    assert.equal(second.status, 200, second.text);
    assert.equal(second.headers.get('x-standby-target'), seeded.targets[1].name, 'the secondary answered');
    assert.equal(second.headers.get('x-standby-conversation-messages'), '4');
    const received = hits.find((h) => h.upstream === upstreamOf(1))!.body.messages!;
    assert.deepEqual(received.map((m) => [m.role, m.content]), [
      ['system', 'You are support.'], ['user', 'My name is Ada and order 42 is late.'], ['assistant', answer], ['user', 'What is my name?'],
    ]);

    await store.flush();
    const row = await conversationRow('session-1');
    assert.equal(row.messageCount, 5);
    assert.deepEqual(row.messages.map((m) => [m.seq, m.role]), [[0, 'system'], [1, 'user'], [2, 'assistant'], [3, 'user'], [4, 'assistant']]);
    for (const m of row.messages) {
      assert.ok(!m.sealed.includes('Ada') && m.sealed.startsWith('v1.'), 'messages are sealed at rest');
      assert.ok(m.writtenAt.getTime() >= m.at.getTime() - 5);
    }
    assert.ok(row.endUserHash, 'the end user is kept as a hash');
  });

  test('another replica reads the history from PostgreSQL, streamed answers included', async () => {
    const other = new ConversationStore({ load: loadHistory, write: writeTurns }, { flushMs: 20 }).start();
    const otherServer = startGateway(other);
    await new Promise<void>((resolve) => otherServer.listen(0, '127.0.0.1', resolve));
    try {
      hits.length = 0;
      const streamed = await chat({ messages: [{ role: 'user', content: 'And my order?' }], stream: true }, { 'x-standby-conversation': 'session-1' }, seeded.token, `http://127.0.0.1:${(otherServer.address() as AddressInfo).port}`);
      assert.equal(streamed.status, 200);
      assert.match(streamed.text, /data: \[DONE\]/);
      assert.equal(hits[0].body.messages!.length, 6);
      await other.flush();
      const row = await conversationRow('session-1');
      assert.equal(row.messageCount, 7);
      assert.equal(row.messages.at(-1)!.role, 'assistant');
      assert.ok((await loadHistory({ serviceId: seeded.service.id, tokenId: seeded.apiToken.id, key: 'session-1' })).messages.at(-1)!.content, 'the streamed answer was put together and kept');
    } finally {
      await other.close();
      otherServer.closeAllConnections();
      await new Promise<void>((resolve) => otherServer.close(() => resolve()));
    }
  });

  test('the check a drill runs: the conversation resumes with its whole history on the target that serves after the fault', async () => {
    const check = await checkConversationResume({
      gatewayUrl: gateway, token: seeded.token, service: seeded.service.name,
      between: async () => void faults.set(upstreamOf(0), faultsSchema.parse({ errorRate: 1, errorStatus: 503 })),
    });
    faults.clear();
    assert.equal(check.ok, true, check.detail);
    assert.equal(check.failedOver, true);
    assert.equal(check.secondTarget, seeded.targets[1].name);
    assert.match(check.detail, /received the whole history \(3 messages\) after a failover/);
    await store.flush();
    assert.equal(await db().conversation.count({ where: { key: check.conversation, deletedAt: null } }), 0, 'the check deletes its conversation');
    assert.equal(await db().conversationMessage.count({ where: { conversation: { key: check.conversation } } }), 0);
    const off = await checkConversationResume({ gatewayUrl: gateway, token: plain.token, service: plain.service.name });
    assert.equal(off.ok, false);
    assert.match(off.detail, /first turn failed with HTTP 400/);
  });

  test('two replicas appending to one conversation at once never take the same place', async () => {
    const ref = { serviceId: seeded.service.id, tokenId: seeded.apiToken.id, key: uniqueName('race') };
    const turn = (content: string) => ({ ...ref, endUserHash: null, retentionDays: 7, messages: [{ role: 'user' as const, content }, { role: 'assistant' as const, content: `re: ${content}` }], startedAt: Date.now(), answeredAt: Date.now() });
    await Promise.all(Array.from({ length: 8 }, (_, i) => writeTurns([turn(`m${i}`)])));
    const row = await conversationRow(ref.key);
    assert.equal(row.messageCount, 16);
    assert.deepEqual(row.messages.map((m) => m.seq), Array.from({ length: 16 }, (_, i) => i));
  });
});

describe('refusals', () => {
  test('a service without the store, a bad name, and a history that cannot be read are refused, not silently sent without it', async () => {
    const off = await chat({ model: plain.service.name, messages: [{ role: 'user', content: 'hi' }] }, { 'x-standby-conversation': 'x1' }, plain.token);
    assert.equal(off.status, 400);
    assert.equal(off.json!.error!.code, 'conversation_store_off');
    assert.equal((await chat({ messages: [{ role: 'user', content: 'hi' }] }, { 'x-standby-conversation': 'bad name!' })).json!.error!.code, 'invalid_conversation');

    const broken = new ConversationStore({ load: () => Promise.reject(new Error('connection refused')), write: writeTurns }, { flushMs: 20 });
    const brokenServer = startGateway(broken);
    await new Promise<void>((resolve) => brokenServer.listen(0, '127.0.0.1', resolve));
    try {
      hits.length = 0;
      const refused = await chat({ messages: [{ role: 'user', content: 'hi' }] }, { 'x-standby-conversation': 'not-cached' }, seeded.token, `http://127.0.0.1:${(brokenServer.address() as AddressInfo).port}`);
      assert.equal(refused.status, 503);
      assert.equal(refused.json!.error!.code, 'conversation_store_unavailable');
      assert.equal(refused.headers.get('retry-after'), '5');
      assert.equal(hits.length, 0, 'nothing went upstream without its history');
    } finally {
      brokenServer.closeAllConnections();
      await new Promise<void>((resolve) => brokenServer.close(() => resolve()));
    }
  });
});

describe('export, deletion, retention and the measured RPO', () => {
  const routes = conversationRoutes('/api/v1/conversations/[key]', (p) => p.key ?? null);
  const collection = conversationRoutes('/api/v1/conversations', () => null);
  const call = (handler: (typeof routes)['GET'], url: string, token: string, key?: string) =>
    handler(new Request(`http://standby.test${url}`, { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve<Record<string, string>>(key ? { key } : {}) });
  async function tokenWith(scopes: string[]) {
    const { token, prefix, tokenHash } = generateToken(randomBytes);
    await db().apiToken.create({ data: { name: uniqueName('conv-token'), prefix, tokenHash, services: [], scopes, createdBy: 'test' } });
    return token;
  }

  test('the client that created a conversation exports it; another client cannot; a manager can', async () => {
    const own = await call(routes.GET, `/api/v1/conversations/session-1?service=${seeded.service.name}`, seeded.token, 'session-1');
    assert.equal(own.status, 200);
    const body = (await own.json()) as { conversations: { messages: { role: string; content: string }[] }[] };
    assert.equal(body.conversations[0].messages[1].content, 'My name is Ada and order 42 is late.');
    assert.equal((await call(routes.GET, `/api/v1/conversations/session-1?service=${seeded.service.name}`, await tokenWith(['gateway']), 'session-1')).status, 404);
    assert.equal((await call(routes.GET, `/api/v1/conversations/session-1?service=${seeded.service.name}`, await tokenWith(['recovery:evidence']), 'session-1')).status, 403);
    assert.equal((await call(routes.GET, `/api/v1/conversations/session-1?service=${seeded.service.name}`, await tokenWith(['conversations:manage']), 'session-1')).status, 200);
    const byUser = await call(collection.GET, '/api/v1/conversations?user=end-user-ada', await tokenWith(['conversations:manage']));
    assert.equal(((await byUser.json()) as { conversations: unknown[] }).conversations.length, 1);
  });

  test('a deletion removes the messages; an answer buffered before it is not written back; a turn after it starts anew', async () => {
    const ref = { serviceId: seeded.service.id, tokenId: seeded.apiToken.id, key: 'session-1' };
    const startedBefore = Date.now() - 1_000;
    const deleted = await call(routes.DELETE, `/api/v1/conversations/session-1?service=${seeded.service.name}`, seeded.token, 'session-1');
    assert.equal(deleted.status, 200);
    assert.deepEqual(((await deleted.json()) as { deleted: unknown }).deleted, { conversations: 1, messages: 7 });
    store.forget({ ref });
    assert.equal(await db().conversationMessage.count({ where: { conversation: { key: 'session-1', serviceId: seeded.service.id } } }), 0);
    const late = { ...ref, endUserHash: null, retentionDays: 7, messages: [{ role: 'user' as const, content: 'late' }, { role: 'assistant' as const, content: 'late answer' }], answeredAt: Date.now() };
    assert.deepEqual(await writeTurns([{ ...late, startedAt: startedBefore }]), { written: 0, dropped: 1 });
    assert.equal(await db().conversationMessage.count({ where: { conversation: { key: 'session-1', serviceId: seeded.service.id } } }), 0);
    const fresh = await chat({ messages: [{ role: 'user', content: 'Hello again' }] }, { 'x-standby-conversation': 'session-1' });
    assert.equal(fresh.headers.get('x-standby-conversation-messages'), '1', 'the deleted history is not sent');
    await store.flush();
    assert.deepEqual((await conversationRow('session-1')).messages.map((m) => m.seq), [0, 1]);
  });

  test('a client that deletes a conversation answered a moment ago, still in a buffer, gets it dropped when the buffer is written', async () => {
    const ref = { serviceId: seeded.service.id, tokenId: seeded.apiToken.id, key: 'just-answered' };
    const startedBefore = Date.now() - 500;
    const deleted = await call(routes.DELETE, `/api/v1/conversations/just-answered?service=${seeded.service.name}`, seeded.token, 'just-answered');
    assert.equal(deleted.status, 200);
    assert.deepEqual(((await deleted.json()) as { deleted: unknown }).deleted, { conversations: 0, messages: 0 });
    const buffered = { ...ref, endUserHash: null, retentionDays: 7, messages: [{ role: 'user' as const, content: 'secret' }, { role: 'assistant' as const, content: 'noted' }], startedAt: startedBefore, answeredAt: Date.now() };
    assert.deepEqual(await writeTurns([buffered]), { written: 0, dropped: 1 });
    assert.equal(await db().conversationMessage.count({ where: { conversation: { key: 'just-answered' } } }), 0);
    assert.equal((await call(routes.GET, `/api/v1/conversations/just-answered?service=${seeded.service.name}`, seeded.token, 'just-answered')).status, 404);
  });

  test('an admin erases an end user\'s conversations, audited without the user id', async () => {
    await chat({ messages: [{ role: 'user', content: 'I am Bob' }], user: 'end-user-bob' }, { 'x-standby-conversation': 'bob-1' });
    await store.flush();
    await rejectsWith(eraseEndUser(users.operator, { user: 'end-user-bob', reason: 'privacy request' }), 'FORBIDDEN');
    assert.deepEqual(await eraseEndUser(users.admin, { user: 'end-user-bob', reason: 'privacy request #12' }), { conversations: 1, messages: 2 });
    const audit = await db().auditLog.findFirstOrThrow({ where: { action: 'conversations.erase_end_user' }, orderBy: { id: 'desc' } });
    assert.ok(![audit.entityName, audit.reason, JSON.stringify(audit.after)].join(' ').includes('end-user-bob'));
    assert.deepEqual(await deleteConversations({ user: 'end-user-bob' }), { conversations: 0, messages: 0 });
  });

  test('conversations past their retention are purged', async () => {
    await chat({ messages: [{ role: 'user', content: 'old news' }] }, { 'x-standby-conversation': 'old-1' });
    await store.flush();
    await db().conversation.updateMany({ where: { key: 'old-1' }, data: { lastMessageAt: new Date(Date.now() - 8 * 86_400_000) } });
    assert.ok((await purgeExpiredConversations()) >= 1);
    assert.equal(await db().conversation.count({ where: { key: 'old-1' } }), 0);
  });

  test('the time from an answer\'s last byte to its durable write is reported as the conversation history\'s RPO', async () => {
    await store.reportLags();
    const mine = reported.filter((r) => r.service === seeded.service.name);
    assert.ok(mine.length >= 1);
    assert.ok(mine[0].answers >= 3);
    assert.ok(mine[0].maxMs >= 0 && mine[0].maxMs < 10_000);
    await recordEvidence([{ component: conversationComponentName(seeded.service.name), kind: 'conversation_write', ok: true, lagMs: Math.round(mine[0].maxMs) }], 'standby');
    const evidence = await db().recoveryEvidence.findFirstOrThrow({ where: { component: { name: conversationComponentName(seeded.service.name) } } });
    assert.equal(evidence.continuous, true);
  });
});

describe('the conversation store as a recovery component', () => {
  test('turning a store on brings its component at once, and turning it off retires it, in the same change', async () => {
    const component = () => db().recoveryComponent.findUnique({ where: { name: conversationComponentName(plain.service.name) }, select: { kind: true, retiredAt: true } });
    const version = async () => (await db().service.findUniqueOrThrow({ where: { id: plain.service.id }, select: { version: true } })).version;
    await setConversationStore(users.admin, { serviceId: plain.service.id, expectedVersion: await version(), store: true, retentionDays: 3, reason: 'trial' });
    assert.deepEqual(await component(), { kind: 'conversation_history', retiredAt: null });
    await setConversationStore(users.admin, { serviceId: plain.service.id, expectedVersion: await version(), store: false, retentionDays: 3, reason: 'trial over' });
    assert.ok((await component())?.retiredAt, 'retired, kept for past reports');
  });
});
