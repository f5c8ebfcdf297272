// Runbooks in configuration history, and the incident step that applies a
// saved configuration version, against real PostgreSQL. A database of their
// own: a restore brings back every section as it was, which on the shared
// test database would also undo what other files wrote without versions.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { getIncident, getTimeline } from '@/lib/incidents/data';
import { openIncident, runActionStep } from '@/lib/incidents/mutations';
import { createService, updateService } from '@/lib/inventory/mutations';
import { runbooksSection } from '@/lib/runbooks/config-section';
import { getRunbook } from '@/lib/runbooks/data';
import { createRunbook, saveRunbook, setRunbookArchived } from '@/lib/runbooks/mutations';
import { db } from '@/lib/server/db';
import { AppError } from '@/lib/server/errors';
import { applyMigrations } from '@/lib/server/runtime/migrate';
import { settingsSection } from '@/lib/settings/config-section';
import { setPrivateNetworks } from '@/lib/settings/mutations';
import { createScratchDatabase, createTestUsers, disconnectScratchClients, onDatabase, rejectsWith, type TestUsers } from '@/test/fixtures';
import { applyConfigVersion, previewConfigVersion } from './mutations';

let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
let users: TestUsers;
/** Runs `work` on this file's own database. */
const here = <T>(work: () => Promise<T>) => onDatabase(scratch.url, work);

before(async () => {
  scratch = await createScratchDatabase('runbook_history');
  await applyMigrations(scratch.url, path.resolve(__dirname, '../../prisma/migrations'));
  users = await here(() => createTestUsers());
});

after(async () => {
  await disconnectScratchClients();
  await scratch.drop();
  await db().$disconnect();
});

const steps = (...titles: string[]) => titles.map((title, i) => ({ key: `s${i + 1}`, kind: 'instruction' as const, title, body: `Do ${title}.` }));
const newest = (section: string) => db().configVersion.findFirstOrThrow({ where: { section }, orderBy: { number: 'desc' } });
const readSection = (section: typeof runbooksSection) => db().$transaction((tx) => section.read(tx));

