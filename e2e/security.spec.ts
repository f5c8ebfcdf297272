// An attacker's probes against the running server (issue 9): parallel password
// guessing, forged X-Forwarded-For, cross-site config applies, an open redirect
// after sign-in, sessions that outlive sign-out, clients that vanish mid-body,
// and the headers every page carries. Requests that must come from a chosen
// client address bind a loopback address of their own (127.x.y.z), so no test
// locks the address the other specs sign in from.
import http from 'node:http';
import { randomInt } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { emailOf, signIn as signInAs, sql, submitLogin, uniqueName, visit } from './fixtures';
import { DEMO_PASSWORD, E2E_BASE_URL, E2E_PORT } from './test-env';

type Answer = { status: number; headers: http.IncomingHttpHeaders; text: string };

/** One HTTP request to the e2e Standby from `localAddress`, as a script would send it. */
function send(method: string, path: string, options: { headers?: Record<string, string>; body?: string; localAddress?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port: E2E_PORT, path, method, localAddress: options.localAddress, agent: false, headers: { host: `localhost:${E2E_PORT}`, ...options.headers } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

const newAddress = () => `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
const cookiesOf = (answer: Answer) => (answer.headers['set-cookie'] ?? []).map((cookie) => cookie.split(';')[0]);

/** next-auth's credentials sign-in, as the login form sends it: the session cookie, or the error the form would show. */
async function signInOverHttp(email: string, password: string, options: { localAddress?: string; headers?: Record<string, string> } = {}) {
  const csrf = await send('GET', '/api/auth/csrf', { localAddress: options.localAddress });
  const { csrfToken } = JSON.parse(csrf.text) as { csrfToken: string };
  const answer = await send('POST', '/api/auth/callback/credentials', {
    localAddress: options.localAddress,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookiesOf(csrf).join('; '), ...options.headers },
    body: new URLSearchParams({ csrfToken, email, password, json: 'true' }).toString(),
  });
  const session = cookiesOf(answer).find((cookie) => cookie.startsWith('next-auth.session-token='));
  const url = (JSON.parse(answer.text) as { url?: string }).url ?? '';
  return { session: session ?? null, error: new URL(url, E2E_BASE_URL).searchParams.get('error') };
}

/** A user of its own for a test, with the demo password (its hash copied from a demo user). */
async function createUser(role = 'viewer'): Promise<{ email: string; id: string }> {
  const email = `${uniqueName('sec')}@standby.test`;
  const [row] = await sql<{ id: string }>(
    `INSERT INTO "User" (id, email, name, role, "passwordHash", "updatedAt") SELECT gen_random_uuid(), $1, 'Security test', $2::"Role", "passwordHash", now() FROM "User" WHERE email = $3 RETURNING id`,
    [email, role, emailOf('viewer')],
  );
  return { email, id: row.id };
}

async function signInAttempts(): Promise<Record<string, number>> {
  const text = (await send('GET', '/api/metrics')).text;
  const counts: Record<string, number> = { signed_in: 0, refused: 0, throttled: 0 };
  for (const match of text.matchAll(/^standby_signin_attempts_total\{outcome="(\w+)"\} (\d+)$/gm)) counts[match[1]] = Number(match[2]);
  return counts;
}

const LOCKED = /Too many failed sign-ins\. Try again in \d+ minutes?/;

test.describe('sign-in throttling', () => {
  test('100 wrong passwords at once verify at most 5, lock the account until the lock ends, and leave another account alone', async () => {
    const [victim, bystander] = [await createUser(), await createUser()];
    const before = await signInAttempts();
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => signInOverHttp(victim.email, `guess-${i}`, { localAddress: newAddress() })));
    const after = await signInAttempts();
    expect(answers.filter((a) => a.session !== null)).toHaveLength(0);
    expect(answers.filter((a) => a.error && LOCKED.test(a.error)).length, 'refused as locked, unverified').toBeGreaterThanOrEqual(95);
    expect(after.refused - before.refused, 'passwords verified (and wrong)').toBeLessThanOrEqual(5);
    expect(after.refused - before.refused + after.throttled - before.throttled).toBe(100);

    expect((await signInOverHttp(victim.email, DEMO_PASSWORD, { localAddress: newAddress() })).error).toMatch(LOCKED);
    expect((await signInOverHttp(bystander.email, DEMO_PASSWORD, { localAddress: newAddress() })).session).not.toBeNull();

    await sql(`UPDATE "SignInThrottle" SET "lockedUntil" = now() - interval '1 second' WHERE key = $1`, [`account:${victim.email}`]);
    expect((await signInOverHttp(victim.email, DEMO_PASSWORD, { localAddress: newAddress() })).session, 'the lock has ended').not.toBeNull();
  });

  test('X-Forwarded-For from a client is not believed: spoofed addresses neither spread the per-address limit nor lock another address', async () => {
    const attacker = newAddress();
    const answers = [];
    for (let i = 0; i < 30; i += 1) {
      const spoofed = `198.51.100.${i + 1}`;
      answers.push(await signInOverHttp(`${uniqueName('nobody')}@standby.test`, 'guess', { localAddress: attacker, headers: { 'x-forwarded-for': spoofed } }));
    }
    expect(answers.slice(20).every((a) => a.error && LOCKED.test(a.error)), 'the attacker’s own address is locked after 20').toBe(true);

    const victimAddress = newAddress();
    for (let i = 0; i < 25; i += 1) await signInOverHttp(`${uniqueName('nobody')}@standby.test`, 'guess', { localAddress: newAddress(), headers: { 'x-forwarded-for': victimAddress } });
    const user = await createUser();
    expect((await signInOverHttp(user.email, DEMO_PASSWORD, { localAddress: victimAddress })).session, 'the named address is not locked').not.toBeNull();
  });
});

test.describe('cross-site requests', () => {
  const YAML = (code: string) => `apiVersion: standby/v1\nkind: RoutingConfig\nregions:\n  - { code: ${code}, name: CSRF probe }\n`;
  const regionCount = async (code: string) => (await sql('SELECT 1 FROM "Region" WHERE code = $1', [code])).length;

  test("POST /api/config with the admin's cookie is refused from another site, another port and as text/plain; Standby's own origin applies", async () => {
    const { session } = await signInOverHttp(emailOf('admin'), DEMO_PASSWORD, { localAddress: newAddress() });
    expect(session).not.toBeNull();
    const code = uniqueName('csrf');
    const post = (headers: Record<string, string>) => send('POST', '/api/config?reason=csrf-test', { headers: { cookie: session!, ...headers }, body: YAML(code) });

    const foreign = await post({ 'content-type': 'application/yaml', origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.text).error.code).toBe('CROSS_SITE');
    expect((await post({ 'content-type': 'application/yaml', origin: `http://localhost:${E2E_PORT + 1}`, 'sec-fetch-site': 'same-site' })).status).toBe(403);
    const plain = await post({ 'content-type': 'text/plain', origin: E2E_BASE_URL });
    expect(plain.status).toBe(415);
    expect(await regionCount(code)).toBe(0);

    const own = await post({ 'content-type': 'application/yaml', origin: E2E_BASE_URL, 'sec-fetch-site': 'same-origin' });
    expect(own.status, own.text).toBe(200);
    expect(await regionCount(code)).toBe(1);
  });

  test('a server action replayed from another origin is refused and writes nothing', async ({ page }) => {
    await signInAs(page, 'operator', '/regions');
    await page.getByRole('button', { name: 'New region' }).click();
    const drawer = page.getByRole('dialog', { name: 'New region' });
    const code = uniqueName('real');
    await drawer.getByRole('textbox', { name: 'Code', exact: true }).fill(code);
    await drawer.getByRole('textbox', { name: 'Name', exact: true }).fill('Captured');
    const sent = page.waitForRequest((request) => request.method() === 'POST' && 'next-action' in request.headers());
    await drawer.getByRole('button', { name: 'Create region' }).click();
    const request = await sent;
    await expect(page.getByRole('cell', { name: code, exact: true })).toBeVisible();

    const { origin: _origin, ...headers } = request.headers();
    for (const origin of ['http://evil.example', `http://localhost:${E2E_PORT + 1}`]) {
      const forged = uniqueName('forged');
      const response = await page.request.post(request.url(), { headers: { ...headers, origin }, data: (request.postData() ?? '').replaceAll(code, forged) });
      expect(await response.text()).not.toContain('"ok":true');
      expect(await regionCount(forged), origin).toBe(0);
    }
  });
});

