import { defineConfig, devices } from '@playwright/test';
import { E2E_BASE_URL, E2E_DATABASE_URL, E2E_NEXT_DIST_DIR, E2E_PG_READY_PORT, E2E_PORT } from './e2e/test-env';

// Debian's Chromium, never a downloaded browser (no internet here).
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];

export default defineConfig({
  testDir: './e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['json']],
  globalSetup: './e2e/global-setup.ts',
  use: {
    baseURL: E2E_BASE_URL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'], channel: undefined } }],
  // Playwright starts webServers before globalSetup, in order: the database first.
  webServer: [
    {
      command: 'node --import tsx scripts/test-database.ts serve',
      url: `http://127.0.0.1:${E2E_PG_READY_PORT}/`,
      timeout: 120_000,
      reuseExistingServer: false,
      stdout: 'pipe',
      gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
    },
    {
      command: 'node scripts/run.mjs demo',
      url: `${E2E_BASE_URL}/api/health`,
      timeout: 300_000,
      reuseExistingServer: false,
      stdout: 'pipe',
      gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
      env: {
        DATABASE_URL: E2E_DATABASE_URL,
        PORT: String(E2E_PORT),
        NEXTAUTH_URL: E2E_BASE_URL,
        STANDBY_STATE_DIR: '.standby/e2e',
        // Its own build of the web app: a demo running from this checkout keeps serving .next untouched.
        STANDBY_NEXT_DIST_DIR: E2E_NEXT_DIST_DIR,
        STANDBY_SIGNIN_MAX_FAILURES: '5',
        STANDBY_DEMO_TRAFFIC_RPS: '1',
        // One process: every Next.js worker renders each page cold once, and on a loaded two-core machine that
        // doubles the suite's slowest steps. The pool itself is tested in lib/server/runtime/workers.integration.test.ts.
        STANDBY_WORKERS: '1',
      },
    },
  ],
});
