import 'server-only';
// The leader's loop for configuration history: a baseline for sections with
// no version yet, changes made outside Standby found every minute, and every
// new version committed to the repository within a second or so of its
// change (checked every quarter second: one indexed look-up that finds
// nothing almost always). Each pass that commits reports the lag as evidence;
// while nothing changes, a quarter-hourly report says the repository holds
// everything (lag 0), and while commits fail it reports the growing lag, so
// the grid reads a breach rather than "no evidence".
import { describeRepository, configuredRepository } from './git';
import { ensureBaselines, publishPendingVersions, recordDrift, reportConfigurationLag } from './publish';

const DRIFT_MS = 60_000;
const QUIET_REPORT_MS = 15 * 60_000;
const FAILING_REPORT_MS = 5 * 60_000;

export function configHistoryTask() {
  let baselined = false;
  let lastDrift = 0;
  let lastReport = 0;
  let lastError: string | null = null;
  return {
    name: 'config-history',
    intervalMs: 250,
    run: async ({ log }: { log: (line: string) => void }): Promise<void> => {
      const now = Date.now();
      if (!baselined) {
        const written = await ensureBaselines();
        if (written.length) log(`configuration history: baseline versions ${written.join(', ')}`);
        baselined = true;
      }
      if (now - lastDrift >= DRIFT_MS) {
        lastDrift = now;
        const drifted = await recordDrift();
        if (drifted.length) log(`configuration history: changes made outside Standby recorded as versions ${drifted.join(', ')}`);
      }
      const repo = configuredRepository();
      const result = await publishPendingVersions(repo);
      if (result.error !== lastError) {
        log(result.error ? `configuration history: cannot write to ${describeRepository(repo)}: ${result.error}` : `configuration history: writing to ${describeRepository(repo)} again`);
        lastError = result.error;
      }
      const report = async (lagMs: number, detail: string, reference?: string) => {
        await reportConfigurationLag(lagMs, detail, reference).catch((error: unknown) => log(`configuration history: could not report the lag: ${error instanceof Error ? error.message.split('\n').at(-1) : String(error)}`));
        lastReport = now;
      };
      if (result.written.length) {
        const worst = Math.max(...result.written.map((w) => w.lagMs));
        const range = result.written.length === 1 ? `version ${result.written[0].number}` : `versions ${result.written[0].number}-${result.written.at(-1)!.number}`;
        await report(worst, `${range} committed to ${result.repository}`, result.written.at(-1)!.commit);
      } else if (result.oldestPendingMs !== null && now - lastReport >= FAILING_REPORT_MS) {
        await report(result.oldestPendingMs, `${result.pending} version(s) not yet in ${result.repository}: ${result.error ?? 'waiting'}`);
      } else if (result.pending === 0 && now - lastReport >= QUIET_REPORT_MS) {
        await report(0, `every version is in ${result.repository}`);
      }
    },
  };
}
