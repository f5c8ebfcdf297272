import { chromium } from '@playwright/test';
const base = 'http://localhost:3211';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
await page.goto(`${base}/login`);
await page.getByRole('textbox', { name: 'Email', exact: true }).fill(`${process.env.ROLE ?? 'operator'}@standby.demo`);
await page.getByRole('textbox', { name: 'Password', exact: true }).fill('standby-demo');
await page.getByRole('button', { name: 'Sign in' }).click();
await page.waitForURL((u) => !u.pathname.startsWith('/login'));
await page.goto(`${base}${process.env.PAGE ?? '/services/support-bot'}`, { waitUntil: 'networkidle' }).catch(() => {});
await page.waitForTimeout(2000);
const ys = (process.env.YS ?? '0,1500').split(',').map(Number);
for (const [i, y] of ys.entries()) await page.screenshot({ path: `/tmp/i11/clip${i}.png`, fullPage: true, clip: { x: 0, y, width: 1440, height: 1500 } });
if (process.env.CLICK) { await page.getByRole('link', { name: process.env.CLICK }).first().click(); await page.waitForTimeout(1000); await page.screenshot({ path: '/tmp/i11/clip-click.png' }); }
await browser.close();
