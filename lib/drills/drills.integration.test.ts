// Drills through the real data plane (issue 14): the snapshot from
// PostgreSQL carries the faults as leases on NOTIFY, the gateway applies
// them in its attempt step, breakers and the recorder write as for live
// traffic, and the episode detector measures the drill as it measures real
// outages. Upstreams are a local OpenAI-compatible server that logs every
// request it receives.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_FAILOVER_ON } from '@/lib/failover/schemas';
import { startConversationStore } from '@/lib/conversations/runtime';
import { startDataPlane, type DataPlane } from '@/lib/gateway/runtime';
import { syncComponents } from '@/lib/recovery/components';
import { DEFAULT_DETECTOR_CONFIG } from '@/lib/recovery/detector';
import { runDetector } from '@/lib/recovery/detect-task';
import { db } from '@/lib/server/db';
import { waitFor } from '@/test/gateway-harness';
import { auditEntriesFor, createTestUsers, rejectsWith, seedRoutedService, uniqueName, type TestUsers } from '@/test/fixtures';
import { getIncident } from '@/lib/incidents/data';
import { runNotifyStep, setStatus } from '@/lib/incidents/mutations';
import { createRunbook, createWebhook, setRunbookArchived } from '@/lib/runbooks/mutations';
import { getRecoveryReport } from '@/lib/recovery/data';
import { reportCsv } from '@/lib/recovery/report-csv';
import { DrillController, drillWindows } from './controller';
import { drillCoverage } from './data';
import { archivePlan, haltRun, savePlan, startRun } from './mutations';

type Hit = { name: string; at: number; messages: number };

let upstream: http.Server;
let origin: string;
let plane: DataPlane;
let users: TestUsers;
const log: Hit[] = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Every run this file starts, so that `after` leaves nothing of them to the other files on this database. */
const started: string[] = [];
async function startTracked(...args: Parameters<typeof startRun>) {
  const result = await startRun(...args);
  started.push(result.runId);
  return result;
}

/**
 * The files after this one share its database: no fault of these runs may still be leased, and no drill incident
 * left open (the estate-wide incident pass of other files would find it and join their signals to it).
 */
async function cleanUpRuns() {
  await db().drillFault.updateMany({ where: { runId: { in: started }, endedAt: null }, data: { endedAt: new Date(), endReason: 'stopped' } });
  const runs = await db().drillRun.findMany({ where: { id: { in: started }, incidentId: { not: null } }, select: { incidentId: true } });
  const open = await db().incident.findMany({ where: { id: { in: runs.map((r) => r.incidentId!) }, status: { notIn: ['resolved', 'postmortem', 'closed'] } }, select: { id: true, version: true } });
  for (const incident of open) await setStatus(users.commander, { incidentId: incident.id, expectedVersion: incident.version, status: 'resolved' });
}

before(async () => {
  upstream = http.createServer((req, res) => {
    const hit = { name: /^\/simulated\/([^/]+)\//.exec(req.url ?? '')?.[1] ?? '?', at: Date.now(), messages: 0 };
    log.push(hit);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        hit.messages = (JSON.parse(Buffer.concat(chunks).toString()) as { messages?: unknown[] }).messages?.length ?? 0;
      } catch {
        /* not JSON: counted as none */
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }),
      );
    });
  });
  origin = await listen(upstream);
  users = await createTestUsers();
  plane = await startDataPlane({ replica: 'drill-test-a', log: () => {} });
});

after(async () => {
  await cleanUpRuns();
  upstream.closeAllConnections();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
  await plane?.close();
  await db().$disconnect();
});

async function seed(prefix: string) {
  // No retries on the same target: a failing primary fails over at once.
  const seeded = await seedRoutedService(origin, prefix, { maxRetries: 0, baseBackoffMs: 10, failoverOn: [...DEFAULT_FAILOVER_ON] });
  await db().target.updateMany({ where: { id: { in: seeded.targets.map((t) => t.id) } }, data: { probeIntervalMs: 600_000 } });
  await syncComponents();
  await waitFor('the service in the snapshot', () => plane.snapshots.get()?.services.has(seeded.service.name), 10_000);
  return seeded;
}

