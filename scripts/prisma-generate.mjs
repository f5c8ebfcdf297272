// Generates the Prisma client after `npm ci`.
// `prisma generate` needs no schema engine, yet the CLI refuses to run when it
// can neither download one nor find PRISMA_SCHEMA_ENGINE_BINARY naming an
// existing file. Offline machines therefore get the variable pointed at a file
// that exists; the engine itself is never executed by `generate`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY || !existsSync(env.PRISMA_SCHEMA_ENGINE_BINARY)) {
  const offline = path.resolve(root, '../shared/tools/prisma-offline/schema-engine');
  env.PRISMA_SCHEMA_ENGINE_BINARY = existsSync(offline) ? offline : fileURLToPath(import.meta.url);
}
const prismaCli = path.join(root, 'node_modules', 'prisma', 'build', 'index.js');
if (!existsSync(prismaCli) || !existsSync(path.join(root, 'prisma', 'schema.prisma'))) process.exit(0);
const result = spawnSync(process.execPath, [prismaCli, 'generate'], { cwd: root, env, stdio: 'inherit' });
process.exit(result.status ?? 1);
