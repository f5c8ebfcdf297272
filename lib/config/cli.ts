import 'server-only';
// `npm run standby -- config export [file]` and
// `npm run standby -- config apply <file> [--dry-run] [--prune] [--reason "..."]`,
// run as Standby itself (audited as 'system'). Returns the exit code: 1 when
// the file has problems, 2 for a usage mistake.
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { SYSTEM_ACTOR } from '@/lib/server/auth';
import { AppError } from '@/lib/server/errors';
import { applyConfigAs } from './apply';
import { describeSummary, type ConfigChange, type DiffValue } from './diff';
import { exportConfig } from './export';

const USAGE = 'Usage: npm run standby -- config export [file]\n       npm run standby -- config apply <file> [--dry-run] [--prune] [--reason "why"]';

const show = (value: DiffValue) => (value === null ? '(none)' : Array.isArray(value) ? `[${value.join(', ')}]` : JSON.stringify(value));

const SIGN: Record<ConfigChange['kind'], string> = { create: '+', update: '~', delete: '-', unmanaged: '=' };

/** The diff as lines a person reads in a terminal or a CI log. */
export function formatDiff(diff: ConfigChange[]): string[] {
  return diff.flatMap((change) => {
    const head = `${SIGN[change.kind]} ${change.kind.padEnd(9)} ${change.entity} ${change.name}${change.kind === 'unmanaged' ? ' (not in the file: left alone; --prune deletes it)' : ''}`;
    return [head, ...change.changes.map((c) => (change.kind === 'create' ? `      ${c.field}: ${show(c.to)}` : `      ${c.field}: ${show(c.from)} → ${show(c.to)}`))];
  });
}

export async function runConfigCommand(args: string[], log: (line: string) => void): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'export') {
    const yaml = await exportConfig();
    if (rest[0]) {
      await writeFile(rest[0], yaml, 'utf8');
      log(`wrote the routing configuration to ${rest[0]}`);
    } else {
      process.stdout.write(yaml);
    }
    return 0;
  }
  if (sub !== 'apply') {
    console.error(USAGE);
    return 2;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { 'dry-run': { type: 'boolean', default: false }, prune: { type: 'boolean', default: false }, reason: { type: 'string' } },
  });
  if (positionals.length !== 1) {
    console.error(USAGE);
    return 2;
  }
  const [file] = positionals;
  const yaml = await readFile(file, 'utf8');
  const dryRun = values['dry-run'];
  try {
    const result = await applyConfigAs(SYSTEM_ACTOR, { yaml, dryRun, prune: values.prune, reason: values.reason ?? `applied from the command line (${file})` });
    if (!result.ok) {
      log(`${file}: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}; nothing was applied`);
      for (const problem of result.problems) {
        console.error(`  ${file}${problem.line ? `:${problem.line}` : ''}  ${problem.path ? `${problem.path}: ` : ''}${problem.message}`);
      }
      return 1;
    }
    for (const line of formatDiff(result.diff)) console.log(line);
    const summary = describeSummary(result.summary);
    log(dryRun ? `dry run, nothing written: ${summary}` : result.applied ? `applied: ${summary}` : `nothing to apply: the estate already matches ${file}`);
    return 0;
  } catch (error) {
    if (error instanceof AppError) {
      log(`${error.message}${error.fieldErrors ? ` ${Object.entries(error.fieldErrors).map(([field, messages]) => `${field}: ${messages.join(' ')}`).join('; ')}` : ''}`);
      return 1;
    }
    throw error;
  }
}