const planFor = (serviceId: string, targetIds: string[], extra: Record<string, unknown> = {}) => ({
  name: uniqueName('drill'), serviceId, disruption: 'provider_outage', scopeKind: 'targets', scopeIds: targetIds, trafficMode: 'synthetic', syntheticRps: 10,
  faults: [{ kind: 'error_status', status: 503 }], durationSeconds: 10, maxErrorRatePercent: 50, ...extra,
});

/** A request as a client's: not marked as the drill's. */
const callGateway = (model: string) => plane.complete(model, { messages: [{ role: 'user', content: 'hi' }] }, null);

test('a drill injects a provider outage: the breaker opens, traffic fails over, and it passes with the RTO the upstream and gateway logs show', async () => {
  const seeded = await seed('drill-pass');
  const [primary, secondary] = seeded.targets;
  // The primary serves a model with backups: the drill's restore part is its newest timed restore against the data-loss RTO.
  const serving = await db().recoveryComponent.findFirstOrThrow({ where: { name: `${primary.name} serving` } });
  await db().recoveryObjective.upsert({
    where: { componentId_disruption: { componentId: serving.id, disruption: 'data_loss' } },
    create: { componentId: serving.id, disruption: 'data_loss', rtoMs: 30 * 60_000, rpoMs: 0, reason: 'test', updatedBy: 'test' }, update: { rtoMs: 30 * 60_000 },
  });
  const model = await db().modelArtifact.create({ data: { name: uniqueName('drill-model'), targetId: primary.id, servingRegion: 'us-east' } });
  await db().restoreTest.create({ data: { modelId: model.id, observedAt: new Date(Date.now() - 2 * 86_400_000), ok: true, restoreMs: 14 * 60_000, source: 'test' } });
  const plan = await savePlan(users.operator, planFor(seeded.service.id, [primary.id]));
  const { runId } = await startTracked(users.operator, { planId: plan.id });
  await waitFor('the lease in the snapshot', () => plane.snapshots.get()?.faults?.get(primary.id)?.some((f) => f.runId === runId));

  // The controller sends the run's marked requests each second until the lease ends.
  const controller = new DrillController({ snapshots: plane.snapshots, complete: plane.complete });
  const run0 = await db().drillRun.findUniqueOrThrow({ where: { id: runId } });
  while (Date.now() < run0.faultsEndAt!.getTime() + 200) {
    await controller.tick();
    await sleep(1_000);
  }
  await controller.settle();
  await controller.tick(); // records the leases' end
  await plane.recorder.flush();

  // Client traffic (not marked) was never touched by the drill-only fault.
  const unmarked = await callGateway(seeded.service.name);
  assert.equal(unmarked.status, 200);

  const failedAttempts = await db().healthSample.findMany({ where: { targetId: primary.id, ok: false }, orderBy: { at: 'asc' } });
  assert.ok(failedAttempts.length >= 5, `the gateway recorded the injected failures (${failedAttempts.length})`);
  assert.equal(log.filter((h) => h.name === primary.name && h.at >= run0.startedAt!.getTime() && h.at < run0.faultsEndAt!.getTime()).length, 0, 'faulted attempts never reached the primary upstream');
  const opened = await db().breakerTransition.findFirst({ where: { targetId: primary.id, to: 'open', at: { gte: run0.startedAt! } } });
  assert.ok(opened, 'the primary breaker opened');
  const firstFromSecondary = log.find((h) => h.name === secondary.name && h.at >= run0.startedAt!.getTime());
  assert.ok(firstFromSecondary, 'the fallback answered');

  await runDetector({ drills: drillWindows, stateId: uniqueName('drill'), now: Date.now() + 3_000, settleMs: 0, config: { ...DEFAULT_DETECTOR_CONFIG, quietMs: 2_000 } });
  await controller.tick(); // judges the run

  const run = await db().drillRun.findUniqueOrThrow({ where: { id: runId }, include: { faultLeases: true, events: { orderBy: { at: 'asc' } } } });
  assert.equal(run.status, 'passed', run.verdict ?? '');
  const episode = await db().disruptionEpisode.findUniqueOrThrow({ where: { id: run.episodeId! } });
  assert.equal(episode.source, 'drill');
  assert.equal(episode.serviceId, seeded.service.id);
  // Start: the first injected failure the gateway recorded (its attempt start); activation: the fallback's first answer in the upstream's log.
  const firstFailStart = failedAttempts[0].at.getTime() - failedAttempts[0].latencyMs;
  assert.ok(Math.abs(episode.startedAt.getTime() - firstFailStart) <= 100, `episode start ${episode.startedAt.toISOString()} against the first failure ${new Date(firstFailStart).toISOString()}`);
  assert.ok(Math.abs(episode.activatedAt!.getTime() - firstFromSecondary.at) <= 100, `activation ${episode.activatedAt!.toISOString()} against the fallback's first answer ${new Date(firstFromSecondary.at).toISOString()}`);
  assert.equal(run.measuredRtoMs, episode.rtoMs);
  assert.ok(run.measuredRtoMs! <= run.objectiveRtoMs!, `measured ${run.measuredRtoMs} ms within ${run.objectiveRtoMs} ms`);
  assert.ok(run.syntheticSent >= 50, `synthetic requests sent (${run.syntheticSent})`);
  assert.ok(run.faultLeases.every((f) => f.endReason === 'expired' && f.endedAt?.getTime() === f.expiresAt.getTime()), 'each lease ended at its deadline, recorded');
  assert.deepEqual(run.events.map((e) => e.kind), ['started', 'faults_ended', 'restore_check', 'passed']);
  assert.equal(run.events[2].text, `Restore check passed: a restore of ${model.name} took 14 min (2 days ago), within its RTO of 30 min.`);
  await db().modelArtifact.delete({ where: { id: model.id } });
  const evidence = await db().recoveryEvidence.findFirst({ where: { kind: 'drill', values: { path: ['reference'], equals: runId } } });
  assert.ok(evidence?.ok, 'the passed drill is evidence for the objective');
  assert.deepEqual((await auditEntriesFor(runId)).map((a) => a.action), ['drill.run.start']);

  // The pass feeds the compliance report and the service's posture: fresh, 100, with the measured RTO.
  const period = { key: 'test', label: 'test', from: Date.now() - 86_400_000, to: Date.now() + 1_000 };
  const report = await getRecoveryReport(period);
  const drill = report.drills.plans.find((d) => d.planId === plan.id);
  assert.equal(drill?.freshness.status, 'fresh');
  assert.equal(drill?.freshness.score, 100);
  assert.equal(drill?.last?.measuredRtoMs, run.measuredRtoMs);
  const posture = report.services.find((x) => x.serviceId === seeded.service.id)!.posture;
  assert.ok(!posture.todo.some((t) => t.text.includes(plan.name)), 'a fresh pass asks for nothing');
  const csvRow = reportCsv(report, []).split('\r\n').find((l) => l.startsWith(`${plan.name},`));
  assert.match(csvRow ?? '', /,Provider outage,"?Passed, fresh"?,100,90,passed,/);

  // The runbook-free plan gets a runbook: the pass no longer proves what runs now, and the posture says what changed.
  const runbook = await createRunbook(users.commander, { name: uniqueName('Drill runbook'), failureMode: 'provider_outage', steps: [{ key: 'tell', kind: 'notify', title: 'Tell #status', params: { message: '{incident}: {title}' } }] });
  const { version } = await db().drillPlan.findUniqueOrThrow({ where: { id: plan.id } });
  await savePlan(users.operator, { ...planFor(seeded.service.id, [primary.id]), planId: plan.id, name: plan.name, runbookId: runbook.id, expectedVersion: version });
  const later = await getRecoveryReport(period);
  assert.equal(later.drills.plans.find((d) => d.planId === plan.id)?.freshness.status, 'unverified');
  const todo = later.services.find((x) => x.serviceId === seeded.service.id)!.posture.todo.find((t) => t.action === 'run_drill' && t.text.includes(plan.name));
  assert.match(todo?.text ?? '', /passed today, but since then a runbook was attached/);
  // Archived: the incident rules of other tests on this database must not match it.
  await setRunbookArchived(users.commander, { runbookId: runbook.id, expectedVersion: 1, archived: true });
});

