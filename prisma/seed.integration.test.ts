import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestUser, disconnect } from '@/test/fixtures';
import { decryptSecret } from '@/lib/server/crypto';
import { db } from '@/lib/server/db';
import { updateTarget } from '@/lib/inventory/mutations';
import { verifySignIn } from '@/lib/access/sign-in';
import { DEMO_PASSWORD, DEMO_USERS, seedDemoEstate } from './seed';

after(disconnect);

// pg warns (once a process) when a client is asked a query while it runs another: what parallel queries inside a transaction do.
const warnings: string[] = [];
process.on('warning', (warning) => warnings.push(`${warning.name}: ${warning.message}`));

const estateCounts = async () => ({
  users: await db().user.count(), providers: await db().provider.count(), regions: await db().region.count(),
  credentials: await db().credential.count(), targets: await db().target.count(), services: await db().service.count(),
  seedEntries: await db().auditLog.count({ where: { action: 'demo.seed' } }),
});

test('seeding twice loads the demo estate once and keeps what a user changed in between', async () => {
  await seedDemoEstate();
  for (const demo of DEMO_USERS) {
    const user = await db().user.findUniqueOrThrow({ where: { email: demo.email } });
    assert.equal(user.role, demo.role);
  }
  assert.equal((await verifySignIn(DEMO_USERS[0].email, DEMO_PASSWORD, 'seed-test'))?.email, DEMO_USERS[0].email);

  const operator = await createTestUser('operator');
  const target = await db().target.findUniqueOrThrow({ where: { name: 'openai-gpt-4o-us-east' } });
  const { id, version, priceInPerMTok, priceOutPerMTok, declaredAvailability: _kept, ...fields } = target;
  await updateTarget(operator, { id, version }, { ...fields, priceInPerMTok: Number(priceInPerMTok), priceOutPerMTok: Number(priceOutPerMTok), rpm: 1234 });
  const before = await estateCounts();

  const again = await seedDemoEstate();
  assert.equal(again.created, 0);
  assert.deepEqual(await estateCounts(), before, 'nothing new, not even an audit entry');
  assert.equal((await db().target.findUniqueOrThrow({ where: { id } })).rpm, 1234, "the operator's edit survives");
});

test('demo credentials are stored encrypted, and only their last four characters are shown', async () => {
  await seedDemoEstate();
  const credentials = await db().credential.findMany({ where: { name: { in: ['openai-prod-key', 'anthropic-prod-key'] } } });
  assert.equal(credentials.length, 2);
  for (const credential of credentials) {
    const secret = decryptSecret(credential.ciphertext);
    assert.ok(secret.length > 8 && !credential.ciphertext.includes(secret), `${credential.name} is not stored in the clear`);
    assert.equal(credential.hint, `••••${secret.slice(-4)}`);
  }
});

