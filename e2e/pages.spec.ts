// Every page a person can reach works for every role: each entry of the
// navigation (components/shell/nav.ts, so a page added there is covered without
// touching this file) and the detail pages those link to (a service, a target,
// an admin area, ...). A page fails on any answer of 500 or above (the page or
// anything it fetches), any console error and any uncaught exception. Also the
// not-found page, and the favicon every page asks for. Areas not built yet (the
// Recover group) must say so.
import { expect, test, type Page } from '@playwright/test';
import { NAV_ITEMS } from '../components/shell/nav';
import { ROLES, signIn, visit } from './fixtures';

/** Detail pages followed per kind of link (the path without its last part): enough to cover each page, few enough to stay quick. */
const DETAILS_PER_KIND = 2;

type Problem = string;

/** Collects everything that counts as a broken page while `page` is open. */
function watchForProblems(page: Page): Problem[] {
  const problems: Problem[] = [];
  const where = () => new URL(page.url()).pathname;
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`${where()}: console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`${where()}: uncaught exception: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 500) problems.push(`${where()}: ${response.status()} from ${new URL(response.url()).pathname}`);
  });
  return problems;
}

/**
 * Opens a page until it has hydrated and loaded (a crash in rendering or hydration shows by then; live panels
 * start from server-rendered data, so their polls are not waited for), and returns the app-internal links on it.
 */
async function open(page: Page, path: string): Promise<string[]> {
  await visit(page, path);
  await page.waitForLoadState('load');
  const hrefs = await page.locator('main a[href^="/"]').evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href') ?? ''));
  return hrefs.map((href) => href.split(/[?#]/)[0]).filter((href) => href !== '' && !href.startsWith('/api/'));
}

/** The page shows what it is for, not the error boundary in its place. */
async function expectOwnContent(page: Page, what: string) {
  await expect(page.getByText('This page could not be loaded'), what).toHaveCount(0);
  await expect(page.locator('main'), what).toContainText(/\w/);
}

const kindOf = (path: string) => path.replace(/\/[^/]+$/, '/*');

for (const role of ROLES) {
  test(`every navigation entry and the detail pages it links to work for ${role}`, async ({ page }) => {
    test.setTimeout(180_000);
    const problems = watchForProblems(page);
    await signIn(page, role, '/');
    const navPaths = NAV_ITEMS.map((item) => item.href);
    const visited = new Set<string>();
    const details: string[] = [];
    const perKind = new Map<string, number>();

    for (const item of NAV_ITEMS) {
      const path = item.href;
      const links = await open(page, path);
      visited.add(path);
      // The page rendered its own content, not the error boundary; an area not built yet says so.
      await expectOwnContent(page, `${path} for ${role}`);
      if (!item.ready) await expect(page.getByTestId('not-built'), `${path} for ${role}`).toContainText('Not built yet');
      for (const link of links) {
        if (navPaths.includes(link) || details.includes(link) || link === '/login') continue;
        const kind = kindOf(link);
        if ((perKind.get(kind) ?? 0) >= DETAILS_PER_KIND) continue;
        perKind.set(kind, (perKind.get(kind) ?? 0) + 1);
        details.push(link);
      }
    }
    for (const path of details) {
      if (visited.has(path)) continue;
      visited.add(path);
      await open(page, path);
      await expectOwnContent(page, `${path} for ${role}`);
    }

    expect(details.some((path) => path.startsWith('/services/')), 'a service page was reached from the navigation').toBe(true);
    expect(details.some((path) => path.startsWith('/targets/')), 'a target page was reached from the navigation').toBe(true);
    expect(problems, `broken pages for ${role}:\n${problems.join('\n')}`).toEqual([]);
  });
}

test('an unknown address gets the branded not-found page, and the favicon is served', async ({ page }) => {
  const problems = watchForProblems(page);
  await signIn(page, 'viewer', '/');
  const response = await page.goto('/no-such-page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await page.getByRole('link', { name: 'Go to the overview' }).click();
  await expect(page).toHaveURL('/');
  expect((await page.request.get('/favicon.ico')).status()).toBe(200);
  // The console's 404 for the page itself is the answer asked for; nothing else may fail.
  expect(problems.filter((p) => !p.startsWith('/no-such-page: console error: Failed to load resource: the server responded with a status of 404'))).toEqual([]);
});