test('a drill of a service that keeps conversations checks that one continues with its whole history after the failover, stored, then deleted', async () => {
  const seeded = await seed('drill-resume');
  const [primary, secondary] = seeded.targets;
  await db().service.update({ where: { id: seeded.service.id }, data: { conversationStore: true } });
  // A replica with a conversation store, as every replica started by the product has.
  const replica = await startDataPlane({ replica: 'drill-test-resume', log: () => {}, conversations: startConversationStore() });
  try {
    await waitFor('the store on in the snapshot', () => replica.snapshots.get()?.services.get(seeded.service.name)?.conversations?.store === true, 10_000);
    const plan = await savePlan(users.operator, planFor(seeded.service.id, [primary.id]));
    const { runId } = await startTracked(users.operator, { planId: plan.id });
    await waitFor('the lease in the replica', () => replica.snapshots.get()?.faults?.get(primary.id)?.some((f) => f.runId === runId), 10_000);
    const since = Date.now();
    const controller = new DrillController({ snapshots: replica.snapshots, complete: replica.complete });
    await controller.tick();
    await controller.settle();
    const event = await db().drillEvent.findFirstOrThrow({ where: { runId, kind: 'resume_check' } });
    assert.deepEqual(event.data, { ok: true, failedOver: true }, event.text);
    assert.match(event.text, new RegExp(`whole history \\(3 messages\\) after a failover from ${primary.name} to ${secondary.name}, and every message was stored`));
    // What the upstreams received: the first turn (1 message) on the primary, the second on the fallback with the whole history.
    const turns = log.filter((h) => h.at >= since);
    assert.ok(turns.some((h) => h.name === primary.name && h.messages === 1), 'the first turn reached the primary');
    assert.ok(turns.some((h) => h.name === secondary.name && h.messages === 3), 'the fallback received the whole history');
    assert.equal(await db().conversation.count({ where: { key: `drill-${runId}`, deletedAt: null } }), 0, "the check's conversation is deleted afterwards");
    await controller.tick();
    assert.equal(await db().drillEvent.count({ where: { runId, kind: 'resume_check' } }), 1, 'once per run');
    await haltRun(users.operator, { runId, reason: 'check seen' });
  } finally {
    await replica.close().catch(() => {});
    await db().service.update({ where: { id: seeded.service.id }, data: { conversationStore: false } });
  }
});