test('the demo ships the runbook library, a webhook to its own receiver, and two past incidents, one with a published post-mortem', async () => {
  await seedDemoEstate();
  const { LIBRARY } = await import('@/lib/runbooks/library');
  const runbooks = await db().runbook.findMany({ where: { name: { in: LIBRARY.map((r) => r.name) } }, select: { name: true } });
  assert.equal(runbooks.length, 8, 'one runbook per failure mode');
  const hook = await db().notificationWebhook.findUniqueOrThrow({ where: { name: '#incidents' } });
  assert.match(decryptSecret(hook.urlCiphertext), /^http:\/\/127\.0\.0\.1:\d+\/simulated\/webhooks\/incidents$/);
  const { getPostmortem } = await import('@/lib/incidents/data');
  const incidents = await db().incident.findMany({ where: { title: { startsWith: 'support-bot' }, openedVia: 'manual', postmortem: { isNot: null } }, select: { id: true, status: true, postmortem: { select: { publishedAt: true } } } });
  assert.equal(incidents.length, 2);
  const published = incidents.find((i) => i.postmortem?.publishedAt);
  assert.ok(published && published.status === 'closed');
  const view = (await getPostmortem(published.id))!;
  assert.equal(view.figures.impact.failures, 74, 'the failed requests the linked episode measured');
  assert.ok(view.figures.impact.services[0].budgetBurned! > 0, 'a share of the SLO window\'s budget');
  assert.ok(view.figures.rto && view.figures.rto.rtoMs! > 0 && view.figures.rto.objectiveRtoMs === 30_000);
  assert.equal(view.figures.rto.parts.tAssessMs !== null, true);
  // Every entry of the past incidents lies between the day before it opened (what led to it comes first) and now.
  const outOfRange = await db().$queryRaw<{ text: string; at: Date }[]>`
    SELECT t.text, t.at FROM "TimelineEvent" t JOIN "Incident" i ON i.id = t."incidentId"
    WHERE i.id IN (${incidents[0].id}::uuid, ${incidents[1].id}::uuid) AND (t.at < i."openedAt" - interval '1 day' OR t.at > now())`;
  assert.deepEqual(outOfRange, [], 'no entry long before its incident or in the future');
  // Seeding again adds nothing.
  const before = await db().incident.count();
  await seedDemoEstate();
  assert.equal(await db().incident.count(), before);
});

test('seeding runs its queries one after another inside its transactions: pg prints no deprecation warning at a demo start', async () => {
  await seedDemoEstate();
  assert.deepEqual(warnings.filter((warning) => warning.includes('already executing a query')), []);
});

test('the demo ships drills of every kind a manager meets: a fresh pass, a pass the chain changed since, a failure with the part that broke it, a plan never run', async () => {
  await seedDemoEstate();
  const { drillCoverage } = await import('@/lib/drills/data');
  const coverage = await drillCoverage();
  const status = (name: string) => coverage.plans.find((p) => p.planName === name)?.freshness;
  assert.equal(status('support-bot: OpenAI outage')?.status, 'fresh');
  assert.equal(status('support-bot: OpenAI outage')?.score, 100);
  assert.equal(status('support-bot: EU region down')?.status, 'unverified');
  assert.match(status('support-bot: EU region down')!.changes.join(' '), /The failover chain changed: was openai-gpt-4o-us-east → azure-gpt-4o-eu-west → vllm-llama-70b-on-prem, now .*anthropic-sonnet-us-west/);
  assert.equal(status('code-assistant: Anthropic rate limits')?.status, 'failed');
  assert.match(coverage.plans.find((p) => p.planName === 'code-assistant: Anthropic rate limits')!.last!.verdict!, /over the RTO of .* The slowest part was/);
  assert.equal(status('doc-summarizer: slow Gemini first token')?.status, 'never_run');
  assert.ok(coverage.plans.every((p) => p.nextRunAt === null || p.nextRunAt.getTime() > Date.now()), 'nothing scheduled in the past: the scheduler would start it at the demo start');
  // The drills page reads every plan's fingerprint at once: the same as each plan's read alone, whatever its scope's kind.
  const { fingerprint, fingerprints } = await import('@/lib/recovery/drill-states');
  const plans = (await db().drillPlan.findMany({ select: { serviceId: true, runbookId: true, scope: true } })).map((p) => ({ ...p, scope: p.scope as { kind: 'targets' | 'provider' | 'region'; ids: string[] } }));
  assert.deepEqual(new Set(plans.map((p) => p.scope.kind)), new Set(['targets', 'provider', 'region']));
  const alone = [];
  for (const plan of plans) alone.push(await fingerprint(db(), plan));
  assert.deepEqual(await fingerprints(db(), plans), alone);
  assert.ok(alone.every((f) => f.targets.length > 0 && f.chain.length > 0));
  // Seeding again adds nothing.
  const before = await db().drillRun.count();
  await seedDemoEstate();
  assert.equal(await db().drillRun.count(), before);
});
