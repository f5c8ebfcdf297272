// Incidents and runbooks on real PostgreSQL with the real data plane (issue
// 13): the gateway as scripts/standby.ts runs it, upstreams that fail and
// heal on command, the leader's incident loop run pass by pass. A provider
// outage opens an incident by itself; an action step moves traffic, checked
// through the gateway; a check step turns green when the fault is healed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_FAILOVER_ON } from '@/lib/failover/schemas';
import { startDataPlane, type DataPlane } from '@/lib/gateway/runtime';
import { waitFor } from '@/test/gateway-harness';
import { installLibraryIn, createRunbook } from '@/lib/runbooks/mutations';
import { SYSTEM_ACTOR } from '@/lib/server/auth';
import { db } from '@/lib/server/db';
import { inTransaction } from '@/lib/server/mutation';
import { createTestUsers, rejectsWith, seedRoutedService, uniqueName, type TestUsers } from '@/test/fixtures';
import { getIncident, getTimeline } from './data';
import { acknowledgeIncident, addNote, chooseDecision, correctTime, finishStep, openIncident, runActionStep, setSeverity } from './mutations';
import { runIncidentPass } from './watch-task';

type Seeded = Awaited<ReturnType<typeof seedRoutedService>>;

let upstream: http.Server;
let gateway: http.Server;
let plane: DataPlane;
let origin: string;
let users: TestUsers;
/** Upstream names that answer 503 while listed. */
const failing = new Set<string>();
const served: { name: string; at: number }[] = [];

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

before(async () => {
  upstream = http.createServer((req, res) => {
    const name = /^\/simulated\/([^/]+)\//.exec(req.url ?? '')?.[1] ?? '?';
    req.resume();
    req.on('end', () => {
      if (failing.has(name)) {
        res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'upstream down', type: 'server_error' } }));
        return;
      }
      served.push({ name, at: Date.now() });
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ id: 'x', object: 'chat.completion', created: 1, model: name, choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }),
      );
    });
  });
  origin = await listen(upstream);
  users = await createTestUsers();
  await inTransaction((tx) => installLibraryIn(tx, SYSTEM_ACTOR));
  plane = await startDataPlane();
  gateway = http.createServer((req, res) => {
    void plane.handle(req, res, (req.url ?? '/').split('?')[0]).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  origin = await listen(gateway);
});