describe('runbooks in configuration history', () => {
  test('an edit makes a configuration version; restoring an earlier one brings the steps back as a new runbook version, previewed by name; a viewer cannot restore', { timeout: 120_000 }, async () => {
    await here(async () => {
      const { admin, operator, commander, viewer } = users;
      const service = await createService(operator, { name: 'support-bot', description: 'support', owner: 'qa', reason: 'the service the runbook is for' });
      const created = await createRunbook(commander, { name: 'OpenAI outage', failureMode: 'provider_outage', serviceIds: [service.id], steps: steps('Check the status page', 'Fail over to Anthropic'), note: 'first cut' });
      const v1 = await newest('runbooks');
      assert.equal(v1.action, 'runbook.create');
      assert.equal(v1.actorEmail, commander.email);
      assert.match(v1.content, /name: OpenAI outage/);
      assert.match(v1.content, /- support-bot/, 'the file names the service, not its id');
      assert.ok(!v1.content.includes(service.id));

      await saveRunbook(operator, { runbookId: created.id, expectedVersion: 1, name: 'OpenAI outage', failureMode: 'provider_outage', serviceIds: [service.id], steps: steps('Page the on-call'), note: 'shorter' });
      const edited = await newest('runbooks');
      assert.ok(edited.number > v1.number);
      assert.equal(edited.action, 'runbook.update');
      assert.equal(edited.actorEmail, operator.email);
      assert.equal(edited.reason, 'shorter');
      assert.match(edited.summary, /runbook OpenAI outage: changed/);
      assert.match(edited.content, /Page the on-call/);

      // An incident follows version 2; then the runbook is archived (a version too) and another is added after v1.
      const incident = await openIncident(commander, { title: 'OpenAI is down', severity: 'P2', runbookId: created.id });
      await setRunbookArchived(commander, { runbookId: created.id, expectedVersion: 2, archived: true });
      assert.equal((await newest('runbooks')).action, 'runbook.archive');
      const later = await createRunbook(commander, { name: 'Later runbook', failureMode: 'regional_outage', steps: steps('Wait') });

      const preview = await previewConfigVersion(viewer, v1.id);
      const section = preview.sections.find((s) => s.key === 'runbooks')!;
      assert.equal(section.unchanged, false);
      const change = section.changes.find((c) => c.entity === 'runbook' && c.name === 'OpenAI outage')!;
      assert.equal(change.kind, 'update');
      assert.deepEqual(change.changes.map((c) => c.field), ['steps', 'archived']);
      assert.deepEqual(change.changes.find((c) => c.field === 'steps'), { field: 'steps', from: '1 step: Page the on-call', to: '2 steps: Check the status page; Fail over to Anthropic' });
      assert.ok(section.changes.some((c) => c.kind === 'unmanaged' && c.name === 'Later runbook'), 'a runbook added since is named and left as it is');
      assert.ok(section.impact.some((line) => /Runbook OpenAI outage gets version 3/.test(line)), section.impact.join('\n'));
      assert.ok(section.impact.some((line) => /OpenAI outage is back in the library/.test(line)));

      await rejectsWith(applyConfigVersion(viewer, v1.id, 'viewer tries', preview.fingerprint), 'FORBIDDEN');
      await rejectsWith(applyConfigVersion(commander, v1.id, 'commander tries', preview.fingerprint), 'FORBIDDEN');
      assert.equal((await getRunbook(created.id))!.version, 2, 'a refused restore changes nothing');

      const restored = await applyConfigVersion(admin, v1.id, 'the two-step runbook worked better', preview.fingerprint);
      assert.equal(restored.restored, v1.number);
      const now = (await getRunbook(created.id))!;
      assert.equal(now.version, 3, 'the restore is a new runbook version');
      assert.equal(now.archived, false);
      assert.deepEqual(now.shown.steps.map((s) => s.title), ['Check the status page', 'Fail over to Anthropic']);
      assert.deepEqual((await getRunbook(created.id, 2))!.shown.steps.map((s) => s.title), ['Page the on-call'], 'version 2 is kept');
      const ran = (await getIncident(incident.id))!.runbooks.find((r) => r.runbookId === created.id)!;
      assert.equal(ran.version, 2, 'the incident keeps the version it ran');
      assert.ok(await getRunbook(later.id), 'the runbook added since is still there');

      const version = await newest('runbooks');
      assert.equal(version.restoredFrom, v1.number);
      assert.equal(version.actorEmail, admin.email);
      assert.match(version.content, /Check the status page/);
      assert.equal(await readSection(runbooksSection), version.content);
      const audit = await db().auditLog.findFirstOrThrow({ where: { action: 'config.restore' }, orderBy: { id: 'desc' } });
      assert.equal(audit.reason, 'the two-step runbook worked better');
      assert.match(JSON.stringify(audit.after), /OpenAI outage/);

      // A service renamed since: the preview says the runbook names one Standby lacks now, without blocking the routing restore that brings it back.
      const { version: serviceVersion } = await db().service.findUniqueOrThrow({ where: { id: service.id }, select: { version: true } });
      await updateService(operator, { id: service.id, version: serviceVersion }, { name: 'support-bot-2', description: 'support', owner: 'qa', reason: 'renamed' });
      const followed = await newest('runbooks');
      assert.equal(followed.action, 'service.update', 'the rename writes the runbooks file that names the service too');
      assert.match(followed.content, /- support-bot-2/);
      const renamed = (await previewConfigVersion(viewer, v1.id)).sections.find((s) => s.key === 'runbooks')!;
      assert.deepEqual(renamed.problems, []);
      assert.ok(renamed.impact.some((line) => /Runbook OpenAI outage names service support-bot, which Standby does not have now/.test(line)), renamed.impact.join('\n'));
    });
  });
});

