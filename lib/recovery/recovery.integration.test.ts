// Recovery objectives against real PostgreSQL: who may change an objective and
// what that records; the evidence API with token scopes; and the grid judged
// from episodes and evidence rows, as a manager reads it and as the report
// exports it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { generateToken } from '@/lib/access/tokens';
import { db, type Prisma } from '@/lib/server/db';
import { createTestProviderAndRegion, createTestUsers, disconnect, rejectsWith, targetInputFor, uniqueName, type TestUsers } from '@/test/fixtures';
import { syncComponents } from './components';
import { receiveEvidence } from './evidence';
import { getCompliance, getRecoveryReport, listEpisodes } from './data';
import { DAY, HOUR, MINUTE, routingComponentName, servingComponentName } from './model';
import { createComponent, reclassifyEpisode, saveObjective } from './mutations';
import { parsePeriod } from './period';
import { reportCsv } from './report-csv';
import { renderReportPdf } from './report-pdf';

let users: TestUsers;
let service: { id: string; name: string };
let target: { id: string; name: string };
let external: { id: string; name: string };
/** The RTO the concurrent edit below settled on. */
let winnerRtoMs = 0;

before(async () => {
  users = await createTestUsers();
  const { provider, region } = await createTestProviderAndRegion();
  target = await db().target.create({ data: targetInputFor(provider.id, region.id) as Prisma.TargetUncheckedCreateInput, select: { id: true, name: true } });
  service = await db().service.create({ data: { name: uniqueName('svc'), chain: { create: [{ targetId: target.id, position: 0, failoverOn: ['server_error'] }] } }, select: { id: true, name: true } });
  await syncComponents();
  external = await createComponent(users.operator, { name: uniqueName('prefs'), kind: 'external', description: 'user preferences', reason: 'reports its backups' });
});

after(disconnect);

const componentOf = (name: string) => db().recoveryComponent.findUniqueOrThrow({ where: { name }, select: { id: true, kind: true, objectives: { select: { disruption: true, rtoMs: true, rpoMs: true, version: true } } } });

test('every service and target gets a component with the default objectives of its kind', async () => {
  const routing = await componentOf(routingComponentName(service.name));
  assert.equal(routing.kind, 'service_routing');
  assert.deepEqual(routing.objectives.map((o) => o.disruption).sort(), ['capacity_loss', 'model_retirement', 'provider_outage', 'regional_outage']);
  assert.ok(routing.objectives.every((o) => o.rtoMs === 30_000 && o.rpoMs === 0));
  const serving = await componentOf(servingComponentName(target.name));
  assert.ok(serving.objectives.every((o) => o.rtoMs === 5 * MINUTE && o.rpoMs === 0));
  const prefs = await componentOf(external.name);
  assert.deepEqual(prefs.objectives.map((o) => [o.disruption, o.rtoMs, o.rpoMs]).sort(), [['data_loss', 15 * MINUTE, 5 * MINUTE], ['regional_outage', 15 * MINUTE, 5 * MINUTE]]);
  // Idempotent.
  assert.deepEqual((await syncComponents()).created.filter((n) => n.includes(service.name) || n.includes(target.name)), []);
});

test('an objective changes with a reason, a new version and an audit entry; viewers and stale edits are refused', async () => {
  const routing = await componentOf(routingComponentName(service.name));
  const input = { componentId: routing.id, disruption: 'provider_outage', expectedVersion: 1, rtoSeconds: '45', rpoSeconds: '0', reason: 'Batch callers retry for a minute' };
  await rejectsWith(saveObjective(users.viewer, input), 'FORBIDDEN');
  await rejectsWith(saveObjective(users.commander, input), 'FORBIDDEN');
  await rejectsWith(saveObjective(null, input), 'UNAUTHENTICATED');
  await rejectsWith(saveObjective(users.operator, { ...input, rtoSeconds: '0' }), 'INVALID');
  await rejectsWith(saveObjective(users.operator, { ...input, reason: '' }), 'INVALID');
  await rejectsWith(saveObjective(users.operator, { ...input, rtoSeconds: 'abc' }), 'INVALID');

  // Two people edit version 1 at once: one wins, the other is told who did.
  const results = await Promise.allSettled([saveObjective(users.operator, input), saveObjective(users.admin, { ...input, rtoSeconds: '60' })]);
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  // Whichever came first: 45 s from the operator or 60 s from the admin.
  winnerRtoMs = (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ rtoMs: number }>).value.rtoMs;
  const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
  assert.match(String(loser.reason.message), /changed this objective while you were editing it/);

  const objective = await db().recoveryObjective.findUniqueOrThrow({ where: { componentId_disruption: { componentId: routing.id, disruption: 'provider_outage' } }, include: { versions: { orderBy: { version: 'asc' } } } });
  assert.equal(objective.version, 2);
  assert.deepEqual(objective.versions.map((v) => v.version), [1, 2]);
  assert.equal(objective.versions[0].rtoMs, 30_000, 'the first version is kept');
  // Thirty days of milliseconds do not fit an int4: the objective keeps them all.
  const prefs = await componentOf(external.name);
  await saveObjective(users.admin, { componentId: prefs.id, disruption: 'data_loss', expectedVersion: 1, rtoSeconds: '3600', rpoSeconds: String(30 * 86_400), reason: 'Monthly archive is enough for preferences' });
  assert.equal((await componentOf(external.name)).objectives.find((o) => o.disruption === 'data_loss')?.rpoMs, 30 * DAY);
  await saveObjective(users.admin, { componentId: prefs.id, disruption: 'data_loss', expectedVersion: 2, rtoSeconds: '900', rpoSeconds: '300', reason: 'Back to the reference table' });
  const audit = await db().auditLog.findMany({ where: { entityId: objective.id, action: 'recovery.objective_update' } });
  assert.equal(audit.length, 1);
  assert.equal(audit[0].reason, 'Batch callers retry for a minute');
  assert.deepEqual((audit[0].before as { RTO: string }).RTO, '30 s');
});

