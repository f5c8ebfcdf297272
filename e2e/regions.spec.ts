import { expect, test, type Page } from '@playwright/test';
import { field, regionExists, signIn, sql, uniqueName, visit } from './fixtures';

test.beforeEach(async ({ page }) => {
  await signIn(page, 'operator', '/regions');
});

const regionRow = (page: Page, code: string) => page.getByRole('row').filter({ has: page.getByRole('cell', { name: code, exact: true }) });

test('an operator creates a region and finds it by search', async ({ page }) => {
  const code = uniqueName('e2e-new');
  await page.getByRole('button', { name: 'New region' }).click();
  const drawer = page.getByRole('dialog', { name: 'New region' });
  await field(drawer, 'Code').fill(code);
  await field(drawer, 'Name').fill('Frankfurt test');
  await field(drawer, 'Location').fill('Frankfurt, Germany');
  await drawer.getByRole('button', { name: 'Create region' }).click();
  await expect(drawer).toBeHidden();
  await expect(regionRow(page, code)).toContainText('Frankfurt, Germany');

  await page.getByRole('textbox', { name: 'Search' }).fill(code);
  await expect(page).toHaveURL(new RegExp(`q=${code}`));
  await expect(page.getByRole('table', { name: 'Regions' }).getByRole('row')).toHaveCount(2); // the header and our region
  await expect(regionRow(page, code)).toBeVisible();
});

test('an invalid code is explained under the field and nothing is created', async ({ page }) => {
  const name = uniqueName('Invalid code');
  await page.getByRole('button', { name: 'New region' }).click();
  const drawer = page.getByRole('dialog', { name: 'New region' });
  await field(drawer, 'Code').fill('Bad Code!');
  await field(drawer, 'Name').fill(name);
  await drawer.getByRole('button', { name: 'Create region' }).click();
  await expect(field(drawer, 'Code')).toHaveAccessibleDescription(/Use lower-case letters, digits/);
  await expect(drawer).toBeVisible();
  expect(await sql('SELECT 1 FROM "Region" WHERE name = $1', [name])).toHaveLength(0);
});

test('an edit is recorded in the audit log with who, why, before and after', async ({ page }) => {
  const code = uniqueName('e2e-edit');
  await sql(`INSERT INTO "Region" (id, code, name, "updatedAt") VALUES (gen_random_uuid(), $1, 'Old name', now())`, [code]);
  const reason = uniqueName('renamed for the e2e test');
  await visit(page, '/regions');
  await page.getByRole('button', { name: `Edit ${code}` }).click();
  const drawer = page.getByRole('dialog', { name: `Edit region ${code}` });
  await field(drawer, 'Name').fill('New name');
  await field(drawer, 'Reason (kept in the audit log)').fill(reason);
  await drawer.getByRole('button', { name: 'Save region' }).click();
  await expect(drawer).toBeHidden();
  await expect(regionRow(page, code)).toContainText('New name');

  await visit(page, '/audit');
  await field(page, 'Entity').fill(code);
  await expect(page).toHaveURL(new RegExp(`entity=${code}`));
  const entry = page.getByRole('row').filter({ hasText: 'region.update' });
  await expect(entry).toHaveCount(1);
  await expect(entry).toContainText('operator@standby.demo');
  await expect(entry).toContainText(reason);
  await entry.getByRole('button', { name: `Details of region.update ${code}` }).click();
  const changes = page.getByRole('table', { name: /Changes in entry/ });
  await expect(changes.getByRole('row').filter({ hasText: 'Old name' })).toContainText('New name');
});

test('a region that targets run in cannot be deleted, and the refusal says why', async ({ page }) => {
  await regionRow(page, 'us-east').getByRole('button', { name: 'Delete' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete region us-east?' });
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await expect(dialog.getByRole('alert')).toContainText(/Region us-east cannot be deleted: \d+ targets? .* run there/);
  expect(await regionExists('us-east')).toBe(true);
});