test('a halt condition trips: every fault of the drill ends within 1 s and the timeline says why', async () => {
  const seeded = await seed('drill-halt');
  // Both targets down: callers see errors, and the error-rate condition trips.
  const plan = await savePlan(users.operator, planFor(seeded.service.id, seeded.targets.map((t) => t.id), { faults: [{ kind: 'target_down' }, { kind: 'error_status', status: 500 }], maxErrorRatePercent: 20, durationSeconds: 120 }));
  const { runId } = await startTracked(users.operator, { planId: plan.id });
  await waitFor('the leases in the snapshot', () => plane.snapshots.get()?.faults?.get(seeded.targets[1].id)?.some((f) => f.runId === runId));
  const controller = new DrillController({ snapshots: plane.snapshots, complete: plane.complete });
  let halted = null;
  for (let i = 0; i < 20 && !halted; i += 1) {
    await controller.tick();
    await plane.recorder.flush();
    halted = await db().drillRun.findFirst({ where: { id: runId, status: 'halted' } });
    if (!halted) await sleep(1_000);
  }
  assert.ok(halted, 'the run was halted');
  const haltedAt = halted.faultsEndedAt!.getTime();
  await waitFor('no lease of the run in the snapshot', () => ![...(plane.snapshots.get()?.faults?.values() ?? [])].flat().some((f) => f.runId === runId), 5_000, 5);
  const goneAfterMs = Date.now() - haltedAt;
  assert.ok(goneAfterMs < 1_000, `faults gone ${goneAfterMs} ms after the halt`);
  assert.match(halted.haltReason ?? '', /error rate .* above the limit of 20\.0%/);
  const leases = await db().drillFault.findMany({ where: { runId } });
  assert.ok(leases.every((f) => f.endReason === 'halted' && f.endedAt!.getTime() === haltedAt && f.endedAt! < f.expiresAt));
  const event = await db().drillEvent.findFirstOrThrow({ where: { runId, kind: 'halted' } });
  assert.match(event.text, /Halt condition tripped: Client-visible error rate/);
  await controller.settle();
  assert.equal((await callGateway(seeded.service.name)).status, 200, 'traffic is served again');
});

