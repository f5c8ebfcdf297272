// Launches scripts/standby.ts (TypeScript) with the flags every Standby process
// needs: tsx for TypeScript, and the server-only shim (see server-only-shim.cjs).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const child = spawn(
  process.execPath,
  ['--require', path.join(root, 'scripts/server-only-shim.cjs'), '--import', 'tsx', path.join(root, 'scripts/standby.ts'), ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit' },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
