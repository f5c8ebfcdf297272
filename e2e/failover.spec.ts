// An operator flips failover in the browser and an application's next request,
// sent with the official OpenAI SDK, is served by the new target.
import { expect, test, type Page, type Request } from '@playwright/test';
import OpenAI from 'openai';
import { signIn, sql } from './fixtures';
import { E2E_BASE_URL } from './test-env';

const DEMO_API_TOKEN = 'sbk_demo0000_StandbyDemoTokenForLocalUseOnly0';
const client = new OpenAI({ baseURL: `${E2E_BASE_URL}/api/v1`, apiKey: DEMO_API_TOKEN, maxRetries: 0 });

async function servedBy(service: string): Promise<{ target: string | null; model: string; text: string }> {
  const { data, response } = await client.chat.completions.create({ model: service, messages: [{ role: 'user', content: 'Where is my order?' }] }).withResponse();
  return { target: response.headers.get('x-standby-target'), model: data.model, text: data.choices[0].message.content ?? '' };
}

async function steer(page: Page, button: string, reason: string) {
  await page.getByRole('button', { name: button, exact: true }).first().click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('textbox', { name: 'Reason' }).fill(reason);
  await expect(dialog.getByRole('table', { name: 'Targets that would take the traffic' })).toBeVisible();
  await dialog.getByRole('button', { name: button, exact: true }).click();
  await expect(dialog).toBeHidden();
}

test.describe.serial('steering support-bot', () => {
  test.afterAll(async () => {
    // Leave routing automatic for the other specs, whatever happened above.
    await sql(`UPDATE "RoutingOverride" SET "clearedAt" = now(), "clearedBy" = 'e2e cleanup' WHERE "clearedAt" IS NULL`);
  });

  test('forced failover moves the next SDK request to the next target, and returning to automatic moves it back', async ({ page }) => {
    expect((await servedBy('support-bot')).target).toBe('openai-gpt-4o-us-east');

    await signIn(page, 'operator', '/services/support-bot');
    await steer(page, 'Force failover', 'e2e: primary degraded, moving traffic');
    await expect(page.getByText('Forced failover').first()).toBeVisible();

    // Gateways pick the change up from NOTIFY within a second; poll briefly rather than sleep.
    await expect.poll(async () => (await servedBy('support-bot')).target, { timeout: 5_000 }).toBe('azure-gpt-4o-eu-west');
    const answer = await servedBy('support-bot');
    expect(answer.model).toBe('gpt-4o');
    expect(answer.text).toContain('azure-sim-eu-west');

    const audit = await sql<{ actorEmail: string; reason: string }>(`SELECT "actorEmail", reason FROM "AuditLog" WHERE action = 'routing.force_failover' ORDER BY id DESC LIMIT 1`);
    expect(audit[0]).toEqual({ actorEmail: 'operator@standby.demo', reason: 'e2e: primary degraded, moving traffic' });

    await steer(page, 'Return to automatic', 'e2e: primary healthy again');
    await expect.poll(async () => (await servedBy('support-bot')).target, { timeout: 5_000 }).toBe('openai-gpt-4o-us-east');
  });

  test('on a 900 px tall screen the Pin and Force failover dialogs keep their buttons in view', async ({ page }) => {
    // A 900 px screen leaves a browser about 780 px of page below its tabs and address bar.
    await page.setViewportSize({ width: 1440, height: 780 });
    await signIn(page, 'operator', '/services/support-bot');
    await page.getByRole('button', { name: 'Pin…', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Pin to').first().click();
    await page.getByRole('option', { name: 'vllm-llama-70b-on-prem' }).click();
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('e2e: does it fit');
    await expect(dialog.getByTestId('impact-preview')).toBeVisible();
    await expect(dialog.getByRole('button', { name: 'Pin', exact: true })).toBeInViewport({ ratio: 1 });
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeInViewport({ ratio: 1 });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Force failover', exact: true }).click();
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('e2e: does it fit');
    await expect(dialog.getByTestId('impact-preview')).toBeVisible();
    await expect(dialog.getByRole('button', { name: 'Force failover', exact: true })).toBeInViewport({ ratio: 1 });
  });

  test('the page shows the new routing as soon as the action returns', async ({ page }) => {
    await signIn(page, 'operator', '/services/support-bot');
    await expect(page.getByTestId('routing-card').getByTestId('routing-mode')).toHaveText('Automatic');
    await page.getByRole('button', { name: 'Force failover', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('e2e: does the page keep up');
    await expect(dialog.getByTestId('tier-forecast')).toContainText(/Stays Full: [\d,]+ RPM can serve[^.]*\. Nothing is refused or degraded\./);
    const confirm = dialog.getByRole('button', { name: 'Force failover', exact: true });

    // Hold back every other way the page could learn the new state (a refresh of the server page, the routing
    // poll): only the action's own answer can update the card while they wait.
    const held: (() => Promise<void>)[] = [];
    await page.route(
      (url) => url.pathname.includes('/routing') || url.pathname === '/services/support-bot',
      (route) => {
        if (route.request().method() !== 'GET') return route.continue();
        held.push(() => route.continue());
      },
    );
    await confirm.click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('routing-card').getByTestId('routing-mode')).toHaveText('Forced failover away from openai-gpt-4o-us-east');
    await page.unroute(() => true);
    for (const release of held) await release().catch(() => {});
    await steer(page, 'Return to automatic', 'e2e: keeping up checked');
    await expect(page.getByTestId('routing-card').getByTestId('routing-mode')).toHaveText('Automatic');
  });

  test('a viewer sees the routing but no steering controls', async ({ page }) => {
    await signIn(page, 'viewer', '/services/support-bot');
    await expect(page.getByRole('table', { name: 'Failover chain' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Force failover' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Return to automatic' })).toHaveCount(0);
  });

  test('a forged steering request from a viewer session is refused and routing does not change', async ({ page, browser }) => {
    // Capture the operator's real server-action request, then replay it as a viewer.
    const operator = await browser.newPage();
    await signIn(operator, 'operator', '/services/support-bot');
    await operator.getByRole('button', { name: 'Force failover', exact: true }).click();
    const dialog = operator.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('e2e: captured');
    await expect(dialog.getByRole('table', { name: 'Targets that would take the traffic' })).toBeVisible();
    const sent = operator.waitForRequest((r: Request) => r.method() === 'POST' && 'next-action' in r.headers() && (r.postData() ?? '').includes('e2e: captured'));
    await dialog.getByRole('button', { name: 'Force failover', exact: true }).click();
    const request = await sent;
    await expect(dialog).toBeHidden();
    await steer(operator, 'Return to automatic', 'e2e: undo captured flip');
    await operator.context().close();

    const before = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM "RoutingOverride" WHERE "clearedAt" IS NULL`);
    await signIn(page, 'viewer', '/services/support-bot');
    const { cookie: _cookie, ...headers } = request.headers();
    // Its routingVersion is stale by now, but the permission check comes first and must refuse it.
    const response = await page.request.post(request.url(), { headers, data: (request.postData() ?? '').replace('e2e: captured', 'e2e: forged by a viewer') });
    expect(await response.text()).toMatch(/FORBIDDEN|does not allow this/);
    const afterRows = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM "RoutingOverride" WHERE "clearedAt" IS NULL`);
    expect(afterRows[0].n).toBe(before[0].n);
    expect((await servedBy('support-bot')).target).toBe('openai-gpt-4o-us-east');
  });
});
