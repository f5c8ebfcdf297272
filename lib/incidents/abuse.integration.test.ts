// Incidents under attack (issue 13, "attack what you build"): several
// commanders pressing the same button at once, a viewer trying every change,
// and hostile input in the fields. On real PostgreSQL, without a data plane:
// the mutations are what a server action calls.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRunbook, installLibraryIn } from '@/lib/runbooks/mutations';
import * as runbookMutations from '@/lib/runbooks/mutations';
import { retireModel, revertRetirement } from '@/lib/failover/retirement';
import { SYSTEM_ACTOR } from '@/lib/server/auth';
import { db } from '@/lib/server/db';
import { AppError } from '@/lib/server/errors';
import { inTransaction } from '@/lib/server/mutation';
import { createTestUsers, rejectsWith, seedRoutedService, uniqueName, type TestUsers } from '@/test/fixtures';
import { getIncident, getTimeline } from './data';
import * as mutations from './mutations';
import { acknowledgeIncident, addNote, chooseDecision, correctTime, createIncidentIn, finishStep, openIncident, runActionStep, startStep } from './mutations';

let users: TestUsers;

before(async () => {
  users = await createTestUsers();
  await inTransaction((tx) => installLibraryIn(tx, SYSTEM_ACTOR));
});

after(async () => {
  // The runbooks made here match any provider outage: archived, so later files' incidents attach the library's.
  await db().runbook.updateMany({ where: { name: { startsWith: 'abuse-' } }, data: { archivedAt: new Date() } });
  await db().$disconnect();
});

/** An incident Standby opened by itself: nobody has acknowledged it yet. */
async function openedByStandby(title: string) {
  return inTransaction((tx) => createIncidentIn(tx, SYSTEM_ACTOR, { title, severity: 'P2', suggested: null, acknowledged: false, openedVia: 'primary_breaker', openedAt: new Date(), serviceId: null, serviceName: null, failureMode: null, targetIds: [] }));
}

async function stepOf(incidentId: string, key: string) {
  const step = (await getIncident(incidentId))!.runbooks.flatMap((r) => r.steps).find((s) => s.key === key);
  assert.ok(step, `step ${key} is attached`);
  return step;
}

const countRows = async () => ({
  incidents: await db().incident.count(),
  timeline: await db().timelineEvent.count(),
  audit: await db().auditLog.count(),
  runbooks: await db().runbookVersion.count(),
  webhooks: await db().notificationWebhook.count(),
  followUps: await db().followUp.count(),
  postmortems: await db().postmortem.count(),
  overrides: await db().routingOverride.count(),
  retirements: await db().modelRetirement.count(),
});

