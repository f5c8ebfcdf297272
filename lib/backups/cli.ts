import 'server-only';
// `npm run standby -- backup scan <dir> --model <name> --location <url> --region <code>`:
// hashes every file of a model's folder (or s3://bucket/prefix) on every
// core with a progress bar, and reports the manifest as a copy (or, with
// --deployed, as what serves now). It reports into this Standby's database,
// or with --to <url> (token in STANDBY_TOKEN, scope backups:report) through
// the API of another, or only writes the manifest with --out.
import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { launchEnv } from '@/lib/server/env';
import { formatBytes } from './estimate';
import { createProgressBar } from './progress';
import { scanModel } from './scan';

const USAGE = `Usage: npm run standby -- backup scan <folder or s3://bucket/prefix> --model <name> (--location <url> --region <code> | --deployed)
         [--taken-at <ISO time>] [--out <manifest.json>] [--to <Standby URL>] [--threads <n>]
  --location   where this copy lives, as restore jobs will read it (s3://bucket/prefix or a path); default: the scanned folder
  --region     the region code the copy is in (as on the Regions page)
  --deployed   the folder is what serves now: copies are checked against it
  --to         report through another Standby's API (token in STANDBY_TOKEN, scope backups:report)
  --out        only write the manifest to a file: nothing is reported`;

/** Exit code: 0 reported (restorable or not: the report says), 1 refused or unreadable, 2 usage. */
export async function runBackupCommand(args: string[], log: (line: string) => void, options: { reportToDatabase: () => Promise<boolean> }): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'scan') {
    console.error(USAGE);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest, allowPositionals: true,
      options: { model: { type: 'string' }, location: { type: 'string' }, region: { type: 'string' }, deployed: { type: 'boolean', default: false }, 'taken-at': { type: 'string' }, out: { type: 'string' }, to: { type: 'string' }, threads: { type: 'string' } },
    });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || !values.model || (!values.deployed && !values.region)) {
    console.error(USAGE);
    return 2;
  }
  const source = positionals[0];
  const location = values.location ?? (source.startsWith('s3://') ? source : path.resolve(source));
  const threads = values.threads ? Number(values.threads) : undefined;

  let bar: ReturnType<typeof createProgressBar> | null = null;
  const started = performance.now();
  let manifest;
  try {
    manifest = await scanModel(
      source,
      {
        onStart: (bytes, files) => {
          log(`scanning ${files} files (${formatBytes(bytes)}) in ${source}`);
          bar = createProgressBar(process.stderr, bytes, files);
        },
        onBytes: (bytes) => bar?.advance(bytes),
        onFile: () => bar?.fileDone(),
      },
      { threads },
    );
  } catch (error) {
    log(`cannot scan ${source}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  (bar as ReturnType<typeof createProgressBar> | null)?.finish();
  const total = manifest.files.reduce((s, f) => s + f.sizeBytes, 0);
  const seconds = (performance.now() - started) / 1000;
  log(`hashed ${manifest.files.length} files, ${formatBytes(total)} in ${seconds.toFixed(1)} s (${formatBytes(total / Math.max(seconds, 0.001))}/s)`);
  if (values.out) {
    await writeFile(values.out, `${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
    log(`manifest written to ${values.out}`);
  }

  const body = values.deployed
    ? { model: values.model, manifest }
    : { model: values.model, location, region: values.region, manifest, ...(values['taken-at'] ? { takenAt: values['taken-at'] } : {}) };
  let result: { restorable?: boolean; problems?: string[]; notes?: string[]; changed?: boolean; error?: { message: string } };
  if (values.to) {
    const token = launchEnv().STANDBY_TOKEN;
    if (!token) {
      log('set STANDBY_TOKEN to an API token with the backups:report scope to report with --to');
      return 2;
    }
    const url = new URL(values.deployed ? '/api/v1/backups/deployed' : '/api/v1/backups/copies', values.to);
    const response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    result = (await response.json().catch(() => ({}))) as typeof result;
    if (!response.ok) {
      log(`${url} refused the report (HTTP ${response.status}): ${result.error?.message ?? 'no detail'}`);
      return 1;
    }
  } else if (await options.reportToDatabase()) {
    const { recordCopy, recordDeployed } = await import('./mutations');
    const { AppError } = await import('@/lib/server/errors');
    const reporter = `backup scan on ${hostname()}`;
    try {
      result = values.deployed ? await recordDeployed(reporter, body) : await recordCopy(reporter, body);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      log(`the report was refused: ${error.message}${error.fieldErrors ? ` ${Object.entries(error.fieldErrors).map(([f, m]) => `${f}: ${m.join(' ')}`).join('; ')}` : ''}`);
      return 1;
    }
  } else {
    return 0;
  }
  if (values.deployed) log(result.changed ? `recorded as the deployed version of ${values.model}` : `the deployed version of ${values.model} is unchanged`);
  else if (result.restorable) log(`copy of ${values.model} at ${location} recorded: restorable (complete, checksums match the deployed version)`);
  else {
    log(`copy of ${values.model} at ${location} recorded: NOT restorable`);
    for (const problem of result.problems ?? []) log(`  - ${problem}`);
  }
  for (const note of result.notes ?? []) log(`  note: ${note}`);
  return 0;
}
