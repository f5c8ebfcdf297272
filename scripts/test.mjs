// `npm test`: every suite, in order, against real PostgreSQL, ending with one
// plain line "N passed, N failed" summed over all suites.
//   static       tsc --noEmit, eslint and the import boundaries (one count each)
//   unit         node:test over **/*.test.ts (pure logic, no I/O)
//   integration  node:test over **/*.integration.test.ts, against a database
//                created for the run and dropped after (scripts/test-database.ts)
//   e2e          Playwright in Debian's Chromium (playwright.config.ts)
// `npm test -- unit` (or integration, e2e) runs one suite.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireSupportedNode } from './node-version.mjs';

requireSupportedNode();

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const SKIP_DIRS = new Set(['node_modules', '.next', '.standby', '.git', 'generated', 'e2e', 'bench']);

function findTests(suffixTest) {
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.')) walk(path.join(dir, entry.name));
      } else if (suffixTest(entry.name)) {
        found.push(path.relative(root, path.join(dir, entry.name)));
      }
    }
  };
  walk(root);
  return found.sort();
}

/** The suite running now: a signal to this script is passed on to it, so that it stops its own servers and databases. */
let current = null;
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    if (!current) process.exit(signal === 'SIGINT' ? 130 : 143);
    current.kill(signal);
    current.once('exit', () => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

function run(command, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
    current = child;
    child.on('exit', (code, signal) => {
      if (current === child) current = null;
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

/** Runs node:test files; counts come from a TAP copy of the results written beside the readable output. */
async function runNodeTests(name, files, extraArgs = [], wrap = []) {
  if (files.length === 0) return { name, passed: 0, failed: 0, note: 'no test files' };
  const tapDir = mkdtempSync(path.join(tmpdir(), `standby-${name}-`));
  const tapFile = path.join(tapDir, 'results.tap');
  const [command, ...prefix] = wrap.length ? wrap : [process.execPath];
  const code = await run(command, [
    ...prefix,
    ...(wrap.length ? [process.execPath] : []),
    '--require', path.join(root, 'scripts/server-only-shim.cjs'),
    '--import', 'tsx',
    '--test',
    ...extraArgs,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tapFile}`,
    ...files,
  ], { NODE_ENV: 'test' });
  const tap = existsSync(tapFile) ? readFileSync(tapFile, 'utf8') : '';
  rmSync(tapDir, { recursive: true, force: true });
  const count = (label) => Number(new RegExp(`^# ${label} (\\d+)$`, 'm').exec(tap)?.[1] ?? 0);
  const passed = count('pass');
  let failed = count('fail') + count('cancelled');
  if (code !== 0 && failed === 0) failed = 1; // the runner itself failed (a crash before any test)
  return { name, passed, failed };
}

async function unit() {
  return runNodeTests('unit', findTests((f) => f.endsWith('.test.ts') && !f.endsWith('.integration.test.ts')));
}

async function integration() {
  const files = findTests((f) => f.endsWith('.integration.test.ts'));
  // One file at a time: files share one database and some assert on global state (locks, triggers).
  const withDatabase = [process.execPath, '--import', 'tsx', path.join(root, 'scripts/test-database.ts'), 'run', '--'];
  return runNodeTests('integration', files, ['--test-concurrency=1'], withDatabase);
}

async function e2e() {
  const reportDir = mkdtempSync(path.join(tmpdir(), 'standby-e2e-'));
  const report = path.join(reportDir, 'results.json');
  const code = await run(process.execPath, [path.join(root, 'node_modules/@playwright/test/cli.js'), 'test'], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: report,
  });
  let passed = 0;
  let failed = 0;
  if (existsSync(report)) {
    const stats = JSON.parse(readFileSync(report, 'utf8')).stats ?? {};
    passed = (stats.expected ?? 0) + (stats.flaky ?? 0);
    failed = stats.unexpected ?? 0;
  }
  rmSync(reportDir, { recursive: true, force: true });
  if (code !== 0 && failed === 0) failed = 1;
  return { name: 'e2e', passed, failed };
}

/** Type errors and lint errors fail the run like a failing test; each check counts as one. */
async function staticChecks() {
  const checks = [
    ['typecheck', [path.join(root, 'node_modules/typescript/bin/tsc'), '--noEmit']],
    ['lint', [path.join(root, 'node_modules/eslint/bin/eslint.js'), '.', '--max-warnings=0']],
    // Layers and folder cycles (.dependency-cruiser.cjs, docs/architecture.md).
    ['imports', [path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), 'app', 'components', 'lib', 'worker', 'scripts', 'simulator', 'prisma', 'proxy.ts', '--config', '.dependency-cruiser.cjs', '--output-type', 'err']],
  ];
  let passed = 0;
  let failed = 0;
  for (const [name, args] of checks) {
    const code = await run(process.execPath, args);
    console.log(`${code === 0 ? '✔' : '✖'} ${name}`);
    if (code === 0) passed += 1;
    else failed += 1;
  }
  return { name: 'static', passed, failed };
}

const SUITES = { static: staticChecks, unit, integration, e2e };
const wanted = process.argv.slice(2).filter((arg) => arg in SUITES);
const results = [];
for (const name of wanted.length ? wanted : Object.keys(SUITES)) {
  console.log(`\n=== ${name} tests ===\n`);
  results.push(await SUITES[name]());
}
console.log('\n=== summary ===');
for (const r of results) console.log(`${r.name.padEnd(12)} ${r.passed} passed, ${r.failed} failed${r.note ? ` (${r.note})` : ''}`);
const passed = results.reduce((sum, r) => sum + r.passed, 0);
const failed = results.reduce((sum, r) => sum + r.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