describe('several commanders at the same button', () => {
  test('five acknowledgements at once: one commander takes command, one entry, one audit row', async () => {
    const incident = await openedByStandby(uniqueName('ack-race'));
    const callers = [users.commander, users.admin, { ...users.commander }, { ...users.admin }, users.commander];
    const results = await Promise.allSettled(callers.map((caller) => acknowledgeIncident(caller, { incidentId: incident.id, expectedVersion: 1 })));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, 'exactly one acknowledgement wins');
    for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof AppError && r.reason.code === 'CONFLICT', `the others are told someone was first, not ${String(r.reason)}`);
    const view = (await getIncident(incident.id))!;
    assert.ok(view.acknowledgedAt && view.acknowledgedBy);
    assert.equal(await db().timelineEvent.count({ where: { incidentId: incident.id, kind: 'acknowledged' } }), 1);
    assert.equal(await db().auditLog.count({ where: { entityId: incident.id, action: { contains: 'acknowledge' } } }), 1);
  });

  test('one step finished five times at once is finished once; starting it again afterwards is refused', async () => {
    const runbook = await createRunbook(users.commander, { name: uniqueName('abuse-race'), failureMode: 'provider_outage', steps: [{ key: 'call', kind: 'instruction', title: 'Call the provider', body: 'Phone them.' }] });
    const opened = await openIncident(users.commander, { title: uniqueName('step-race'), severity: 'P3', runbookId: runbook.id });
    const step = await stepOf(opened.id, 'call');
    const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => finishStep(i % 2 ? users.admin : users.commander, { stepRunId: step.runId, expectedVersion: step.version, outcome: 'done' })));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const entries = (await getTimeline(opened.id)).events.filter((e) => e.kind === 'step' && e.text.includes('"Call the provider"'));
    assert.equal(entries.length, 1, 'one timeline entry for the step');
    const done = await stepOf(opened.id, 'call');
    assert.equal(done.status, 'done');
    await rejectsWith(startStep(users.commander, { stepRunId: step.runId, expectedVersion: done.version }), 'CONFLICT');
  });

  test('two commanders run the same force-failover step at once: traffic is steered once', async () => {
    const seeded = await seedRoutedService('http://127.0.0.1:9', 'abuse');
    const runbook = await createRunbook(users.commander, { name: uniqueName('abuse-force'), failureMode: 'provider_outage', steps: [{ key: 'force', kind: 'action', title: 'Force failover', params: { action: 'force_failover' } }] });
    const opened = await openIncident(users.commander, { title: uniqueName('action-race'), serviceId: seeded.service.id, severity: 'P2', runbookId: runbook.id });
    const step = await stepOf(opened.id, 'force');
    const { routingVersion } = await db().service.findUniqueOrThrow({ where: { id: seeded.service.id }, select: { routingVersion: true } });
    const input = { stepRunId: step.runId, expectedVersion: step.version, values: { action: 'force_failover', serviceId: seeded.service.id, expectedRoutingVersion: routingVersion }, reason: 'primary is down' };
    const results = await Promise.allSettled([runActionStep(users.commander, input), runActionStep(users.admin, input), runActionStep(users.operator, input)]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, 'one run steers');
    assert.equal(await db().routingOverride.count({ where: { serviceId: seeded.service.id, clearedAt: null } }), 1, 'one forced failover in force');
    assert.equal((await stepOf(opened.id, 'force')).status, 'done');
  });

  test('a retirement and its revert pressed twice each: one retirement, one revert', async () => {
    const seeded = await seedRoutedService('http://127.0.0.1:9', 'retire-race');
    const [primary, secondary] = seeded.targets;
    const retired = await Promise.allSettled([1, 2].map(() => retireModel(users.commander, { targetId: primary.id, reason: 'unsafe output' })));
    assert.equal(retired.filter((r) => r.status === 'fulfilled').length, 1);
    const chain = await db().chainEntry.findMany({ where: { serviceId: seeded.service.id }, select: { targetId: true } });
    assert.deepEqual(chain.map((e) => e.targetId), [secondary.id]);
    const { id } = await db().modelRetirement.findFirstOrThrow({ where: { targetIds: { has: primary.id } }, select: { id: true } });
    const reverted = await Promise.allSettled([1, 2].map(() => revertRetirement(users.commander, { retirementId: id, reason: 'false alarm' })));
    assert.equal(reverted.filter((r) => r.status === 'fulfilled').length, 1);
    assert.equal(await db().chainEntry.count({ where: { serviceId: seeded.service.id } }), 2, 'the chain is back, once');
  });
});

