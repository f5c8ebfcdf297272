import { expect, test, type Page } from '@playwright/test';
import { emailOf, field, ROLES, signIn, submitLogin, uniqueName, visit } from './fixtures';
import { DEMO_PASSWORD } from './test-env';

const WRONG = 'Email or password is not correct.';
const signInError = (page: Page) => page.getByRole('alert', { name: 'Sign-in failed' });

for (const role of ROLES) {
  test(`a ${role} signs in and sees their role`, async ({ page }) => {
    await visit(page, '/login');
    await submitLogin(page, emailOf(role), DEMO_PASSWORD);
    await expect(page.getByTestId('current-role')).toHaveText(role);
  });
}

test('a wrong password is refused with a plain message', async ({ page }) => {
  await visit(page, '/login');
  await submitLogin(page, emailOf('viewer'), 'not-the-password');
  await expect(signInError(page)).toContainText(WRONG);
  await expect(page).toHaveURL(/\/login/);
});

/** One sign-in attempt, waiting for the server's answer before reading the message. */
async function attempt(page: Page, email: string, password: string) {
  const answered = page.waitForResponse((response) => response.url().includes('/api/auth/callback/credentials'));
  await submitLogin(page, email, password);
  await answered;
}

test('repeated failures lock the account, even for the right password', async ({ page, browser }) => {
  const email = `${uniqueName('throttled')}@standby.test`;
  const password = 'throwaway-password-123';
  await signIn(page, 'admin', '/admin/users');
  await page.getByRole('button', { name: 'New user' }).click();
  const drawer = page.getByRole('dialog', { name: 'New user' });
  await field(drawer, 'Email').fill(email);
  await field(drawer, 'Name').fill('Throwaway');
  await field(drawer, 'Password').fill(password);
  await drawer.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByRole('cell', { name: email, exact: true })).toBeVisible();

  const visitor = await (await browser.newContext()).newPage();
  await visit(visitor, '/login');
  for (let i = 0; i < 5; i += 1) {
    await attempt(visitor, email, `wrong-${i}`);
    await expect(signInError(visitor)).toContainText(WRONG);
  }
  await attempt(visitor, email, password);
  await expect(signInError(visitor)).toContainText(/Too many failed sign-ins\. Try again in \d+ minutes/);
  await expect(visitor).toHaveURL(/\/login/);
  await visitor.context().close();
});

test('a signed-out visit goes to sign-in and comes back after it', async ({ page }) => {
  await visit(page, '/regions');
  await expect(page).toHaveURL('/login?callbackUrl=%2Fregions');
  await submitLogin(page, emailOf('operator'), DEMO_PASSWORD);
  await expect(page).toHaveURL('/regions');
  await expect(page.getByRole('heading', { name: 'Regions' })).toBeVisible();
});

test('GET /api/health answers without a session and reports the database', async ({ request }) => {
  const response = await request.get('/api/health');
  expect(response.status()).toBe(200);
  expect((await response.json()).checks.database.status).toBe('ok');
});