test.describe('after signing in', () => {
  for (const hostile of ['/%5Cevil.example', '/%09/evil.example']) {
    test(`callbackUrl=${hostile} stays on Standby`, async ({ page }) => {
      let left = false;
      await page.route((url) => url.hostname === 'evil.example', (route) => {
        left = true;
        return route.fulfill({ body: 'evil' });
      });
      await visit(page, `/login?callbackUrl=${hostile}`);
      await submitLogin(page, emailOf('viewer'), DEMO_PASSWORD);
      await expect(page.getByTestId('current-role')).toHaveText('viewer');
      expect(new URL(page.url()).origin).toBe(E2E_BASE_URL);
      expect(left).toBe(false);
    });
  }
});

test.describe('sessions', () => {
  const opens = async (cookie: string) => (await send('GET', '/regions', { headers: { cookie } })).status === 200;

  test('signing out ends that session for good, and a password reset ends the others', async () => {
    const user = await createUser('operator');
    const [first, second] = [await signInOverHttp(user.email, DEMO_PASSWORD, { localAddress: newAddress() }), await signInOverHttp(user.email, DEMO_PASSWORD, { localAddress: newAddress() })];
    expect([await opens(first.session!), await opens(second.session!)]).toEqual([true, true]);

    const csrf = await send('GET', '/api/auth/csrf', { headers: { cookie: first.session! } });
    const { csrfToken } = JSON.parse(csrf.text) as { csrfToken: string };
    await send('POST', '/api/auth/signout', {
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [first.session!, ...cookiesOf(csrf)].join('; ') },
      body: new URLSearchParams({ csrfToken, json: 'true' }).toString(),
    });
    expect(await opens(first.session!), 'the signed-out cookie, replayed').toBe(false);
    expect(await opens(second.session!)).toBe(true);

    // What an admin's reset does to the stored user (the action is covered in lib/access): the generation moves on.
    await sql('UPDATE "User" SET "sessionGeneration" = "sessionGeneration" + 1 WHERE id = $1', [user.id]);
    expect(await opens(second.session!)).toBe(false);
  });

  test('"Sign out other sessions" in the user menu ends the other browser’s session and keeps this one', async ({ browser }) => {
    const user = await createUser('viewer');
    const [here, there] = [await browser.newPage(), await browser.newPage()];
    for (const page of [here, there]) {
      await visit(page, '/login?callbackUrl=%2Fregions');
      await submitLogin(page, user.email, DEMO_PASSWORD);
      await expect(page.getByTestId('current-role')).toHaveText('viewer');
    }
    await here.getByRole('button', { name: 'Account menu' }).click();
    await here.getByRole('menuitem', { name: 'Sign out other sessions' }).click();
    await expect(here.getByText('Your other sessions are signed out.')).toBeVisible();

    await there.reload();
    await expect(there).toHaveURL(/\/login/);
    await here.reload();
    await expect(here.getByTestId('current-role')).toHaveText('viewer');
    await Promise.all([here.context().close(), there.context().close()]);
  });
});

