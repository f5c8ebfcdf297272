// Notify steps and the live stream on real PostgreSQL: a webhook receiver
// started by the test that fails before it answers, the leader's delivery
// loop run pass by pass with the clock moved on (no waiting on backoff), and
// a page's SSE stream following an incident.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRunbook, createWebhook } from '@/lib/runbooks/mutations';
import { listWebhooks } from '@/lib/runbooks/data';
import { db } from '@/lib/server/db';
import { allowLoopbackEndpoints, createTestUsers, rejectsWith, uniqueName, type TestUsers } from '@/test/fixtures';
import { getIncident, getTimeline } from './data';
import { backoffMs, deliverDue } from './deliveries';
import { closeLiveHub, liveResponse } from './live-hub';
import { addNote, openIncident, runNotifyStep, setSeverity } from './mutations';

type Received = { path: string; body: Record<string, unknown> };

let receiver: http.Server;
let base: string;
let users: TestUsers;
const received: Received[] = [];
/** How many more requests each path fails with 500 before answering 200. */
const failuresLeft = new Map<string, number>();

before(async () => {
  receiver = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const left = failuresLeft.get(path) ?? 0;
      if (left > 0) {
        failuresLeft.set(path, left - 1);
        res.writeHead(500).end('temporarily broken');
        return;
      }
      received.push({ path, body: JSON.parse(raw) });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  await allowLoopbackEndpoints();
  users = await createTestUsers();
});

after(async () => {
  await closeLiveHub();
  receiver.closeAllConnections();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  await db().$disconnect();
});

async function notifyIncident(webhookName: string, secretPath: string) {
  const hook = await createWebhook(users.admin, { name: webhookName, kind: 'slack', url: `${base}${secretPath}` });
  const runbook = await createRunbook(users.commander, { name: uniqueName('Tell'), failureMode: 'provider_outage', steps: [{ key: 'tell', kind: 'notify', title: 'Tell #incidents', params: { message: '{incident} {severity}: {title}' } }] });
  const opened = await openIncident(users.commander, { title: 'webhooks', severity: 'P2', runbookId: runbook.id });
  const step = (await getIncident(opened.id))!.runbooks[0].steps[0];
  return { hook, opened, step };
}

test('a notification is queued, never sent on the request path, and delivered with retries and backoff, each attempt on the timeline', async () => {
  const secretPath = `/services/T000/B000/${uniqueName('secret')}`;
  failuresLeft.set(secretPath, 2);
  const { hook, opened, step } = await notifyIncident(uniqueName('incidents'), secretPath);
  await rejectsWith(runNotifyStep(users.viewer, { stepRunId: step.runId, expectedVersion: step.version, webhookId: hook.id, message: 'x' }), 'FORBIDDEN');
  await runNotifyStep(users.commander, { stepRunId: step.runId, expectedVersion: step.version, webhookId: hook.id, message: '{incident} {severity}: {title}' });
  assert.equal(received.filter((r) => r.path === secretPath).length, 0, 'the step only queued it');
  assert.equal((await getIncident(opened.id))!.runbooks[0].steps[0].status, 'running');

  let now = Date.now();
  assert.deepEqual(await deliverDue(now), { delivered: 0, failed: 1 });
  assert.deepEqual(await deliverDue(now), { delivered: 0, failed: 0 }, 'not due again before its backoff');
  now += backoffMs(1) + 1_000;
  assert.deepEqual(await deliverDue(now), { delivered: 0, failed: 1 });
  now += backoffMs(2) + 1_000;
  assert.deepEqual(await deliverDue(now), { delivered: 1, failed: 0 });

  const got = received.find((r) => r.path === secretPath);
  const publicId = (await getIncident(opened.id))!.publicId;
  assert.deepEqual(got?.body, { text: `${publicId} P2: webhooks` }, 'Slack-compatible: the rendered text');
  const view = (await getIncident(opened.id))!;
  assert.equal(view.runbooks[0].steps[0].status, 'done');
  const texts = (await getTimeline(opened.id)).events.map((e) => e.text);
  assert.ok(texts.some((t) => /^Attempt 1 of 6 to .* failed: HTTP 500: temporarily broken; next try in 1 s$/.test(t)), texts.join('\n'));
  assert.ok(texts.some((t) => /^Attempt 2 of 6 .* next try in 2 s$/.test(t)));
  assert.ok(texts.some((t) => t.startsWith(`Delivered to ${hook.name} on attempt 3`)));

  // The URL is a secret: nowhere in the audit log, the timeline or what the page reads.
  const secret = secretPath.split('/').at(-1)!;
  const audit = await db().auditLog.findMany({ where: { entityId: hook.id } });
  assert.ok(audit.length > 0 && audit.every((a) => !JSON.stringify(a.after).includes(secret)));
  assert.ok(texts.every((t) => !t.includes(secret)));
  const listed = (await listWebhooks()).find((w) => w.id === hook.id)!;
  assert.ok(!JSON.stringify(listed).includes(secret));
  assert.match(listed.urlHint, /^127\.0\.0\.1:\d+ …/);
  const stored = await db().notificationWebhook.findUniqueOrThrow({ where: { id: hook.id } });
  assert.ok(!stored.urlCiphertext.includes(secret), 'encrypted at rest');
});

