import 'server-only';
// `npm run standby -- rollups rebuild [--days N]`: recomputes the per-minute
// and per-hour rollups of the last N days (default 1) from the raw rows, to
// repair them after an incident or a manual import. Returns the exit code: 2
// for a usage mistake.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { rebuildRollups } from './rollups';

const USAGE = 'Usage: npm run standby -- rollups rebuild [--days N]   (N: whole days back from now, default 1)';

const daysSchema = z.coerce.number({ error: 'must be a number of days' }).int('must be a whole number of days').min(1, 'must be at least 1').max(400, 'must be at most 400');

export async function runRollupsCommand(args: string[], log: (line: string) => void): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'rebuild') {
    log(USAGE);
    return 2;
  }
  let days: number;
  try {
    const { values } = parseArgs({ args: rest, options: { days: { type: 'string', default: '1' } } });
    const parsed = daysSchema.safeParse(values.days);
    if (!parsed.success) {
      log(`--days ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
      return 2;
    }
    days = parsed.data;
  } catch (error) {
    log(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const to = new Date();
  const started = Date.now();
  const summary = await rebuildRollups(new Date(to.getTime() - days * 86_400_000), to, { log });
  log(
    `rollups rebuilt from ${summary.from.toISOString()} to ${summary.to.toISOString()} in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
      `${summary.serviceRows} service rows, ${summary.targetRows} target rows` +
      (summary.from.getTime() > to.getTime() - days * 86_400_000 ? ' (older hours are past the raw retention and were left as they are)' : ''),
  );
  return 0;
}