test('a client that drops mid-body is counted in /api/metrics', async () => {
  const count = async () => Number(/^standby_client_disconnects_total (\d+)$/m.exec((await send('GET', '/api/metrics')).text)?.[1] ?? NaN);
  const before = await count();
  expect(before).not.toBeNaN();
  await new Promise<void>((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port: E2E_PORT, path: '/regions', method: 'POST', headers: { 'content-length': '1000', 'content-type': 'text/plain', 'next-action': '0'.repeat(42), expect: '100-continue' } });
    request.on('continue', () => {
      request.write('["half a body');
      request.destroy();
      resolve();
    });
    request.on('error', (error) => (request.destroyed ? undefined : reject(error)));
  });
  await expect.poll(count).toBe(before + 1);
});

test('every page carries a nonce-based Content-Security-Policy without eval, and the other security headers; the pages raise no violation', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`${page.url()}: ${error.message}`));
  await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (event) => console.error(`CSP violation: ${event.violatedDirective}`)));
  const check = async (target: Page, path: string) => {
    const response = await target.goto(path);
    const headers = response!.headers();
    expect(headers['content-security-policy']).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic';/);
    expect(headers['content-security-policy']).not.toContain('unsafe-eval');
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['permissions-policy']).toContain('camera=()');
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['x-content-type-options']).toBe('nosniff');
    await target.locator('next-route-announcer').waitFor({ state: 'attached' });
  };
  await check(page, '/login');
  await signInAs(page, 'admin', '/');
  for (const path of ['/', '/services/support-bot', '/targets', '/simulator', '/degradation', '/health', '/audit', '/admin/users', '/admin/config', '/admin/settings']) await check(page, path);
  expect(problems).toEqual([]);
});