test('evidence API: a token needs the recovery:evidence scope; reports are validated all or none; RPO is measured from the copies', async () => {
  const post = (token: string | null, body: unknown) =>
    receiveEvidence(new Request('http://standby.test/api/v1/recovery/evidence', { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) }));
  const makeToken = async (scopes: string[], extra: Partial<Prisma.ApiTokenCreateInput> = {}) => {
    const t = generateToken(randomBytes);
    await db().apiToken.create({ data: { name: uniqueName('t'), prefix: t.prefix, tokenHash: t.tokenHash, services: [], scopes, createdBy: 'test', ...extra } });
    return t.token;
  };
  const good = await makeToken(['recovery:evidence']);
  const report = { component: external.name, kind: 'backup', newestCopyAt: new Date(Date.now() - 2 * HOUR).toISOString(), observedAt: new Date(Date.now() - 2 * HOUR + 60_000).toISOString() };

  assert.equal((await post(null, report)).status, 401);
  assert.equal((await post(await makeToken(['gateway']), report)).status, 403, 'a gateway token cannot report evidence');
  assert.equal((await post(await makeToken(['recovery:evidence'], { revokedAt: new Date(), revokedBy: 'x' }), report)).status, 401);
  assert.equal((await post(await makeToken(['recovery:evidence'], { expiresAt: new Date(Date.now() - 1) }), report)).status, 401);

  const before = await db().recoveryEvidence.count({ where: { componentId: external.id } });
  const mixed = await post(good, { reports: [report, { component: 'no-such-component', kind: 'backup' }] });
  assert.equal(mixed.status, 400);
  assert.match(JSON.stringify(await mixed.json()), /No recovery component named/);
  assert.equal((await post(good, { component: external.name, kind: 'replica_lag' })).status, 400, 'replica_lag needs lagMs');
  assert.equal((await post(good, { ...report, observedAt: new Date(Date.now() + DAY).toISOString() })).status, 400, 'not from the future');
  assert.equal(await db().recoveryEvidence.count({ where: { componentId: external.id } }), before, 'nothing recorded from refused requests');

  const first = await post(good, report);
  assert.equal(first.status, 201);
  const second = await post(good, { reports: [{ component: external.name, kind: 'backup', newestCopyAt: new Date(Date.now() - 60_000).toISOString() }, { component: external.name, kind: 'replica_lag', lagMs: 1_200 }] });
  assert.equal(second.status, 201);
  const recorded = (await second.json()) as { recorded: { kind: string; rpoMs: number }[] };
  const backup = recorded.recorded.find((r) => r.kind === 'backup')!;
  assert.ok(Math.abs(backup.rpoMs - (2 * HOUR - 60_000)) < 1_000, `the interval since the copy before: ${backup.rpoMs}`);
  assert.equal(recorded.recorded.find((r) => r.kind === 'replica_lag')!.rpoMs, 1_200);
  const row = await db().recoveryEvidence.findFirstOrThrow({ where: { componentId: external.id, kind: 'replica_lag' } });
  assert.match(row.source, /^t-/, 'the token name is the source');
  assert.ok((await db().apiToken.findFirstOrThrow({ where: { name: row.source } })).lastUsedAt);
});