test('errors the service had before the drill started do not halt it', async () => {
  const seeded = await seed('drill-before');
  const plan = await savePlan(users.operator, planFor(seeded.service.id, [seeded.targets[0].id], { maxErrorRatePercent: 5, durationSeconds: 60 }));
  // Ten failed client requests a few seconds ago, inside the halt window but before the run.
  const before = new Date(Date.now() - 5_000);
  await db().requestRecord.createMany({ data: Array.from({ length: 10 }, (_, i) => ({ serviceId: seeded.service.id, requestId: `before-${i}`, ok: false, status: 503, attempts: 1, latencyMs: 5, stream: false, tier: 'full' as const, servedBy: 'none', at: before })) });
  const { runId } = await startTracked(users.operator, { planId: plan.id });
  const controller = new DrillController({ snapshots: plane.snapshots, complete: plane.complete });
  await controller.tick();
  await controller.settle();
  assert.equal((await db().drillRun.findUniqueOrThrow({ where: { id: runId } })).status, 'running', 'the errors were not the drill\'s: it runs on');
  await haltRun(users.operator, { runId, reason: 'test over' });
});

test("the drill's controller and the database path are gone: the fault still ends at its lease, and the next leader records it", async () => {
  const seeded = await seed('drill-lease');
  const [primary, secondary] = seeded.targets;
  // A share of real traffic (100%), so any request is faulted while the lease holds.
  const plan = await savePlan(users.operator, planFor(seeded.service.id, [primary.id], { trafficMode: 'share', sharePercent: 100, maxErrorRatePercent: 90 }));
  const { runId } = await startTracked(users.operator, { planId: plan.id });
  const deadline = new Date(Date.now() + 1_500);
  await db().drillFault.updateMany({ where: { runId }, data: { expiresAt: deadline } });
  // A second replica that loads the lease, then loses its database path: its snapshot can no longer change.
  const replica = await startDataPlane({ replica: 'drill-test-b', log: () => {} });
  try {
    await waitFor('the lease with its deadline in the replica', () => replica.snapshots.get()?.faults?.get(primary.id)?.some((f) => f.expiresAt === deadline.getTime()), 10_000);
    await replica.snapshots.close();
    const during = await replica.complete(seeded.service.name, { messages: [{ role: 'user', content: 'hi' }] }, null);
    assert.equal(during.headers['x-standby-target'], secondary.name, 'while the lease holds, the primary is faulted and the fallback answers');
    await sleep(Math.max(0, deadline.getTime() - Date.now()) + 50);
    assert.ok(replica.snapshots.get()?.faults?.get(primary.id)?.length, 'the lease is still in the stale snapshot');
    const afterwards = await replica.complete(seeded.service.name, { messages: [{ role: 'user', content: 'hi' }] }, null);
    assert.equal(afterwards.headers['x-standby-target'], primary.name, 'past its deadline the replica no longer applies it, by its own clock');
  } finally {
    await replica.close().catch(() => {});
  }
  // No controller ran meanwhile; the next leader's first tick records the ending at the deadline.
  assert.equal((await db().drillFault.findFirstOrThrow({ where: { runId } })).endedAt, null);
  await new DrillController({ snapshots: plane.snapshots }).tick();
  const lease = await db().drillFault.findFirstOrThrow({ where: { runId } });
  assert.equal(lease.endReason, 'expired');
  assert.equal(lease.endedAt?.getTime(), deadline.getTime());
  const run = await db().drillRun.findUniqueOrThrow({ where: { id: runId } });
  assert.equal(run.faultsEndedAt?.getTime(), deadline.getTime());
});