describe('a viewer, and nobody at all', () => {
  test('every incident and runbook change is refused to a viewer and to a caller without a session, and nothing is written', async () => {
    const runbook = await createRunbook(users.commander, { name: uniqueName('abuse-viewer'), failureMode: 'provider_outage', steps: [{ key: 'call', kind: 'instruction', title: 'Call' }] });
    const opened = await openIncident(users.commander, { title: uniqueName('viewer'), severity: 'P3', runbookId: runbook.id });
    const step = await stepOf(opened.id, 'call');
    const note = await addNote(users.commander, { incidentId: opened.id, text: 'a note' }).then(() => db().timelineEvent.findFirstOrThrow({ where: { incidentId: opened.id, kind: 'note' } }));
    // Plausible inputs, so that a refusal is about who asks, not about what.
    const inputs: Record<string, unknown> = {
      openIncident: { title: 'viewer opens', severity: 'P3' },
      acknowledgeIncident: { incidentId: opened.id, expectedVersion: 1 },
      setSeverity: { incidentId: opened.id, expectedVersion: 1, severity: 'P0' },
      setStatus: { incidentId: opened.id, expectedVersion: 1, status: 'resolved' },
      assignRole: { incidentId: opened.id, expectedVersion: 1, role: 'commander', userId: users.viewer.id },
      editIncident: { incidentId: opened.id, expectedVersion: 1, title: 'renamed' },
      addNote: { incidentId: opened.id, text: 'viewer note' },
      correctTime: { eventId: note.id.toString(), at: '2026-01-01 00:00:00', reason: 'viewer says so' },
      setCurated: { eventId: note.id.toString(), curated: false },
      attachRunbook: { incidentId: opened.id, runbookId: runbook.id },
      startStep: { stepRunId: step.runId, expectedVersion: step.version },
      finishStep: { stepRunId: step.runId, expectedVersion: step.version, outcome: 'done' },
      runActionStep: { stepRunId: step.runId, expectedVersion: step.version, values: { action: 'return_to_automatic', serviceId: opened.id, expectedRoutingVersion: 1 }, reason: 'viewer steers' },
      runNotifyStep: { stepRunId: step.runId, expectedVersion: step.version, webhookId: opened.id, message: 'hi' },
      chooseDecision: { stepRunId: step.runId, expectedVersion: step.version, option: 0 },
      savePostmortem: { incidentId: opened.id, expectedVersion: 0, summary: 'viewer writes' },
      addFollowUp: { incidentId: opened.id, title: 'viewer follow-up' },
      setFollowUpDone: { followUpId: opened.id, expectedVersion: 1, done: true },
      createRunbook: { name: 'viewer runbook', failureMode: 'provider_outage', steps: [{ key: 'a', kind: 'instruction', title: 'A' }] },
      saveRunbook: { runbookId: runbook.id, expectedVersion: 1, name: 'viewer edit', failureMode: 'provider_outage', steps: [{ key: 'a', kind: 'instruction', title: 'A' }] },
      setRunbookArchived: { runbookId: runbook.id, expectedVersion: 1, archived: true },
      installLibrary: undefined,
      createWebhook: { name: 'viewer hook', kind: 'slack', url: 'https://hooks.example.com/x' },
      rotateWebhook: { webhookId: opened.id, expectedVersion: 1, url: 'https://hooks.example.com/y' },
      setWebhookDisabled: { webhookId: opened.id, expectedVersion: 1, disabled: true },
    };
    // Every exported async function but the ones a transaction calls (…In, and the episode linking the leader's loop does).
    const changes: Record<string, (caller: never, input: unknown) => Promise<unknown>> = {};
    for (const [name, fn] of [...Object.entries(mutations), ...Object.entries(runbookMutations)]) {
      if (typeof fn === 'function' && fn.constructor.name === 'AsyncFunction' && !name.endsWith('In') && name !== 'assessLinkedEpisodes') changes[name] = fn as never;
    }
    assert.deepEqual(Object.keys(changes).sort(), Object.keys(inputs).sort(), 'every exported change is tried');
    const before = await countRows();
    for (const [name, change] of Object.entries(changes)) {
      await assert.rejects(change(users.viewer as never, inputs[name]), (e: unknown) => e instanceof AppError && e.code === 'FORBIDDEN', `${name} refuses a viewer`);
      await assert.rejects(change(null as never, inputs[name]), (e: unknown) => e instanceof AppError && (e.code === 'UNAUTHENTICATED' || e.code === 'FORBIDDEN'), `${name} refuses a caller without a session`);
    }
    for (const [name, change] of [['retireModel', retireModel], ['revertRetirement', revertRetirement]] as const) {
      await rejectsWith((change as (c: unknown, i: unknown) => Promise<unknown>)(users.viewer, { targetId: opened.id, retirementId: opened.id, reason: 'viewer retires' }), 'FORBIDDEN').catch((e) => assert.fail(`${name}: ${e}`));
    }
    assert.deepEqual(await countRows(), before, 'nothing was written');
  });
});