after(async () => {
  for (const server of [gateway, upstream]) {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
  await plane?.close();
  await db().$disconnect();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function seedService(prefix: string): Promise<Seeded> {
  const upstreamOrigin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const seeded = await seedRoutedService(upstreamOrigin, prefix, { maxRetries: 0, baseBackoffMs: 10, failoverOn: [...DEFAULT_FAILOVER_ON] });
  // A short open time, so the breaker tries the healed primary within the test; no probes meanwhile.
  await db().target.updateMany({ where: { id: { in: seeded.targets.map((t) => t.id) } }, data: { breakerOpenMs: 1_500, probeIntervalMs: 600_000 } });
  await waitFor('the service in the snapshot', () => plane.snapshots.get()?.services.has(seeded.service.name) && plane.snapshots.get()?.tokens.has(seeded.tokenHash), 10_000);
  return seeded;
}

async function ask(seeded: Seeded): Promise<{ status: number; target: string | null }> {
  const response = await fetch(`${origin}/api/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${seeded.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: seeded.service.name, messages: [{ role: 'user', content: 'hello' }] }),
  });
  await response.arrayBuffer();
  return { status: response.status, target: response.headers.get('x-standby-target') };
}

/** Sends requests until `until` holds (or it times out). */
async function trafficUntil(seeded: Seeded, what: string, until: () => Promise<unknown>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await ask(seeded);
    if (await until()) return;
    await sleep(20);
  }
  assert.fail(`timed out waiting for ${what}`);
}

const stepRunOf = async (incidentId: string, key: string) => {
  const incident = (await getIncident(incidentId))!;
  const step = incident.runbooks.flatMap((r) => r.steps).find((s) => s.key === key);
  assert.ok(step, `step ${key} is attached`);
  return step;
};

describe('a provider outage, end to end', () => {
  let seeded: Seeded;
  let incidentId: string;

  test('opens an incident by itself, with the provider-outage runbook attached, and later signals join it', async () => {
    seeded = await seedService('outage');
    const [primary] = seeded.targets;
    failing.add(primary.name);
    await trafficUntil(seeded, "the primary's breaker to open", () => db().targetBreaker.findFirst({ where: { targetId: primary.id, state: 'open' } }));
    const stateId = uniqueName('test-watch');
    const pass = await runIncidentPass({ stateId, config: { primaryOpenMs: 0, unservableMs: 5_000 }, evaluateChecks: false });
    assert.ok(pass.opened.length >= 1, 'an incident was opened');
    const incidents = await db().incident.findMany({ where: { serviceId: seeded.service.id } });
    assert.equal(incidents.length, 1);
    const [incident] = incidents;
    incidentId = incident.id;
    assert.equal(incident.openedVia, 'primary_breaker');
    assert.equal(incident.openedBy, 'system');
    assert.equal(incident.failureMode, 'provider_outage');
    assert.equal(incident.acknowledgedAt, null, 'nobody has assessed it yet');
    assert.equal(incident.suggestedSeverity, incident.severity);
    assert.ok(incident.severityReasons.length > 0);
    const view = (await getIncident(incident.id))!;
    assert.deepEqual(view.runbooks.map((r) => r.name), ['Provider outage'], 'attached by its conditions');
    const timeline = await getTimeline(incident.id);
    assert.ok(timeline.events.some((e) => e.kind === 'opened' && e.actor === 'system'));
    assert.ok(timeline.events.some((e) => e.kind === 'breaker' && e.text.startsWith(`Breaker of ${primary.name} opened`)), 'the breaker opening is on the timeline at its own time');

    // A page alert for the same service joins it; the breaker signal is not handled twice.
    await db().alertEvent.create({ data: { serviceId: seeded.service.id, kind: 'burn_rate', severity: 'page', rule: 'page-1h', longBurn: 20, shortBurn: 30 } });
    await runIncidentPass({ stateId, config: { primaryOpenMs: 0, unservableMs: 5_000 }, evaluateChecks: false });
    assert.equal(await db().incident.count({ where: { serviceId: seeded.service.id } }), 1, 'no second incident');
    assert.ok((await db().incidentSignal.findMany({ where: { incidentId } })).some((s) => s.rule === 'page_alert'));
    assert.ok((await getTimeline(incidentId)).events.some((e) => e.kind === 'alert'));
  });

  test('a check step turns green by itself once the fault is healed', async () => {
    const runbook = await createRunbook(users.commander, {
      name: uniqueName('Healing check'), failureMode: 'provider_outage',
      steps: [{ key: 'healed', kind: 'check', title: 'Primary breaker closed', params: { metric: 'breaker_closed', forMinutes: 0 } }],
    });
    const { attachRunbook } = await import('./mutations');
    await attachRunbook(users.commander, { incidentId, runbookId: runbook.id });
    await runIncidentPass({ stateId: uniqueName('test-watch'), config: { primaryOpenMs: 0, unservableMs: 5_000 } });
    let check = await stepRunOf(incidentId, 'healed');
    assert.equal(check.status, 'running', 'watched as soon as it is ready');
    assert.equal(check.evaluation?.met, false);
    assert.match(check.evaluation!.value, /open|half-open/);

    failing.delete(seeded.targets[0].name);
    await trafficUntil(seeded, 'the healed primary to close its breaker', () => db().targetBreaker.findFirst({ where: { targetId: seeded.targets[0].id, state: 'closed' } }), 20_000);
    await runIncidentPass({ stateId: uniqueName('test-watch'), config: { primaryOpenMs: 0, unservableMs: 5_000 } });
    check = await stepRunOf(incidentId, 'healed');
    assert.equal(check.status, 'done');
    assert.equal(check.finishedBy, 'standby');
    assert.ok((await getTimeline(incidentId)).events.some((e) => e.text.startsWith('Check "Primary breaker closed" met')));
  });
});

describe('runbook steps that act on the gateway', () => {
  test('a drain step moves traffic off the primary, through the same mutation as the service page, audited with the incident', async () => {
    const seeded = await seedService('steer');
    const [primary, secondary] = seeded.targets;
    assert.equal((await ask(seeded)).target, primary.name);
    const runbook = await createRunbook(users.commander, {
      name: uniqueName('Drain'), failureMode: 'regional_outage',
      steps: [{ key: 'drain', kind: 'action', title: 'Drain the primary', params: { action: 'drain' } }],
    });
    const opened = await openIncident(users.commander, { title: 'us-east degraded', serviceId: seeded.service.id, severity: 'P2', failureMode: 'regional_outage', runbookId: runbook.id });
    const step = await stepRunOf(opened.id, 'drain');
    assert.deepEqual(step.prepared.action, { action: 'drain', serviceId: seeded.service.id, targetId: primary.id }, "blank parameters are the incident's service and its primary");
    const service = await db().service.findUniqueOrThrow({ where: { id: seeded.service.id }, select: { routingVersion: true } });

    // A viewer can see it but not run it.
    await rejectsWith(runActionStep(users.viewer, { stepRunId: step.runId, expectedVersion: step.version, values: { action: 'drain', serviceId: seeded.service.id, targetId: primary.id, expectedRoutingVersion: service.routingVersion }, reason: 'move off us-east' }), 'FORBIDDEN');
    // A stale preview is refused and leaves the step as it was.
    await rejectsWith(runActionStep(users.commander, { stepRunId: step.runId, expectedVersion: step.version, values: { action: 'drain', serviceId: seeded.service.id, targetId: primary.id, expectedRoutingVersion: service.routingVersion - 1 + 100 }, reason: 'move off us-east' }), 'CONFLICT');
    assert.equal((await stepRunOf(opened.id, 'drain')).status, 'pending');

    const result = await runActionStep(users.commander, { stepRunId: step.runId, expectedVersion: step.version, values: { action: 'drain', serviceId: seeded.service.id, targetId: primary.id, expectedRoutingVersion: service.routingVersion }, reason: 'move off us-east' });
    assert.match(result.summary, new RegExp(`serving ${secondary.name}`));
    await waitFor('the drain in the gateway', async () => (await ask(seeded)).target === secondary.name, 10_000, 50);

    const done = await stepRunOf(opened.id, 'drain');
    assert.equal(done.status, 'done');
    assert.equal(done.finishedBy, users.commander.email);
    const audit = await db().auditLog.findFirstOrThrow({ where: { action: 'routing.drain', entityId: primary.id }, orderBy: { id: 'desc' } });
    assert.match(audit.reason ?? '', new RegExp(`^${(await getIncident(opened.id))!.publicId}, step 1 "Drain the primary"`), 'the steering audit names the incident and the step');
    assert.ok((await getTimeline(opened.id)).events.some((e) => e.kind === 'step' && e.text.includes('ran step 1 "Drain the primary"')));
    // Done is done: a second run is refused with who did it.
    await rejectsWith(runActionStep(users.commander, { stepRunId: step.runId, expectedVersion: done.version, values: { action: 'drain', serviceId: seeded.service.id, targetId: primary.id, expectedRoutingVersion: service.routingVersion + 1 }, reason: 'again' }), 'CONFLICT');
  });

  test('an operator may run a steering step but not run the incident; a viewer may do neither', async () => {
    const seeded = await seedService('operator');
    const runbook = await createRunbook(users.operator, { name: uniqueName('Pin'), failureMode: 'provider_outage', steps: [{ key: 'pin', kind: 'action', title: 'Pin to the secondary', params: { action: 'pin' } }] });
    await rejectsWith(openIncident(users.operator, { title: 'operator tries', serviceId: seeded.service.id, severity: 'P3' }), 'FORBIDDEN');
    await rejectsWith(openIncident(users.viewer, { title: 'viewer tries', serviceId: seeded.service.id, severity: 'P3' }), 'FORBIDDEN');
    const opened = await openIncident(users.admin, { title: 'pinned', serviceId: seeded.service.id, severity: 'P3', runbookId: runbook.id });
    const incident = (await getIncident(opened.id))!;
    await rejectsWith(setSeverity(users.operator, { incidentId: opened.id, expectedVersion: incident.version, severity: 'P1' }), 'FORBIDDEN');
    await rejectsWith(addNote(users.viewer, { incidentId: opened.id, text: 'viewer note' }), 'FORBIDDEN');
    await addNote(users.operator, { incidentId: opened.id, text: 'operator watching the secondary' });
    const step = await stepRunOf(opened.id, 'pin');
    const { routingVersion } = await db().service.findUniqueOrThrow({ where: { id: seeded.service.id }, select: { routingVersion: true } });
    await runActionStep(users.operator, { stepRunId: step.runId, expectedVersion: step.version, values: { action: 'pin', serviceId: seeded.service.id, targetId: seeded.targets[1].id, expectedRoutingVersion: routingVersion }, reason: 'pin while primary is investigated' });
    await waitFor('the pin in the gateway', async () => (await ask(seeded)).target === seeded.targets[1].name, 10_000, 50);
  });
});

describe('two commanders at once', () => {
  test('versioned fields: of two severity changes from the same version one wins, the other is told what changed', async () => {
    const opened = await openIncident(users.commander, { title: 'race', severity: 'P3' });
    const { version } = (await getIncident(opened.id))!;
    const other = { ...users.admin };
    const results = await Promise.allSettled([
      setSeverity(users.commander, { incidentId: opened.id, expectedVersion: version, severity: 'P1' }),
      setSeverity(other, { incidentId: opened.id, expectedVersion: version, severity: 'P2' }),
    ]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.match(refused.reason.message, /changed this incident a moment ago: .* changed the severity from P3 to P[12]/);
  });

  test('a decision is taken once; it sets the severity, attaches the runbook it names and skips the steps it leaves out', async () => {
    const regional = await db().runbook.findUniqueOrThrow({ where: { name: 'Regional outage' }, select: { id: true } });
    const runbook = await createRunbook(users.commander, {
      name: uniqueName('Decide'), failureMode: 'provider_outage',
      steps: [
        { key: 'scope', kind: 'decision', title: 'How far?', params: { question: 'One region?', options: [{ label: 'One region', setSeverity: 'P1', attachRunbookId: regional.id, skipStepKeys: ['whole'] }, { label: 'Everything' }] } },
        { key: 'whole', kind: 'instruction', title: 'Call the provider', body: 'Phone them.' },
      ],
    });
    const opened = await openIncident(users.commander, { title: 'decide', severity: 'P3', runbookId: runbook.id });
    const step = await stepRunOf(opened.id, 'scope');
    const both = await Promise.allSettled([
      chooseDecision(users.commander, { stepRunId: step.runId, expectedVersion: step.version, option: 0 }),
      chooseDecision(users.admin, { stepRunId: step.runId, expectedVersion: step.version, option: 1 }),
    ]);
    assert.equal(both.filter((r) => r.status === 'fulfilled').length, 1, 'one choice wins');
    const view = (await getIncident(opened.id))!;
    const decided = view.runbooks.flatMap((r) => r.steps).find((s) => s.key === 'scope')!;
    if (decided.result.option === 0) {
      assert.equal(view.severity, 'P1');
      assert.ok(view.runbooks.some((r) => r.name === 'Regional outage'));
      assert.equal(view.runbooks.flatMap((r) => r.steps).find((s) => s.key === 'whole')?.status, 'skipped');
    } else assert.equal(view.severity, 'P3');
    await rejectsWith(finishStep(users.commander, { stepRunId: step.runId, expectedVersion: decided.version, outcome: 'done' }), 'CONFLICT');
  });

  test('the timeline is append-only: entries cannot be edited or deleted, only their time corrected with a reason', async () => {
    const opened = await openIncident(users.commander, { title: 'append only', severity: 'P3' });
    await acknowledgeIncident(users.commander, { incidentId: opened.id, expectedVersion: 1 }).catch(() => {}); // opened by a person: already acknowledged
    await addNote(users.commander, { incidentId: opened.id, text: 'called the provider' });
    const note = await db().timelineEvent.findFirstOrThrow({ where: { incidentId: opened.id, kind: 'note' } });
    await assert.rejects(db().$executeRawUnsafe(`UPDATE "TimelineEvent" SET text = 'rewritten' WHERE id = ${note.id}`), /append-only/);
    await assert.rejects(db().$executeRawUnsafe(`DELETE FROM "TimelineEvent" WHERE id = ${note.id}`), /cannot be deleted/);
    await correctTime(users.commander, { eventId: note.id.toString(), at: '2026-01-02 03:04:05', reason: 'the call was before the page' });
    const corrected = await db().timelineEvent.findUniqueOrThrow({ where: { id: note.id } });
    assert.equal(corrected.at.toISOString(), '2026-01-02T03:04:05.000Z');
    assert.equal(corrected.originalAt?.getTime(), note.at.getTime(), 'the time it had is kept');
    assert.equal(corrected.correctedBy, users.commander.email);
    await rejectsWith(correctTime(users.commander, { eventId: note.id.toString(), at: '2999-01-01 00:00:00', reason: 'future' }), 'INVALID');
  });
});
