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

/** An admin creates a viewer with this password in the browser, as a person would. */
async function createViewer(page: Page, email: string, password: string, name: string) {
  await signIn(page, 'admin', '/admin/users');
  await page.getByRole('button', { name: 'New user' }).click();
  const drawer = page.getByRole('dialog', { name: 'New user' });
  await field(drawer, 'Email').fill(email);
  await field(drawer, 'Name').fill(name);
  await field(drawer, 'Password').fill(password);
  await drawer.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByRole('cell', { name: email, exact: true })).toBeVisible();
}

test('repeated failures lock the account, even for the right password', async ({ page, browser }) => {
  const email = `${uniqueName('throttled')}@standby.test`;
  const password = 'throwaway-password-123';
  await createViewer(page, email, password, 'Throwaway');

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

test('a user changes their own password: the current one is checked, other sessions end, the new one signs in', async ({ page, browser }) => {
  const email = `${uniqueName('changer')}@standby.test`;
  const password = 'first-password-12345';
  const next = 'second-password-67890';
  await createViewer(page, email, password, 'Changer');

  // Two browsers signed in as the user; the change is made in the first.
  const [first, second] = [await browser.newPage(), await browser.newPage()];
  for (const p of [first, second]) {
    await visit(p, '/login');
    await submitLogin(p, email, password);
    await expect(p.getByTestId('current-role')).toHaveText('viewer');
  }
  await first.getByRole('button', { name: 'Account menu' }).click();
  await first.getByRole('menuitem', { name: 'Change password' }).click();
  const dialog = first.getByRole('dialog', { name: 'Change your password' });
  await dialog.getByLabel('Current password').fill('not-my-password-000');
  await dialog.locator('input[name="password"]').fill(next);
  await dialog.locator('input[name="confirm"]').fill(next);
  await dialog.getByRole('button', { name: 'Change password' }).click();
  await expect(dialog.getByText('This is not your current password.')).toBeVisible();
  await dialog.getByLabel('Current password').fill(password);
  await dialog.getByRole('button', { name: 'Change password' }).click();
  await expect(first.getByText('Password changed. Your other sessions are signed out; this browser stays signed in.')).toBeVisible();

  await visit(first, '/');
  await expect(first.getByTestId('current-role')).toHaveText('viewer');
  await visit(second, '/');
  await expect(second).toHaveURL(/\/login/);
  await submitLogin(second, email, next);
  await expect(second.getByTestId('current-role')).toHaveText('viewer');
  await first.close();
  await second.close();
});
