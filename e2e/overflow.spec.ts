// Issue 10's reproduction in the browser: every request to the OpenAI upstream
// in us-east fails, its breaker opens, and code-assistant, whose own targets are
// healthy with room to spare, keeps answering 200 in Full. Before, the lost
// planned capacity put it in Minimal and refused every uncached request.
import { expect, test, type Page } from '@playwright/test';
import { signIn, sql, visit } from './fixtures';
import { E2E_BASE_URL } from './test-env';

const DEMO_API_TOKEN = 'sbk_demo0000_StandbyDemoTokenForLocalUseOnly0';
const UPSTREAM = 'openai-sim-us-east';
const FAILING = 'openai-gpt-4o-us-east';

async function ask(page: Page, service: string, question: string) {
  const response = await page.request.post(`${E2E_BASE_URL}/api/v1/chat/completions`, {
    headers: { authorization: `Bearer ${DEMO_API_TOKEN}` },
    data: { model: service, messages: [{ role: 'user', content: question }] },
  });
  return { status: response.status(), tier: response.headers()['x-standby-tier'] ?? null, target: response.headers()['x-standby-target'] ?? null };
}

type TierRow = { serviceName: string; tier: string; availableRpm: number; demandRpm: number; evaluatedAt: string | null };
const tierOf = async (page: Page, service: string) =>
  ((await (await page.request.get(`${E2E_BASE_URL}/api/live/degradation`)).json()) as { services: TierRow[] }).services.find((s) => s.serviceName === service)!;

async function resetUpstream() {
  await sql(`UPDATE "SimulatedUpstream" SET faults = '{}'::jsonb, version = version + 1 WHERE name = $1`, [UPSTREAM]);
}

test.describe.serial('a fault on one provider', () => {
  test.afterAll(resetUpstream);

  test('code-assistant keeps answering 200 from its healthy targets in Full; no tier refuses traffic that fits', async ({ page }) => {
    test.setTimeout(120_000);
    const [{ lastRecord }] = await sql<{ lastRecord: string }>(`SELECT coalesce(max(id), 0)::text AS "lastRecord" FROM "RequestRecord"`);
    await signIn(page, 'operator', '/simulator');
    // The page says which targets each simulated upstream feeds.
    await expect(page.getByTestId(`simulated-upstream-${UPSTREAM}`).getByTestId('fed-targets')).toContainText(FAILING);
    await page.getByRole('button', { name: `Edit faults of ${UPSTREAM}` }).click();
    const drawer = page.getByRole('dialog');
    await drawer.getByRole('textbox', { name: '5xx share' }).fill('100');
    // The preview names the targets it feeds and, per service, the tier that would follow and what it would refuse.
    const impact = drawer.getByTestId('fault-impact');
    await expect(impact).toContainText(new RegExp(`Feeds .*${FAILING}`));
    await expect(impact).toContainText('their breakers open');
    await expect(impact.getByText('code-assistant', { exact: true })).toBeVisible();
    await expect(impact).toContainText(/Stays Full: [\d,]+ RPM can serve[^.]*\. Nothing is refused or degraded\./);
    await drawer.getByRole('textbox', { name: 'Reason (kept in the audit log)' }).fill('e2e: provider outage');
    await drawer.getByRole('button', { name: 'Save faults' }).click();
    await expect(drawer).toBeHidden();

    // support-bot's primary is the failing target: its requests fail over and trip the breaker.
    await expect
      .poll(async () => {
        await ask(page, 'support-bot', `trip ${Date.now()}`);
        const [row] = await sql<{ state: string }>(`SELECT b.state FROM "TargetBreaker" b JOIN "Target" t ON t.id = b."targetId" WHERE t.name = $1`, [FAILING]);
        return row?.state;
      }, { timeout: 60_000 })
      .toBe('open');
    // The control loop has seen the capacity go: code-assistant counts only its healthy targets now.
    const [{ healthyRpm }] = await sql<{ healthyRpm: number }>(
      `SELECT sum(t.rpm)::int AS "healthyRpm" FROM "ChainEntry" c JOIN "Service" s ON s.id = c."serviceId" JOIN "Target" t ON t.id = c."targetId" WHERE s.name = 'code-assistant' AND t.name <> $1`,
      [FAILING],
    );
    await expect.poll(async () => (await tierOf(page, 'code-assistant')).availableRpm, { timeout: 30_000 }).toBe(healthyRpm);

    for (let i = 0; i < 8; i += 1) {
      const answer = await ask(page, 'code-assistant', `uncached question ${Date.now()} ${i}`);
      expect(answer, `request ${i}`).toEqual({ status: 200, tier: 'full', target: 'anthropic-sonnet-us-west' });
    }
    const row = await tierOf(page, 'code-assistant');
    expect(row.tier).toBe('full');
    expect(row.demandRpm).toBeLessThan(row.availableRpm);

    // The Degradation page says so, and shows the lost plan as a risk, not as refused traffic.
    await visit(page, '/degradation');
    const line = page.locator('[data-testid="degradation-row"][data-service="code-assistant"]');
    await expect(line).toContainText('Full');
    await expect(line).toContainText('nothing: every request is served');
    await expect(line.getByTestId('planning-risk')).toContainText(/of the planned 12,000 RPM/);

    // Every code-assistant request since the fault was served by a target: none refused, none answered in a lower tier.
    const since = (column: string) =>
      sql<{ n: number }>(`SELECT count(*)::int AS n FROM "RequestRecord" r JOIN "Service" s ON s.id = r."serviceId" WHERE s.name = 'code-assistant' AND r.id > $1::bigint AND ${column}`, [lastRecord]);
    await expect.poll(async () => (await since('true'))[0].n, { timeout: 10_000 }).toBeGreaterThanOrEqual(8);
    expect((await since(`(r."servedBy" <> 'upstream' OR r.tier <> 'full')`))[0].n).toBe(0);
  });
});
