// Compiles a server entry (scripts/standby.ts, or a benchmark's) and the
// modules it imports into one CommonJS file with esbuild, packages left to
// node_modules. Standby's processes run that file, not TypeScript through tsx:
// tsx compiles with keepNames and turns every imported binding into a getter,
// which cost the gateway a fifth of its CPU per request (docs/decisions/008).
// Building takes well under a second, so it is done on every start.
import { build } from 'esbuild';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/**
 * Entries of threads a server starts from a file of its own, built beside every server bundle: the recorder's
 * writer thread (lib/gateway/writer-thread.ts looks for it next to the bundle it runs in).
 */
const THREADS = [['lib/gateway/writer-thread-entry.ts', 'writer-thread-entry.cjs']];

/** Builds `entry` (relative to the repository) into `outfile`, and the thread entries beside it; returns outfile's absolute path. */
export async function buildServer(entry, outfile) {
  const out = path.resolve(ROOT, outfile);
  await Promise.all([bundle(entry, out), ...THREADS.map(([thread, name]) => bundle(thread, path.join(path.dirname(out), name)))]);
  return out;
}

async function bundle(entry, out) {
  const result = await build({
    entryPoints: [path.join(ROOT, entry)],
    outfile: out,
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // Dependencies load from node_modules as they are; only the repository's own TypeScript is compiled
    // (the tsconfig's `@/` paths included).
    packages: 'external',
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    // Stack traces name the bundle's lines; NODE_OPTIONS=--enable-source-maps maps them back to the sources.
    sourcemap: 'linked',
    logLevel: 'warning',
    // Not minified: function names stay as written, so no keepNames is needed for readable stacks.
    minify: false,
    write: false,
  });
  // Written aside and renamed into place: another Standby process starting from this checkout
  // (the test suite's, say) may be loading the previous build at this very moment.
  mkdirSync(path.dirname(out), { recursive: true });
  for (const file of result.outputFiles) {
    const aside = `${file.path}.${process.pid}.tmp`;
    writeFileSync(aside, file.contents);
    renameSync(aside, file.path);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [entry = 'scripts/standby.ts', outfile = '.standby/build/standby.cjs'] = process.argv.slice(2);
  // No top-level await: bench/harness.ts loads this module through tsx as CommonJS.
  buildServer(entry, outfile).then(console.log, (error) => {
    console.error(error);
    process.exit(1);
  });
}
