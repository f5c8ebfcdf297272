// What a person reads and tries on a service's page, whatever their role
// (nothing here is saved): the history charts show the traffic just sent and
// follow the range chosen, and the what-if editor recomputes the availability
// maths as the chain is edited, refusing what is not a percentage.
import { expect, test } from '@playwright/test';
import OpenAI from 'openai';
import { signIn } from './fixtures';
import { E2E_BASE_URL } from './test-env';

const DEMO_API_TOKEN = 'sbk_demo0000_StandbyDemoTokenForLocalUseOnly0';
const SERVICE = 'support-bot';

test('a viewer sees the traffic just sent in the history charts, and switches the range', async ({ page }) => {
  const client = new OpenAI({ baseURL: `${E2E_BASE_URL}/api/v1`, apiKey: DEMO_API_TOKEN, maxRetries: 0 });
  for (let i = 0; i < 3; i += 1) await client.chat.completions.create({ model: SERVICE, messages: [{ role: 'user', content: `chart me ${i}` }] });

  await signIn(page, 'viewer', `/services/${SERVICE}`);
  const charts = page.getByTestId('service-charts');
  // The smallest range that holds the data: this estate is minutes old, so the last hour, not a day squeezed into its last pixels.
  await expect(charts).toContainText(/Last hour in 1 min buckets: [1-9][\d,]* requests, \d[\d,]* failed, availability/, { timeout: 15_000 });
  for (const title of ['Availability', 'Latency and time to first token', 'Requests and errors by class']) {
    await expect(charts.getByRole('figure', { name: title })).toBeVisible();
  }

  await charts.getByText('24 h', { exact: true }).click();
  await expect(charts).toContainText(/Last 24 hours in 15 min buckets: [1-9][\d,]* requests/);
  await expect(charts.getByRole('figure', { name: 'Availability' })).toBeVisible();
});

test('the what-if editor recomputes as the chain is edited: shared fate, a bad percentage, a removed target', async ({ page }) => {
  await signIn(page, 'viewer', `/services/${SERVICE}`);
  const editor = page.getByTestId('what-if-editor');
  await editor.getByRole('button', { name: 'Load textbook case' }).click();
  await expect(editor.getByTestId('what-if-row')).toHaveCount(3);
  // Three independent providers at 99.5%: 1 - 0.005^3.
  await expect(editor.getByTestId('what-if-chain-value')).toHaveText('99.9999875%');
  await expect(editor.getByTestId('textbook-note')).toContainText('99.9999875%');

  // The third provider moved into the second's failure domain: two domains left, 1 - 0.005^2.
  const domain = editor.getByLabel('Target 3 failure domain', { exact: true });
  await domain.fill('provider-b');
  await domain.press('Escape');
  await expect(editor.getByTestId('what-if-chain-value')).toHaveText('99.9975%');

  const availability = editor.getByLabel('Target 1 availability (%)', { exact: true });
  await availability.fill('101');
  await expect(editor).toContainText('Availability is a percentage from 0 to 100');
  await expect(editor.getByTestId('what-if-chain-value')).toHaveCount(0);
  await availability.fill('99.5');
  await expect(editor.getByTestId('what-if-chain-value')).toHaveText('99.9975%');

  await editor.getByRole('button', { name: 'Remove provider-a' }).click();
  await expect(editor.getByTestId('what-if-row')).toHaveCount(2);
  // provider-b and provider-c now share one domain: the chain is as good as one provider.
  await expect(editor.getByTestId('what-if-chain-value')).toHaveText('99.5%');
});
