// The runbook library on real PostgreSQL (issue 13): an edit makes a new
// version, an incident keeps the version it started with, two editors saving
// at once never overwrite each other.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { getIncident } from '@/lib/incidents/data';
import { openIncident } from '@/lib/incidents/mutations';
import { db } from '@/lib/server/db';
import { AppError } from '@/lib/server/errors';
import { createTestUsers, rejectsWith, uniqueName, type TestUsers } from '@/test/fixtures';
import { getRunbook } from './data';
import { createRunbook, saveRunbook } from './mutations';

let users: TestUsers;

before(async () => {
  users = await createTestUsers();
});

after(async () => {
  await db().$disconnect();
});

const steps = (...titles: string[]) => titles.map((title, i) => ({ key: `s${i + 1}`, kind: 'instruction' as const, title, body: `Do ${title}.` }));

test('an edit makes a new version; an incident keeps the version it ran, a new incident takes the latest', async () => {
  const name = uniqueName('Versioned');
  const created = await createRunbook(users.commander, { name, failureMode: 'provider_outage', steps: steps('Check the status page') });
  const first = await openIncident(users.commander, { title: uniqueName('on v1'), severity: 'P3', runbookId: created.id });

  const saved = await saveRunbook(users.operator, { runbookId: created.id, expectedVersion: 1, name, failureMode: 'provider_outage', steps: steps('Call the provider', 'Check the status page'), note: 'call first' });
  assert.equal(saved.version, 2);
  assert.deepEqual((await getRunbook(created.id, 1))!.shown.steps.map((s) => s.title), ['Check the status page'], 'version 1 is kept as it was');
  assert.deepEqual((await getRunbook(created.id))!.shown.steps.map((s) => s.title), ['Call the provider', 'Check the status page']);

  const ran = (await getIncident(first.id))!.runbooks.find((r) => r.runbookId === created.id)!;
  assert.equal(ran.version, 1);
  assert.equal(ran.latestVersion, 2, 'the cockpit can say the runbook moved on');
  assert.deepEqual(ran.steps.map((s) => s.title), ['Check the status page'], 'the incident keeps the steps it started with');

  const second = await openIncident(users.commander, { title: uniqueName('on v2'), severity: 'P3', runbookId: created.id });
  assert.deepEqual((await getIncident(second.id))!.runbooks.find((r) => r.runbookId === created.id)!.steps.map((s) => s.title), ['Call the provider', 'Check the status page']);
});

test('two editors save from the same version at once: one version is written, the other is told who saved', async () => {
  const name = uniqueName('Contested');
  const created = await createRunbook(users.commander, { name, failureMode: 'regional_outage', steps: steps('Drain the region') });
  const results = await Promise.allSettled([
    saveRunbook(users.commander, { runbookId: created.id, expectedVersion: 1, name, failureMode: 'regional_outage', steps: steps('Drain the region', 'Tell #incidents'), note: 'commander' }),
    saveRunbook(users.operator, { runbookId: created.id, expectedVersion: 1, name, failureMode: 'regional_outage', steps: steps('Drain the region', 'Check the other regions'), note: 'operator' }),
  ]);
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  const refused = (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason;
  assert.ok(refused instanceof AppError && refused.code === 'CONFLICT');
  assert.match(refused.message, /saved version 2 of this runbook while you were editing/);
  assert.equal(await db().runbookVersion.count({ where: { runbookId: created.id } }), 2, 'versions 1 and 2, nothing overwritten');
  await rejectsWith(saveRunbook(users.viewer, { runbookId: created.id, expectedVersion: 2, name, failureMode: 'regional_outage', steps: steps('Viewer') }), 'FORBIDDEN');
});