test('permissions: a viewer or commander cannot plan, run or halt a drill; bad input changes nothing', async () => {
  const seeded = await seed('drill-perm');
  const input = planFor(seeded.service.id, [seeded.targets[0].id]);
  await assert.rejects(savePlan(users.viewer, input), /permission|not allowed|FORBIDDEN/i);
  await assert.rejects(savePlan(users.commander, input), /permission|not allowed|FORBIDDEN/i);
  await assert.rejects(savePlan(users.operator, { ...input, faults: [] }), (e: Error & { fieldErrors?: Record<string, string[]> }) => Boolean(e.fieldErrors?.faults));
  await assert.rejects(savePlan(users.operator, { ...input, trafficMode: 'share', maxErrorRatePercent: null }), (e: Error & { fieldErrors?: Record<string, string[]> }) => Boolean(e.fieldErrors?.maxErrorRatePercent));
  const plan = await savePlan(users.operator, input);
  await assert.rejects(startTracked(users.viewer, { planId: plan.id }), /permission|not allowed|FORBIDDEN/i);
  const { runId } = await startTracked(users.admin, { planId: plan.id });
  await assert.rejects(startTracked(users.operator, { planId: plan.id }), /already in progress/);
  await assert.rejects(haltRun(users.viewer, { runId, reason: 'stop it' }), /permission|not allowed|FORBIDDEN/i);
  await haltRun(users.operator, { runId, reason: 'test over' });
  assert.deepEqual((await auditEntriesFor(runId)).map((a) => a.action), ['drill.run.start', 'drill.run.halt']);
  assert.equal(await db().drillFault.count({ where: { runId, endedAt: null } }), 0);
});

test('archiving a plan: only an operator, never while it runs, never over a newer edit; it leaves the lists, the schedule and the report; a start racing it loses cleanly', async () => {
  const seeded = await seed('drill-archive');
  const plan = await savePlan(users.operator, { ...planFor(seeded.service.id, [seeded.targets[0].id]), nextRunAt: new Date(Date.now() + 86_400_000).toISOString(), recurrenceDays: 30 });
  const version = async () => (await db().drillPlan.findUniqueOrThrow({ where: { id: plan.id } })).version;
  await rejectsWith(archivePlan(users.viewer, { planId: plan.id, expectedVersion: await version() }), 'FORBIDDEN');
  await rejectsWith(archivePlan(users.commander, { planId: plan.id, expectedVersion: await version() }), 'FORBIDDEN');
  const { runId } = await startTracked(users.operator, { planId: plan.id });
  await rejectsWith(archivePlan(users.operator, { planId: plan.id, expectedVersion: await version() }), 'CONFLICT');
  await haltRun(users.operator, { runId, reason: 'before archiving' });
  await rejectsWith(archivePlan(users.operator, { planId: plan.id, expectedVersion: (await version()) + 5 }), 'CONFLICT');
  assert.equal((await db().drillPlan.findUniqueOrThrow({ where: { id: plan.id } })).archivedAt, null, 'refusals change nothing');

  // A start and an archive at once: the plan's lock orders them; never a run left going on an archived plan.
  const [started, archived] = await Promise.allSettled([startTracked(users.operator, { planId: plan.id }), archivePlan(users.operator, { planId: plan.id, expectedVersion: await version(), reason: 'replaced' })]);
  if (started.status === 'fulfilled') {
    assert.equal(archived.status, 'rejected', 'the archive waited for the start, then saw the run');
    await haltRun(users.operator, { runId: started.value.runId, reason: 'race over' });
    await archivePlan(users.operator, { planId: plan.id, expectedVersion: await version(), reason: 'replaced' });
  } else assert.equal(archived.status, 'fulfilled');
  const row = await db().drillPlan.findUniqueOrThrow({ where: { id: plan.id } });
  assert.ok(row.archivedAt);
  assert.equal(row.nextRunAt, null, 'its schedule stops');
  assert.equal(await db().drillRun.count({ where: { planId: plan.id, status: 'running' } }), 0);
  assert.ok(!(await drillCoverage()).plans.some((p) => p.planId === plan.id), 'gone from the drills page and the report');
  await rejectsWith(startTracked(users.operator, { planId: plan.id }), 'NOT_FOUND');
  const audit = await db().auditLog.findFirstOrThrow({ where: { entityId: plan.id, action: 'drill.plan.archive' } });
  assert.equal(audit.reason, 'replaced');
});

