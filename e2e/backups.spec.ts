// Backups and state as people use them, on the demo estate: a viewer finds the
// model whose restore is slower than its RTO and the copy missing its
// tokenizer, and reads a configuration change's diff; an admin restores a
// saved configuration version after its preview, then puts the newer one back.
import { expect, test } from '@playwright/test';
import { signIn, sql } from './fixtures';

test('a viewer sees which models cannot be restored in time, and why', async ({ page }) => {
  await signIn(page, 'viewer', '/backups');
  await expect(page.getByRole('button', { name: 'New model' })).toHaveCount(0);
  const models = page.getByTestId('models-table');
  const big = models.locator('[data-testid="model-row"][data-model="vllm-llama-70b-on-prem"]');
  await expect(big.getByTestId('backup-verdict')).toHaveText('At risk');
  await expect(big).toContainText('21 min / 5 min');
  const small = models.locator('[data-testid="model-row"][data-model="vllm-llama-8b-on-prem"]');
  await expect(small.getByTestId('backup-verdict')).toHaveText('Restorable in time');

  await big.getByRole('link', { name: 'vllm-llama-70b-on-prem' }).click();
  await expect(page.getByTestId('model-fixes')).toContainText('Keep a pre-staged replica of vllm-llama-70b-on-prem in on-prem');
  await expect(page.getByRole('button', { name: 'Check copy' })).toHaveCount(0);

  await page.goto('/backups');
  await models.locator('[data-testid="model-row"][data-model="support-ft-mistral-7b"]').getByRole('link').click();
  await expect(page.getByTestId('copy-problems').first()).toContainText('tokenizer.json missing: without its tokenizer the model produces gibberish');

  await page.getByRole('link', { name: 'Configuration history' }).click();
  const row = page.locator('[data-testid="version-row"]', { hasText: 'degradation policy changed' });
  await expect(row).toContainText('cap them at 256 tokens');
  await row.getByRole('link').first().click();
  await expect(page.locator('[data-testid="diff-view"] [data-kind="changed"]')).toContainText('degradedMaxTokens: 256');
  await expect(page.getByRole('button', { name: 'Restore this version' })).toHaveCount(0);
});

test('an admin restores a saved configuration version after its preview, and puts the newer one back', async ({ page }) => {
  await signIn(page, 'admin', '/backups/config');
  const restore = async (summary: string, expectImpact: RegExp) => {
    await page.locator('[data-testid="version-row"]', { hasText: summary }).first().getByRole('link').first().click();
    await page.getByRole('button', { name: 'Restore this version' }).click();
    const dialog = page.getByRole('dialog');
    // The routing section says what changes (a restore that brings a conversation store back also brings its component).
    await expect(dialog.getByTestId('restore-section').filter({ hasText: expectImpact })).toHaveCount(1);
    await dialog.getByLabel(/Reason/).fill('e2e: rehearse a configuration rollback');
    await dialog.getByRole('button', { name: /^Restore version/ }).click();
    await expect(dialog).toHaveCount(0);
    await page.goto('/backups/config');
  };
  // Version 5: before support-bot's conversation store was turned on.
  await restore('degradation policy changed', /conversations\.store: true → false/);
  await expect(page.getByTestId('version-row').first()).toContainText('restored version 5');
  await page.goto('/backups/conversations');
  await expect(page.locator('[data-testid="conversation-store-row"][data-service="support-bot"]')).toContainText('off');
  // Its recovery component was retired by the restore itself: the leader's sync, a minute later, has nothing left to
  // change under the next preview (which it used to, refusing that restore as made on a changed configuration).
  const component = (retired: boolean) => sql(`SELECT 1 FROM "RecoveryComponent" WHERE name = 'support-bot conversations' AND ("retiredAt" IS NOT NULL) = $1`, [retired]);
  expect(await component(true)).toHaveLength(1);
  await page.goto('/backups/config');
  await restore('conversation store on', /conversations\.store: false → true/);
  await expect(page.getByTestId('version-row').first()).toContainText('restored version 6');
  expect(await component(false)).toHaveLength(1);
});

test('on a phone, each configuration version shows what changed, who, why and when in view, and opens its diff', async ({ browser }) => {
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
  try {
    await signIn(phone, 'viewer', '/backups/config');
    const version = phone.getByRole('list', { name: 'Configuration versions' }).getByRole('listitem').filter({ hasText: 'degradation policy changed' });
    await expect(version).toContainText(/v\d+\s*Routing/);
    await expect(version).toContainText('admin@standby.demo: Degraded answers on gpt-4o-mini ran past');
    await expect(version).toContainText(/20\d\d-\d\d-\d\d \d\d:\d\d UTC/);
    // The table it replaces on a phone scrolled who, why and when off to the right.
    const box = (await version.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await version.getByRole('link').first().click();
    await expect(phone.locator('[data-testid="diff-view"] [data-kind="changed"]')).toContainText('degradedMaxTokens: 256');
  } finally {
    await phone.close();
  }
});
