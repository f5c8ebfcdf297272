// Launches Standby's command line (scripts/standby.ts) compiled into one file
// by scripts/build-server.mjs, with the server-only shim (see
// server-only-shim.cjs). No TypeScript is compiled at run time
// (docs/decisions/008-server-bundle.md). The demo's simulated upstreams
// (simulator/) are compiled apart, and only for a start that runs them:
// `demo`, `dev`, or `start` with STANDBY_SIMULATOR=1.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { requireSupportedNode } from './node-version.mjs';

requireSupportedNode();
const { buildServer, ROOT } = await import('./build-server.mjs');

const [command = 'start'] = process.argv.slice(2);
const simulate = command === 'demo' || command === 'dev' || (command === 'start' && process.env.STANDBY_SIMULATOR === '1');
const entry = await buildServer('scripts/standby.ts', '.standby/build/standby.cjs');
if (simulate) await buildServer('simulator/index.ts', '.standby/build/simulator.cjs');
const child = spawn(process.execPath, ['--require', path.join(ROOT, 'scripts/server-only-shim.cjs'), entry, ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, STANDBY_ROOT: ROOT },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
