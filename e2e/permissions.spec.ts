// A viewer cannot write, whatever the UI shows: server actions are reachable
// by a direct POST, so each one checks the session itself (STYLE.md habit 3).
import { expect, test, type Request } from '@playwright/test';
import { field, regionExists, signIn, uniqueName } from './fixtures';

test('a viewer sees regions but no controls to change them', async ({ page }) => {
  await signIn(page, 'viewer', '/regions');
  await expect(page.getByRole('cell', { name: 'us-east', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'New region' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^Edit/ })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Delete' })).toHaveCount(0);
});

test.describe('a replayed "create region" server action', () => {
  let action: { url: string; headers: Record<string, string>; body: string; code: string };

  // The real request the operator's browser sends, to be forged by others.
  test.beforeAll(async ({ browser }) => {
    const page = await browser.newPage();
    await signIn(page, 'operator', '/regions');
    await page.getByRole('button', { name: 'New region' }).click();
    const code = uniqueName('e2e-real');
    const drawer = page.getByRole('dialog', { name: 'New region' });
    await field(drawer, 'Code').fill(code);
    await field(drawer, 'Name').fill('Captured region');
    const sent = page.waitForRequest((request: Request) => request.method() === 'POST' && 'next-action' in request.headers());
    await drawer.getByRole('button', { name: 'Create region' }).click();
    const request = await sent;
    await expect(page.getByRole('cell', { name: code, exact: true })).toBeVisible();
    const { cookie: _cookie, ...headers } = request.headers();
    action = { url: request.url(), headers, body: request.postData() ?? '', code };
    await page.context().close();
  });

  const forged = () => {
    const code = uniqueName('e2e-forged');
    return { code, body: action.body.replaceAll(action.code, code) };
  };

  test('from a viewer session is refused and creates nothing', async ({ page }) => {
    await signIn(page, 'viewer', '/regions');
    const { code, body } = forged();
    expect(body).toContain(code);
    const response = await page.request.post(action.url, { headers: action.headers, data: body });
    expect(await response.text()).toMatch(/FORBIDDEN|does not allow this/);
    expect(await regionExists(code)).toBe(false);
  });

  test('without any session is refused and creates nothing', async ({ request }) => {
    const { code, body } = forged();
    const response = await request.post(action.url, { headers: action.headers, data: body, maxRedirects: 0 });
    expect(await response.text()).not.toContain('"ok":true');
    expect(await regionExists(code)).toBe(false);
  });
});

test('an API route answers 401 without a session', async ({ request }) => {
  const response = await request.get('/api/inventory/targets');
  expect(response.status()).toBe(401);
  expect((await response.json()).error.code).toBe('UNAUTHENTICATED');
});
