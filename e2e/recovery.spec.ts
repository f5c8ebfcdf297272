// A manager's path through recovery objectives: the grid, a breach followed to
// the episode it came from, and the signed-off report downloaded as PDF. The
// demo estate's history has a support-bot outage that breached its routing
// objective (OpenAI and Azure OpenAI failing together).
import { expect, test } from '@playwright/test';
import { signIn } from './fixtures';

test('a viewer opens the grid, follows a breach to its episode, and downloads the report as PDF', async ({ page }) => {
  await signIn(page, 'viewer', '/recovery');
  const grid = page.getByTestId('compliance-grid');
  await expect(grid).toBeVisible();
  await expect(page.getByRole('button', { name: 'New component' })).toHaveCount(0);

  const row = grid.locator('[data-testid="compliance-row"][data-component="support-bot routing"]');
  const breach = row.locator('[data-testid="compliance-cell"][data-disruption="provider_outage"]');
  await expect(breach).toHaveAttribute('data-verdict', 'exceeded');
  await breach.getByRole('link').first().click();

  await expect(page).toHaveURL(/\/recovery\/episodes\//);
  await expect(page.getByRole('heading', { name: 'Provider outage: support-bot routing' })).toBeVisible();
  await expect(page.getByTestId('episode-rto')).toHaveText('41 s');
  const timeline = page.getByTestId('episode-timeline');
  await expect(timeline).toContainText('operator@standby.demo forced a failover');
  await expect(page.getByText('Detect 2.3 s')).toBeVisible();

  await page.getByRole('link', { name: '← Recovery' }).click();
  await page.getByRole('link', { name: 'Report' }).click();
  await expect(page.getByRole('heading', { name: /^Recovery report: Q\d \d{4}/ })).toBeVisible();
  await expect(page.getByTestId('report-summary')).toContainText('objectives breached');
  const download = page.waitForEvent('download');
  await page.getByTestId('download-pdf').click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^standby-recovery-\d{4}-Q\d\.pdf$/);
  const stream = await file.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const pdf = Buffer.concat(chunks);
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  expect(pdf.length).toBeGreaterThan(10_000);
});

test('an operator changes an objective with a reason and the grid judges by it', async ({ page }) => {
  await signIn(page, 'operator', '/recovery');
  await page.locator('[data-testid="compliance-row"][data-component="doc-summarizer routing"]').getByRole('link', { name: 'doc-summarizer routing' }).click();
  const row = page.locator('[data-testid="objective-row"][data-disruption="capacity_loss"]');
  await row.getByRole('button', { name: /^Edit/ }).click();
  const drawer = page.getByRole('dialog');
  await drawer.getByRole('textbox', { name: 'RTO (seconds)' }).fill('-5');
  await drawer.getByRole('button', { name: 'Save objective' }).click();
  await expect(drawer).toContainText('must be more than 0 seconds');
  await drawer.getByRole('textbox', { name: 'RTO (seconds)' }).fill('120');
  await drawer.getByRole('textbox', { name: 'Reason (kept in the audit log)' }).fill('Batch summaries: callers retry');
  await drawer.getByRole('button', { name: 'Save objective' }).click();
  await expect(row).toContainText('2 min');
  await expect(row).toContainText('v2 by operator@standby.demo');
});
