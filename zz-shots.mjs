// Signs in per role and takes full-page screenshots at 1440 and 390 px.
import { chromium } from '@playwright/test';
const base = process.env.BASE ?? 'http://localhost:3211';
const out = '/work/notes/shots/i11';
const roles = (process.env.ROLES ?? 'operator,viewer').split(',');
const pages = (process.env.PAGES ?? '/services/support-bot').split(',');
const widths = (process.env.WIDTHS ?? '1440,390').split(',').map(Number);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'] });
for (const role of roles) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(`${role}@standby.demo`);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill('standby-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 60_000 });
  for (const path of pages) {
    for (const width of widths) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${base}${path}`, { waitUntil: 'networkidle', timeout: 90_000 }).catch(() => {});
      await page.waitForTimeout(2500);
      const name = `${role}-${path.replace(/[^a-z0-9]+/gi, '_').replace(/^_|_$/g, '') || 'overview'}-${width}.png`;
      await page.screenshot({ path: `${out}/${name}`, fullPage: true });
      const errors = await page.locator('text=This page could not be loaded').count();
      console.log(name, errors ? 'ERROR BOUNDARY' : 'ok');
    }
  }
  await context.close();
}
await browser.close();