test('the grid judges each objective from episodes and evidence; a breach links to its episode, and the report says the same in PDF and CSV', async () => {
  const now = Date.now();
  const routing = await componentOf(routingComponentName(service.name));
  const serving = await componentOf(servingComponentName(target.name));
  const episode = (componentId: string, over: Partial<Prisma.DisruptionEpisodeCreateManyInput>) => ({
    componentId, disruption: 'provider_outage' as const, status: 'recovered' as const, startedAt: new Date(now - 5 * DAY), updatedAt: new Date(), details: { opened: 'breaker', triggers: ['breaker'], failingTargets: [], errorClasses: {}, detectedBy: null, assessedBy: null, activatedBy: null, restoredBy: null }, ...over,
  });
  await db().disruptionEpisode.createMany({
    data: [
      episode(serving.id, { targetId: target.id, rtoMs: 26 * MINUTE, restoredAt: new Date(now - 5 * DAY + 26 * MINUTE), tDetectMs: 1_000, tAssessMs: 0, tActivateMs: 0, tRestoreMs: 26 * MINUTE - 1_000 }),
      episode(serving.id, { targetId: target.id, rtoMs: 2 * MINUTE, startedAt: new Date(now - 2 * DAY) }),
      episode(routing.id, { serviceId: service.id, rtoMs: 400, disruption: 'capacity_loss' }),
      // Older than a quarter: proves nothing now.
      episode(routing.id, { serviceId: service.id, rtoMs: 400, disruption: 'regional_outage', startedAt: new Date(now - 120 * DAY) }),
    ],
  });
  const period = parsePeriod('90d', now)!;
  const compliance = await getCompliance(period, now);
  const servingRow = compliance.components.find((c) => c.id === serving.id)!;
  const cell = servingRow.cells.provider_outage!;
  assert.equal(cell.verdict, 'critical', '26 min against 5 min is over 4x');
  assert.equal(cell.rto.count, 2);
  assert.equal(cell.rto.worstMs, 26 * MINUTE);
  assert.equal(cell.rto.latestMs, 2 * MINUTE);
  assert.equal(cell.rto.worst?.kind, 'episode');
  assert.ok(cell.predictedRto?.ms, 'serving has a prediction from its breaker');
  const routingRow = compliance.components.find((c) => c.id === routing.id)!;
  assert.equal(routingRow.cells.capacity_loss!.verdict, 'compliant');
  assert.equal(routingRow.cells.regional_outage!.verdict, 'unverified', 'evidence older than 90 days');
  assert.equal(routingRow.cells.provider_outage!.objective?.rtoMs, winnerRtoMs, 'the objective changed above');
  // One target and no fallback: the configuration cannot fail over, whatever the objective.
  assert.equal(routingRow.cells.provider_outage!.predictedRto?.ms, null);
  assert.match(routingRow.cells.provider_outage!.predictedRto!.fixes[0].change, /Add a fallback target/);

  const prefs = compliance.components.find((c) => c.id === external.id)!;
  assert.equal(prefs.cells.regional_outage!.rpo.worstMs, 1_200, 'the replica lag counts against an outage');
  assert.ok(prefs.cells.data_loss!.rpo.worstMs! > HOUR, 'but not against a loss of data: the interval between backups does');
  assert.equal(prefs.cells.data_loss!.rpoVerdict, 'critical');

  const posture = compliance.services.find((s) => s.serviceId === service.id)!.posture;
  assert.ok(posture.todo.some((t) => t.action === 'review_breach' && t.ref?.id === cell.rto.worst?.id));
  assert.ok(posture.todo.some((t) => t.action === 'fix_configuration' && /Add a fallback target/.test(t.text)));

  // A past period is judged by the objective in force then: before the change above, 30 s.
  const then = await getCompliance({ key: 'past', label: 'past', from: now - 10 * DAY, to: now - 10 * DAY + HOUR }, now);
  assert.equal(then.components.find((c) => c.id === routing.id)?.cells.provider_outage?.objective?.rtoMs ?? 30_000, 30_000);

  const report = await getRecoveryReport(period);
  assert.ok(report.breaches.some((b) => b.componentName === servingRow.name && b.episode?.rtoMs === 26 * MINUTE));
  const { episodes } = await listEpisodes(period, { limit: 100_000 });
  const csv = reportCsv(report, episodes);
  assert.match(csv, new RegExp(`${servingRow.name},Model serving,[^\\n]*,Provider outage,Critical,5\\.20,`));
  const pdf = await renderReportPdf(report, { link: 'http://standby.test/recovery/report?period=90d' });
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  assert.ok(pdf.length > 5_000);
});

test('a person may reclassify an episode; the audit log keeps why', async () => {
  const routing = await componentOf(routingComponentName(service.name));
  const e = await db().disruptionEpisode.findFirstOrThrow({ where: { componentId: routing.id, disruption: 'capacity_loss' } });
  await rejectsWith(reclassifyEpisode(users.viewer, { episodeId: e.id, disruption: 'regional_outage', reason: 'us-east went down' }), 'FORBIDDEN');
  await reclassifyEpisode(users.operator, { episodeId: e.id, disruption: 'regional_outage', reason: 'us-east went down' });
  const after = await db().disruptionEpisode.findUniqueOrThrow({ where: { id: e.id } });
  assert.equal(after.disruption, 'regional_outage');
  assert.equal(after.disruptionSetBy, users.operator.email);
  assert.equal((await db().auditLog.findFirstOrThrow({ where: { entityId: e.id } })).reason, 'us-east went down');
});