describe('hostile input', () => {
  test('markup, control characters, huge and out-of-range values get field errors, never a database failure', async () => {
    const before = await countRows();
    const invalid = (promise: Promise<unknown>, field: string) =>
      assert.rejects(promise, (e: unknown) => e instanceof AppError && e.code === 'INVALID' && !!e.fieldErrors?.[field], `a field error on ${field}`);
    await invalid(openIncident(users.commander, { title: 'x'.repeat(201), severity: 'P3' }), 'title');
    await invalid(openIncident(users.commander, { title: 'nul\u0000byte', severity: 'P3' }), 'title');
    await invalid(openIncident(users.commander, { title: 'bad severity', severity: 'P9' }), 'severity');
    await invalid(openIncident(users.commander, { title: 'bad service', severity: 'P3', serviceId: "' OR 1=1 --" }), 'serviceId');
    await invalid(openIncident(users.commander, { title: ['array'], severity: 'P3' }), 'title');
    await invalid(correctTime(users.commander, { eventId: '99999999999999999999999999', at: '2026-01-01 00:00:00', reason: 'overflow' }), 'eventId');
    await invalid(correctTime(users.commander, { eventId: 'abc', at: '2026-01-01 00:00:00', reason: 'not a number' }), 'eventId');
    assert.deepEqual(await countRows(), before, 'nothing was written');

    // Markup is kept as text, exactly: the pages render it escaped.
    const title = '<script>alert(1)</script> & <img src=x onerror=alert(2)> "quoted" \u202Eright-to-left';
    const opened = await openIncident(users.commander, { title, severity: 'P3' });
    assert.equal((await getIncident(opened.id))!.title, title);
    await addNote(users.commander, { incidentId: opened.id, text: '**bold** [link](javascript:alert(1))' });
    assert.ok((await getTimeline(opened.id)).events.some((e) => e.text === '**bold** [link](javascript:alert(1))'));

    // A decision option that does not exist, and a step of another kind.
    const runbook = await createRunbook(users.commander, {
      name: uniqueName('abuse-hostile'), failureMode: 'provider_outage',
      steps: [
        { key: 'pick', kind: 'decision', title: 'Pick', params: { question: 'Which?', options: [{ label: 'A' }, { label: 'B' }] } },
        { key: 'read', kind: 'instruction', title: 'Read' },
      ],
    });
    const withRunbook = await openIncident(users.commander, { title: uniqueName('hostile'), severity: 'P3', runbookId: runbook.id });
    const pick = await stepOf(withRunbook.id, 'pick');
    await rejectsWith(chooseDecision(users.commander, { stepRunId: pick.runId, expectedVersion: pick.version, option: 4 }), 'INVALID');
    const read = await stepOf(withRunbook.id, 'read');
    await rejectsWith(chooseDecision(users.commander, { stepRunId: read.runId, expectedVersion: read.version, option: 0 }), 'INVALID');
    await rejectsWith(runActionStep(users.commander, { stepRunId: read.runId, expectedVersion: read.version, values: { action: 'return_to_automatic', serviceId: withRunbook.id, expectedRoutingVersion: 1 }, reason: 'not an action' }), 'INVALID');
    assert.equal((await stepOf(withRunbook.id, 'pick')).status, 'pending');
  });
});
