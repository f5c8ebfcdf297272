import { expect, test } from '@playwright/test';
import { field, signIn, sql, uniqueName, visit } from './fixtures';

test('an operator changes a target\'s RPM, and the audit log shows who did it and why', async ({ page }) => {
  const name = 'openai-gpt-4o-us-east';
  const rpm = 20_000 + Math.floor(Math.random() * 10_000);
  const reason = uniqueName('quota raised');
  await signIn(page, 'operator', `/targets?q=${name}`);
  await page.getByRole('button', { name: `Edit ${name}` }).click();
  const drawer = page.getByRole('dialog', { name: `Edit target ${name}` });
  await field(drawer, 'Requests per minute').fill(String(rpm));
  await field(drawer, 'Reason (kept in the audit log)').fill(reason);
  await drawer.getByRole('button', { name: 'Save target' }).click();
  await expect(drawer).toBeHidden();
  expect(await sql('SELECT rpm FROM "Target" WHERE name = $1', [name])).toEqual([{ rpm }]);

  await visit(page, '/audit');
  await field(page, 'Entity').fill(name);
  await field(page, 'Action').fill('target.update');
  await expect(page).toHaveURL(/entity=.*action=target\.update/);
  const entry = page.getByRole('row').filter({ hasText: reason });
  await expect(entry).toContainText('operator@standby.demo');
  await expect(entry).toContainText('target.update');
  await entry.getByRole('button', { name: `Details of target.update ${name}` }).click();
  await expect(page.getByRole('table', { name: /Changes in entry/ }).getByRole('row').filter({ hasText: String(rpm) })).toContainText('rpm');
});

test('at 1440 px the row actions are in view, and a target name leads to its page: chains, breaker, probes, history', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const name = 'anthropic-sonnet-us-west';
  await signIn(page, 'operator', `/targets?q=${name}`);
  const row = page.getByRole('table', { name: 'Targets' }).getByRole('row').filter({ hasText: name });
  for (const action of [`Edit ${name}`, 'Disable', 'Delete']) await expect(row.getByRole('button', { name: action }), action).toBeInViewport();

  await row.getByRole('link', { name }).click();
  await expect(page).toHaveURL(`/targets/${name}`);
  await expect(page.getByRole('heading', { name })).toBeVisible();
  const chains = page.getByRole('table', { name: 'Failover chains using this target' });
  await expect(chains.getByRole('row').filter({ hasText: 'code-assistant' })).toContainText('1 of 3');
  await expect(chains.getByRole('row').filter({ hasText: 'support-bot' })).toContainText('3 of 4');
  await expect(page.getByTestId('breaker-signal')).toContainText('fed by');
  await expect(page.getByRole('link', { name: 'Full history in the audit log' })).toHaveAttribute('href', `/audit?entity=${name}`);
});

test('the audit log takes From and To as UTC text, never in the browser\'s own format', async ({ page }) => {
  await signIn(page, 'viewer', '/audit');
  const from = field(page, 'From (UTC)');
  expect(await from.getAttribute('type') ?? 'text', 'a text field, not the browser\'s date picker').toBe('text');
  await from.fill('2026-12-07 14:30');
  await expect(page).toHaveURL(/from=2026-12-07\+14%3A30|from=2026-12-07%2014%3A30/);
  await field(page, 'To (UTC)').fill('07/12/2026');
  await expect(page.getByText('Write a UTC date, e.g. 2026-12-07 or 2026-12-07 14:30.')).toBeVisible();
});

test.describe('a long target list', () => {
  const prefix = uniqueName('e2e-page');

  test.beforeAll(async () => {
    await sql(
      `INSERT INTO "Target" (id, name, "providerId", "regionId", model, "endpointUrl", rpm, tpm, "contextWindow", "priceInPerMTok", "priceOutPerMTok", "qualityClass", "updatedAt")
       SELECT gen_random_uuid(), $1 || '-' || lpad(i::text, 2, '0'), p.id, r.id, 'gpt-4o', 'https://api.example.com/v1', 100, 10000, 128000, 1, 2, 'standard'::"QualityClass", now()
       FROM generate_series(1, 55) AS i, "Provider" p, "Region" r WHERE p.name = 'openai' AND r.code = 'us-west'`,
      [prefix],
    );
  });
  test.afterAll(async () => {
    await sql(`DELETE FROM "Target" WHERE name LIKE $1 || '-%'`, [prefix]);
  });

  test('shows 50 targets a page, with the rest on the next', async ({ page }) => {
    const [{ total }] = await sql<{ total: number }>('SELECT count(*)::int AS total FROM "Target"');
    await signIn(page, 'viewer', '/targets');
    const rows = page.getByRole('table', { name: 'Targets' }).locator('tbody tr');
    await expect(page.getByTestId('pagination-summary')).toHaveText(`Showing 1–50 of ${total}`);
    await expect(rows).toHaveCount(50);

    await page.getByRole('button', { name: 'next page' }).click();
    await expect(page).toHaveURL(/page=2/);
    await expect(page.getByTestId('pagination-summary')).toHaveText(`Showing 51–${Math.min(100, total)} of ${total}`);
    await expect(rows).toHaveCount(Math.min(50, total - 50));
  });
});
