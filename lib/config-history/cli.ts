import 'server-only';
// `npm run standby -- config rebuild <repo> [--ref <commit>] [--secrets <file>]`
// and `npm run standby -- config publish` (commit waiting versions now, when
// no Standby server runs to do it). Returns the exit code: 1 when refused, 2
// for a usage mistake.
import { parseArgs } from 'node:util';
import { AppError } from '@/lib/server/errors';
import { ConfigProblemsError } from '@/lib/config/apply';
import { GitError } from './git';
import { ensureBaselines, publishPendingVersions, reportConfigurationLag } from './publish';
import { readSecretsFile, rebuildFromRepository } from './rebuild';

const USAGE = 'Usage: npm run standby -- config rebuild <repository path or URL> [--ref <commit>] [--secrets <file>]\n       npm run standby -- config publish';

export async function runConfigHistoryCommand(args: string[], log: (line: string) => void): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === 'publish') {
      await ensureBaselines();
      const result = await publishPendingVersions();
      for (const w of result.written) log(`version ${w.number} committed as ${w.commit.slice(0, 12)} (${(w.lagMs / 1000).toFixed(1)} s after the change)`);
      if (result.written.length) await reportConfigurationLag(Math.max(...result.written.map((w) => w.lagMs)), `versions committed to ${result.repository} by config publish`).catch(() => {});
      if (result.error) {
        log(`cannot write to ${result.repository}: ${result.error}`);
        return 1;
      }
      log(result.written.length ? `${result.repository} is up to date` : `nothing to commit: ${result.repository} has every version`);
      return 0;
    }
    if (sub !== 'rebuild') {
      console.error(USAGE);
      return 2;
    }
    const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { ref: { type: 'string' }, secrets: { type: 'string' } } });
    if (positionals.length !== 1) {
      console.error(USAGE);
      return 2;
    }
    const result = await rebuildFromRepository(positionals[0], { ref: values.ref ?? null, secrets: values.secrets ? readSecretsFile(values.secrets) : undefined });
    log(`rebuilt from commit ${result.commit.slice(0, 12)} ("${result.subject}"): ${result.sections.join(', ')}; credentials ${result.credentials.join(', ') || '(none)'}`);
    log(`configuration versions ${result.versions.join(', ')} record the rebuild`);
    return 0;
  } catch (error) {
    if (error instanceof ConfigProblemsError) {
      log('the repository\'s files have problems; nothing was changed:');
      for (const p of error.problems) console.error(`  ${p.path}${p.line ? `:${p.line}` : ''}  ${p.message}`);
      return 1;
    }
    if (error instanceof AppError || error instanceof GitError) {
      log(error.message);
      return 1;
    }
    throw error;
  }
}