test('running a drill opens an incident marked as a drill that follows its runbook; its notifications go to the drill channel or nowhere; and nothing else', async (t) => {
  const seeded = await seed('drill-incident');
  const [primary] = seeded.targets;
  const runbook = await createRunbook(users.commander, { name: uniqueName('Drill runbook'), failureMode: 'provider_outage', steps: [{ key: 'tell', kind: 'notify', title: 'Tell #status', params: { message: '{incident}: {title}' } }] });
  // Archived at the end: the incident rules of other tests on this database must not match it.
  t.after(() => setRunbookArchived(users.commander, { runbookId: runbook.id, expectedVersion: 1, archived: true }));
  const realChannel = await createWebhook(users.admin, { name: uniqueName('real-incidents'), kind: 'slack', url: `${origin}/hooks/real` });
  const drillChannel = await createWebhook(users.admin, { name: uniqueName('drills'), kind: 'slack', url: `${origin}/hooks/drill` });

  // First without a drill channel: nothing may be sent.
  const plan = await savePlan(users.operator, planFor(seeded.service.id, [primary.id], { runbookId: runbook.id }));
  const { runId } = await startTracked(users.operator, { planId: plan.id });
  const run = await db().drillRun.findUniqueOrThrow({ where: { id: runId } });
  const incident = (await getIncident(run.incidentId!))!;
  assert.equal(incident.isDrill, true);
  assert.equal(incident.title, `Drill: ${plan.name}`);
  assert.equal(incident.runbooks[0].name, runbook.name, 'the plan\'s runbook is pinned');
  const step = incident.runbooks[0].steps[0];
  await assert.rejects(runNotifyStep(users.commander, { stepRunId: step.runId, expectedVersion: step.version, webhookId: realChannel.id, message: 'x' }), /notifications go nowhere/);
  assert.equal(await db().notificationDelivery.count({ where: { incidentId: incident.id } }), 0);

  // The drill runs as usual with its incident open (which signals join it: lib/incidents/rules.test.ts, partitionDrillSignals).
  const controller = new DrillController({ snapshots: plane.snapshots, complete: plane.complete });
  await waitFor('the lease in the snapshot', () => plane.snapshots.get()?.faults?.get(primary.id)?.some((f) => f.runId === runId));
  await controller.tick();
  await controller.settle();
  const timeline = await db().timelineEvent.findMany({ where: { incidentId: incident.id, kind: 'drill' } });
  assert.ok(timeline.some((e) => e.text.startsWith('Drill: Started by')), 'the drill writes on the incident timeline');
  await haltRun(users.operator, { runId, reason: 'next part' });

  // With a drill channel: only that channel.
  await savePlan(users.operator, { ...planFor(seeded.service.id, [primary.id], { runbookId: runbook.id, drillWebhookId: drillChannel.id }), planId: plan.id, expectedVersion: 1, name: plan.name });
  const second = await startTracked(users.operator, { planId: plan.id });
  const secondIncident = (await getIncident((await db().drillRun.findUniqueOrThrow({ where: { id: second.runId } })).incidentId!))!;
  const secondStep = secondIncident.runbooks[0].steps[0];
  await assert.rejects(runNotifyStep(users.commander, { stepRunId: secondStep.runId, expectedVersion: secondStep.version, webhookId: realChannel.id, message: 'x' }), /only to its drill channel/);
  await runNotifyStep(users.commander, { stepRunId: secondStep.runId, expectedVersion: secondStep.version, webhookId: drillChannel.id, message: 'rehearsal' });
  assert.deepEqual((await db().notificationDelivery.findMany({ where: { incidentId: secondIncident.id } })).map((d) => d.webhookId), [drillChannel.id]);
  await haltRun(users.operator, { runId: second.runId, reason: 'done' });
  // The delivery loop of other tests on this database sends whatever is queued: this one is not theirs.
  await db().notificationDelivery.deleteMany({ where: { incidentId: secondIncident.id } });
});
