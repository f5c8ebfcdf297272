// An operator overrides a service's degradation tier in the browser and the
// gateway's answers change at once (smaller model in Degraded, maintenance
// message in Emergency); a viewer cannot, not even with a forged request.
import { expect, test, type Page, type Request } from '@playwright/test';
import OpenAI from 'openai';
import { signIn, sql } from './fixtures';
import { E2E_BASE_URL } from './test-env';

const DEMO_API_TOKEN = 'sbk_demo0000_StandbyDemoTokenForLocalUseOnly0';
const client = new OpenAI({ baseURL: `${E2E_BASE_URL}/api/v1`, apiKey: DEMO_API_TOKEN, maxRetries: 0 });
const SERVICE = 'code-assistant';

type Outcome = { status: number; tier: string | null; model: string | null; message: string | null };

async function ask(question = 'Explain this stack trace'): Promise<Outcome> {
  try {
    const { data, response } = await client.chat.completions.create({ model: SERVICE, messages: [{ role: 'user', content: question }] }).withResponse();
    return { status: response.status, tier: response.headers.get('x-standby-tier'), model: data.model, message: null };
  } catch (error) {
    if (error instanceof OpenAI.APIError) return { status: error.status ?? 0, tier: error.headers?.get('x-standby-tier') ?? null, model: null, message: error.message };
    throw error;
  }
}

async function overrideTier(page: Page, tier: string, reason: string) {
  await page.getByRole('button', { name: 'Override tier…' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('radio', { name: tier }).check();
  await dialog.getByRole('textbox', { name: 'Reason' }).fill(reason);
  await expect(dialog.getByTestId('override-effect')).toContainText(tier);
  await dialog.getByRole('button', { name: `Hold in ${tier}` }).click();
  await expect(dialog).toBeHidden();
}

async function clearOverride(page: Page, reason: string) {
  await page.getByRole('button', { name: 'Clear override' }).first().click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('textbox', { name: 'Reason' }).fill(reason);
  await dialog.getByRole('button', { name: 'Clear override' }).click();
  await expect(dialog).toBeHidden();
}

test.describe.serial(`degradation tier of ${SERVICE}`, () => {
  test.afterAll(async () => {
    await sql(`UPDATE "ServiceTierState" SET "overrideTier" = NULL, "overrideReason" = NULL, "overrideBy" = NULL, "overrideAt" = NULL, "overrideExpiresAt" = NULL, version = version + 1`);
  });

  test('an operator holds the service in Degraded, then Emergency, and the gateway follows each change', async ({ page }) => {
    test.setTimeout(120_000);
    const healthy = await ask();
    expect(healthy).toMatchObject({ status: 200, tier: 'full', model: 'claude-sonnet-4-5' });

    await signIn(page, 'operator', `/services/${SERVICE}`);
    await overrideTier(page, 'Degraded', 'e2e: primary capacity halved');
    // The demo policy routes Degraded traffic to the cheaper Haiku target first.
    await expect.poll(async () => (await ask()).model, { timeout: 5_000 }).toBe('claude-haiku-4-5');
    expect((await ask()).tier).toBe('degraded');

    await clearOverride(page, 'e2e: back to automatic before the next step');
    await overrideTier(page, 'Emergency', 'e2e: every provider down');
    await expect.poll(async () => (await ask()).status, { timeout: 5_000 }).toBe(503);
    const refused = await ask();
    expect(refused.tier).toBe('emergency');
    expect(refused.message).toMatch(/maintenance/i);

    const timeline = await sql<{ to: string; cause: string; actor: string; reason: string }>(
      `SELECT tc."to", tc.cause, tc.actor, tc.reason FROM "TierChange" tc JOIN "Service" s ON s.id = tc."serviceId" WHERE s.name = $1 ORDER BY tc.id DESC LIMIT 1`,
      [SERVICE],
    );
    expect(timeline[0]).toEqual({ to: 'emergency', cause: 'override', actor: 'operator@standby.demo', reason: 'e2e: every provider down' });

    await clearOverride(page, 'e2e: providers back');
    await expect.poll(async () => (await ask()).status, { timeout: 5_000 }).toBe(200);
  });

  test('a viewer sees the tier but has no override controls', async ({ page }) => {
    await signIn(page, 'viewer', `/services/${SERVICE}`);
    await expect(page.getByRole('heading', { name: /degradation/i }).first()).toBeVisible();
    await expect(page.getByRole('button', { name: 'Override tier…' })).toHaveCount(0);
  });

  test('a forged override from a viewer session is refused and the gateway keeps serving', async ({ page, browser }) => {
    const operator = await browser.newPage();
    await signIn(operator, 'operator', `/services/${SERVICE}`);
    await operator.getByRole('button', { name: 'Override tier…' }).click();
    const dialog = operator.getByRole('dialog');
    await dialog.getByRole('radio', { name: 'Emergency' }).check();
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('e2e: captured override');
    const sent = operator.waitForRequest((r: Request) => r.method() === 'POST' && 'next-action' in r.headers() && (r.postData() ?? '').includes('e2e: captured override'));
    await dialog.getByRole('button', { name: 'Hold in Emergency' }).click();
    const request = await sent;
    await expect(dialog).toBeHidden();
    await clearOverride(operator, 'e2e: undo captured override');
    await operator.context().close();
    await expect.poll(async () => (await ask()).status, { timeout: 5_000 }).toBe(200);

    await signIn(page, 'viewer', `/services/${SERVICE}`);
    const { cookie: _cookie, ...headers } = request.headers();
    const response = await page.request.post(request.url(), { headers, data: (request.postData() ?? '').replace('e2e: captured override', 'e2e: forged by a viewer') });
    expect(await response.text()).toMatch(/FORBIDDEN|does not allow this/);
    const held = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM "ServiceTierState" WHERE "overrideTier" IS NOT NULL`);
    expect(held[0].n).toBe(0);
    expect((await ask()).status).toBe(200);
  });
});