test('a webhook that keeps failing is given up on after its attempts, and the step is marked failed', async () => {
  const secretPath = `/hooks/${uniqueName('broken')}`;
  failuresLeft.set(secretPath, 1_000);
  const { hook, opened, step } = await notifyIncident(uniqueName('broken'), secretPath);
  await runNotifyStep(users.commander, { stepRunId: step.runId, expectedVersion: step.version, webhookId: hook.id, message: 'down' });
  let now = Date.now();
  for (let attempt = 1; attempt <= 6; attempt += 1) {
    assert.equal((await deliverDue(now)).failed, 1, `attempt ${attempt}`);
    now += backoffMs(attempt) + 1_000;
  }
  assert.deepEqual(await deliverDue(now + 3_600_000), { delivered: 0, failed: 0 }, 'nothing left to try');
  assert.equal((await getIncident(opened.id))!.runbooks[0].steps[0].status, 'failed');
  assert.ok((await getTimeline(opened.id)).events.some((e) => e.text.startsWith(`Gave up delivering to ${hook.name} after 6 attempts: HTTP 500`)));
});

test('a webhook pointing at a private address nobody allowed is refused when sent, not reached', async () => {
  await db().setting.update({ where: { key: 'endpoints.privateNetworks' }, data: { value: { networks: [] } } });
  try {
    const secretPath = `/hooks/${uniqueName('private')}`;
    const { hook, step } = await notifyIncident(uniqueName('private'), secretPath);
    await runNotifyStep(users.commander, { stepRunId: step.runId, expectedVersion: step.version, webhookId: hook.id, message: 'inside' });
    assert.equal((await deliverDue(Date.now())).failed, 1);
    assert.equal(received.filter((r) => r.path === secretPath).length, 0);
    const delivery = await db().notificationDelivery.findFirstOrThrow({ where: { webhookId: hook.id } });
    assert.match(delivery.lastError ?? '', /127\.0\.0\.1 is/);
  } finally {
    await allowLoopbackEndpoints();
  }
});

type Sse = { event: string; data: unknown; id?: string };

/** Reads server-sent events from a stream; `until` waits for an event matching what the test expects. */
function sseReader(response: Response) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const events: Sse[] = [];
  let buffer = '';
  return {
    events,
    async until(match: (events: Sse[]) => boolean, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!match(events)) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events)}`);
        let timer: NodeJS.Timeout | undefined;
        const chunk = await Promise.race([reader.read(), new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timed out reading the stream')), left)))]).finally(() => clearTimeout(timer));
        if (chunk.done) break;
        buffer += decoder.decode(chunk.value, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':') && l.includes(': ')).map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]));
          if (fields.event) events.push({ event: fields.event, data: JSON.parse(fields.data ?? 'null'), id: fields.id });
        }
      }
      return events;
    },
    cancel: () => reader.cancel(),
  };
}

test('the live stream pushes a new timeline entry whole, other changes as "changed", and replays what a reconnecting page missed', async () => {
  const opened = await openIncident(users.commander, { title: 'live', severity: 'P3' });
  const abort = new AbortController();
  const response = liveResponse(opened.id, abort.signal, null);
  assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const stream = sseReader(response);
  await stream.until((e) => e.some((x) => x.event === 'ready'));
  await addNote(users.commander, { incidentId: opened.id, text: 'live note' });
  const events = await stream.until((e) => e.some((x) => x.event === 'timeline'));
  const pushed = events.find((x) => x.event === 'timeline')!;
  assert.equal((pushed.data as { text: string }[])[0].text, 'live note');
  await setSeverity(users.commander, { incidentId: opened.id, expectedVersion: 1, severity: 'P2' });
  await stream.until((e) => e.some((x) => x.event === 'changed' && (x.data as { what: string }).what === 'Incident'));
  abort.abort();
  await stream.cancel();

  // A page that comes back with the last entry it had gets everything after it.
  await addNote(users.commander, { incidentId: opened.id, text: 'while away' });
  const again = sseReader(liveResponse(opened.id, new AbortController().signal, BigInt(pushed.id!)));
  const replay = await again.until((e) => e.some((x) => x.event === 'ready'));
  const texts = replay.filter((x) => x.event === 'timeline').flatMap((x) => (x.data as { text: string }[]).map((t) => t.text));
  assert.ok(texts.includes('while away'));
  assert.ok(!texts.includes('live note'), 'not what it already had');
  await again.cancel();
});