describe('the incident step "apply a saved configuration version"', () => {
  test('an admin restores a version by "vN", by plain number or by id; an unknown number is refused and changes nothing; a commander without settings.write is refused', { timeout: 120_000 }, async () => {
    await here(async () => {
      const { admin, commander } = users;
      await setPrivateNetworks(admin, { networks: '10.0.0.0/8', reason: 'the lab network' });
      const first = await newest('settings');
      await setPrivateNetworks(admin, { networks: '10.0.0.0/8\n192.168.0.0/16', reason: 'the office too' });
      const second = await newest('settings');
      await setPrivateNetworks(admin, { networks: '172.16.0.0/12', reason: 'moved' });

      // Long names and a long reason: what the restore is told stays within what it accepts.
      const title = `Apply the last known good configuration ${'x'.repeat(150)}`;
      const runbook = await createRunbook(commander, {
        name: `Bad configuration ${'y'.repeat(90)}`, failureMode: 'database_loss',
        steps: [{ key: 'config', kind: 'action', title, params: { action: 'apply_config_version' } }, { key: 'again', kind: 'action', title: 'Apply it again', params: { action: 'apply_config_version' } }],
      });
      const opened = await openIncident(commander, { title: 'Routing broke after a change', severity: 'P1', runbookId: runbook.id });
      const stepOf = async (key: string) => (await getIncident(opened.id))!.runbooks.flatMap((r) => r.steps).find((s) => s.key === key)!;
      const settingsNow = () => readSection(settingsSection);
      const before = { settings: await settingsNow(), versions: await db().configVersion.count() };
      let step = await stepOf('config');
      const run = (caller: typeof admin, versionId: string, reason: string) => runActionStep(caller, { stepRunId: step.runId, expectedVersion: step.version, values: { action: 'apply_config_version', versionId }, reason });

      await rejectsWith(run(commander, `v${first.number}`, 'back to the lab network'), 'FORBIDDEN');
      await assert.rejects(run(admin, '999999', 'back to the lab network'), (error: unknown) => error instanceof AppError && error.code === 'INVALID' && /There is no configuration version 999999/.test(error.message));
      step = await stepOf('config');
      assert.equal(step.status, 'pending', 'a refusal leaves the step as it was');
      assert.equal(await settingsNow(), before.settings, 'nothing changed');
      assert.equal(await db().configVersion.count(), before.versions);
      const refusals = (await getTimeline(opened.id)).events.filter((e) => e.kind === 'step' && /refused/.test(e.text));
      assert.equal(refusals.length, 1, 'the unknown number is on the timeline; the commander\'s refusal is not (nothing was tried)');
      assert.match(refusals[0].text, /There is no configuration version 999999/);

      const reason = `the change at 14:02 broke routing ${'z'.repeat(360)}`;
      const result = await run(admin, `v${first.number}`, reason);
      assert.match(result.summary, new RegExp(`^configuration restored to version ${first.number} \\(settings\\); new version \\d+$`));
      assert.equal(await settingsNow(), first.content, 'the settings are as they were at that version');
      step = await stepOf('config');
      assert.equal(step.status, 'done');
      assert.equal(step.finishedBy, admin.email);
      assert.equal(step.result.summary, result.summary);
      const incident = (await getIncident(opened.id))!;
      assert.ok((await getTimeline(opened.id)).events.some((e) => e.kind === 'step' && e.text.includes(`ran step 1 "${title}"`) && e.text.includes(result.summary)));
      const audit = await db().auditLog.findFirstOrThrow({ where: { action: 'config.restore' }, orderBy: { id: 'desc' } });
      assert.ok(audit.reason?.startsWith(`${incident.publicId}, step 1`), 'the restore is audited with the incident and the step');

      // The same step kind by plain number and by id.
      step = await stepOf('again');
      const byNumber = await run(admin, String(second.number), 'the office needs it');
      assert.match(byNumber.summary, new RegExp(`restored to version ${second.number} `));
      assert.equal(await settingsNow(), second.content);
      await setPrivateNetworks(admin, { networks: '172.16.0.0/12', reason: 'moved again' });
      const other = await openIncident(commander, { title: 'Once more', severity: 'P3', runbookId: runbook.id });
      step = (await getIncident(other.id))!.runbooks.flatMap((r) => r.steps).find((s) => s.key === 'again')!;
      await run(admin, first.id, 'by its id');
      assert.equal(await settingsNow(), first.content);
    });
  });
});
