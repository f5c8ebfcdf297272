// An operator plans a drill with a schedule, runs it now, watches it live and
// halts it; a viewer then finds it in the compliance report. (A full run
// measured to a verdict takes a minute of traffic and detection: it is covered
// by lib/drills/drills.integration.test.ts.)
import { expect, test } from '@playwright/test';
import { signIn, sql } from './fixtures';

/**
 * What a run leaves in the shared e2e database, undone even when the test fails half-way: its faults end (the
 * lease would otherwise hold for its 300 s on a target other specs route to) and its drill incident is resolved
 * (an open incident on support-bot is where other specs' signals and incidents would land).
 */
async function cleanUpRun(runId: string) {
  await sql(`UPDATE "DrillFault" SET "endedAt" = now(), "endReason" = 'stopped' WHERE "runId" = $1 AND "endedAt" IS NULL`, [runId]);
  await sql(`UPDATE "Incident" SET status = 'resolved', "resolvedAt" = coalesce("resolvedAt", now()) WHERE id = (SELECT "incidentId" FROM "DrillRun" WHERE id = $1) AND status NOT IN ('resolved', 'postmortem', 'closed')`, [runId]);
}

test('an operator schedules and runs a drill, and a viewer sees it in the compliance report', async ({ page, browser }) => {
  const name = `e2e drill ${Date.now().toString(36)}`;
  await signIn(page, 'operator', '/drills');
  await expect(page.getByRole('heading', { name: 'Drills', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'New drill' }).click();
  const drawer = page.getByRole('dialog');
  await drawer.getByLabel('Name').fill(name);
  await drawer.getByLabel('Faults last (s)').fill('300');
  // Validation: no target chosen yet.
  await drawer.getByRole('button', { name: 'Create drill' }).click();
  await expect(drawer.getByText('Choose at least one target, provider or region.')).toBeVisible();
  await drawer.getByRole('combobox', { name: 'Faulted targets' }).click();
  await page.getByRole('option', { name: 'anthropic-sonnet-us-west', exact: true }).click();
  await page.keyboard.press('Escape');
  await drawer.getByLabel('Next run').fill('2030-01-15T09:00');
  await drawer.getByLabel('Repeat every (days)').fill('90');
  await drawer.getByRole('button', { name: 'Create drill' }).click();
  await expect(page).toHaveURL(/\/drills\/[0-9a-f-]{36}$/);
  await expect(page.getByText('2030-01-15 09:00')).toBeVisible();

  await page.getByRole('button', { name: 'Run now' }).click();
  await page.getByRole('button', { name: 'Start the drill' }).click();
  await expect(page).toHaveURL(/\/drills\/runs\/[0-9a-f-]{36}$/);
  const runId = new URL(page.url()).pathname.split('/').pop()!;
  try {
    await expect(page.getByText(/Faults on: /)).toBeVisible();
    await expect(page.getByRole('progressbar', { name: 'Drill progress' })).toBeVisible();
    await page.getByRole('button', { name: 'Halt now' }).click();
    await page.getByLabel('Reason (kept in the audit log)').fill('e2e: seen enough');
    await page.getByRole('button', { name: 'Halt', exact: true }).click();
    await expect(page.getByText(/Halted by operator@standby.demo: e2e: seen enough/).first()).toBeVisible();

    const viewer = await browser.newPage();
    await signIn(viewer, 'viewer', '/recovery/report');
    const section = viewer.getByRole('region', { name: 'Drills: freshness and coverage' });
    const row = section.getByRole('row', { name: new RegExp(name) });
    await expect(row).toContainText('Halted');
    await signIn(viewer, 'viewer', '/drills');
    await expect(viewer.getByRole('button', { name: 'New drill' })).toHaveCount(0);
    await viewer.close();
  } finally {
    await cleanUpRun(runId);
  }
});

test('on a phone, every drill plan shows its status, score and last run in view, and its runs show their verdict', async ({ browser }) => {
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
  try {
    await signIn(phone, 'viewer', '/drills');
    const plans = phone.getByRole('list', { name: 'Drill plans' });
    const plan = plans.getByRole('listitem').filter({ hasText: 'code-assistant: Anthropic rate limits' });
    await expect(plan).toContainText('Failed');
    await expect(plan).toContainText(/Score 0 · code-assistant · Capacity loss/);
    await expect(plan).toContainText(/Last run 20\d\d-\d\d-\d\d \d\d:\d\d UTC · RTO 45 s of 30 s/);
    // Nothing of it is off screen to the right (the table it replaces scrolled its status and figures away).
    const box = (await plan.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    await plan.getByRole('link', { name: 'code-assistant: Anthropic rate limits' }).click();
    const run = phone.getByRole('list', { name: 'Runs' }).getByRole('listitem').first();
    await expect(run).toContainText(/failed/i);
    // A routing drill's RTO ends when callers are answered from elsewhere: the part named is one of that RTO.
    await expect(run).toContainText(/Recovered in 45 s, over the RTO of 30 s\. The slowest part was detect/);
  } finally {
    await phone.close();
  }
});
