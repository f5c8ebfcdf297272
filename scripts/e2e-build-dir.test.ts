import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { E2E_NEXT_DIST_DIR } from '../e2e/test-env';

const require = createRequire(__filename);
const nextConfigFile = path.resolve(__dirname, '../next.config.js');

function nextConfigWith(distDir: string | undefined): { distDir?: string } {
  const saved = process.env.STANDBY_NEXT_DIST_DIR;
  if (distDir === undefined) delete process.env.STANDBY_NEXT_DIST_DIR;
  else process.env.STANDBY_NEXT_DIST_DIR = distDir;
  delete require.cache[nextConfigFile];
  try {
    return require(nextConfigFile) as { distDir?: string };
  } finally {
    if (saved === undefined) delete process.env.STANDBY_NEXT_DIST_DIR;
    else process.env.STANDBY_NEXT_DIST_DIR = saved;
    delete require.cache[nextConfigFile];
  }
}

// Running the e2e suite must not rebuild the .next a demo from the same checkout serves (its chunks would answer 500).
test('the end-to-end server builds the web app into its own folder, never the .next a demo serves', async () => {
  const config = (await import('../playwright.config')).default;
  const servers = Array.isArray(config.webServer) ? config.webServer : [config.webServer];
  const standby = servers.find((server) => server?.command.includes('scripts/run.mjs'));
  assert.equal(standby?.env?.STANDBY_NEXT_DIST_DIR, E2E_NEXT_DIST_DIR);
  assert.notEqual(E2E_NEXT_DIST_DIR, '.next');
  assert.equal(nextConfigWith(E2E_NEXT_DIST_DIR).distDir, E2E_NEXT_DIST_DIR);
  assert.equal(nextConfigWith(undefined).distDir, '.next');
});
