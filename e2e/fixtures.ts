// Shared helpers for the specs: sign in by role through the real login page,
// unique names so every spec owns its data, and direct access to the e2e
// database for setting up (or checking) what the UI cannot reach cheaply.
import { randomUUID } from 'node:crypto';
import { expect, type BrowserContext, type Locator, type Page } from '@playwright/test';
import pg from 'pg';
import { DEMO_PASSWORD, E2E_DATABASE_URL } from './test-env';

export type Role = 'admin' | 'operator' | 'commander' | 'viewer';
export const ROLES: Role[] = ['admin', 'operator', 'commander', 'viewer'];
export const emailOf = (role: Role) => `${role}@standby.demo`;

/** Lower-case, so it is also a valid region code or target name. */
export const uniqueName = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/** A text field by its label (Mantine marks required labels with '*', which is not part of the field's name). */
export const field = (scope: Page | Locator, label: string) => scope.getByRole('textbox', { name: label, exact: true });

/**
 * Opens `path` and waits until React has hydrated it: a click on server-rendered HTML
 * before that is lost. Next.js adds its route announcer in an effect, so only after hydration.
 */
export async function visit(page: Page, path: string) {
  await page.goto(path);
  await page.locator('next-route-announcer').waitFor({ state: 'attached' });
}

/** Fills and submits the login form already on screen. */
export async function submitLogin(page: Page, email: string, password: string) {
  await field(page, 'Email').fill(email);
  await field(page, 'Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const sessions = new Map<Role, Awaited<ReturnType<BrowserContext['cookies']>>>();

/**
 * Signs in as the demo user of `role` and opens `path`. The first time per role it goes
 * through the login page; after that it reuses that session's cookies, which is what a
 * returning browser does (auth.spec.ts covers the login page itself).
 */
export async function signIn(page: Page, role: Role, path = '/') {
  const saved = sessions.get(role);
  if (saved) {
    await page.context().addCookies(saved);
    await visit(page, path);
  } else {
    await visit(page, `/login?callbackUrl=${encodeURIComponent(path)}`);
    await submitLogin(page, emailOf(role), DEMO_PASSWORD);
    await expect(page).toHaveURL(path);
    await page.locator('next-route-announcer').waitFor({ state: 'attached' });
  }
  await expect(page.getByTestId('current-role')).toHaveText(role);
  sessions.set(role, await page.context().cookies());
}

/** Runs one query against the e2e database. */
export async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: E2E_DATABASE_URL });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

export const regionExists = async (code: string) => (await sql('SELECT 1 FROM "Region" WHERE code = $1', [code])).length > 0;
