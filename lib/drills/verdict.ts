// A drill run's result (issue 14), pure: the episode the drill caused, as the
// same detector measures real outages (lib/recovery/detector.ts), against the
// objective the plan is scored on. Passed: measured within the objective;
// failed: over it (or never recovered, or no disruption seen at all), naming
// the part of the RTO that broke it; halted: a halt condition ended it.
import type { RecoveryComponentKind } from '@/lib/recovery/model';
import type { RtoParts } from '@/lib/recovery/rto-parts';
import { formatSpan } from '@/lib/recovery/format';
import { PART_LABELS, slowestPart } from '@/lib/recovery/rto-parts';

/** The episode of the drilled component: its kind decides which parts its RTO is made of (rto-parts.ts partsInRto). */
export type RunEpisode = { rtoMs: number | null; status: 'open' | 'recovered'; parts: RtoParts; kind: RecoveryComponentKind };

export type RunVerdict = { status: 'passed' | 'failed' | 'halted'; verdict: string; brokenPart: keyof RtoParts | null; measuredRtoMs: number | null };

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

export function judgeRun(input: { haltReason: string | null; episode: RunEpisode | null; objectiveRtoMs: number | null; faultsActive: boolean }): RunVerdict {
  const { episode, objectiveRtoMs } = input;
  const measured = episode?.rtoMs ?? null;
  if (input.haltReason) return { status: 'halted', verdict: `Halted: ${input.haltReason}`, brokenPart: null, measuredRtoMs: measured };
  if (!episode) {
    return { status: 'failed', verdict: 'No disruption was detected: the faults did not reach traffic (no requests in scope, or the scope missed the targets in use). The drill proves nothing.', brokenPart: null, measuredRtoMs: null };
  }
  if (measured === null) {
    return { status: 'failed', verdict: input.faultsActive ? 'Not recovered while the faults were on.' : 'Traffic never recovered: no answer from elsewhere while the faults were on.', brokenPart: slowestPart(episode.parts, episode.kind), measuredRtoMs: null };
  }
  if (objectiveRtoMs === null) return { status: 'failed', verdict: `Recovered in ${seconds(measured)}, but the component has no RTO objective to score it against.`, brokenPart: null, measuredRtoMs: measured };
  if (measured <= objectiveRtoMs) return { status: 'passed', verdict: `Recovered in ${seconds(measured)}, within the RTO of ${seconds(objectiveRtoMs)}.`, brokenPart: null, measuredRtoMs: measured };
  const part = slowestPart(episode.parts, episode.kind);
  const partText = part ? ` The slowest part was ${PART_LABELS[part].toLowerCase()} (${seconds(episode.parts[part] ?? 0)}).` : '';
  return { status: 'failed', verdict: `Recovered in ${seconds(measured)}, over the RTO of ${seconds(objectiveRtoMs)}.${partText}`, brokenPart: part, measuredRtoMs: measured };
}

/** The outcome of a check a drill runs beside its RTO: session resume (resume.ts) or restore (restore.ts). */
export type CheckOutcome = { ok: boolean; text: string };

/** A passed run with a failed check fails, saying why: callers would have lost their conversations, or a restore would overrun its RTO. */
export function withChecks(result: RunVerdict, checks: readonly (CheckOutcome | null)[]): RunVerdict {
  const failed = checks.filter((c): c is CheckOutcome => c !== null && !c.ok);
  if (failed.length === 0 || result.status !== 'passed') return result;
  return { ...result, status: 'failed', verdict: [result.verdict, ...failed.map((c) => c.text)].join(' ') };
}

export type RestoreEvidence = { model: string; rtoMs: number | null; newest: { observedAt: number; ok: boolean; restoreMs: number } | null };

/**
 * The restore part of a drill whose targets serve models with backups: the newest restore the backup jobs timed,
 * within the plan's cadence, succeeded within the data-loss RTO of the model's serving component.
 */
export function judgeRestores(models: readonly RestoreEvidence[], cadenceDays: number, now: number): CheckOutcome | null {
  if (models.length === 0) return null;
  const lines = models.map((m) => {
    if (!m.newest) return { ok: false, text: `no restore of ${m.model} was ever timed` };
    const ageDays = Math.floor((now - m.newest.observedAt) / 86_400_000);
    const when = ageDays === 0 ? 'today' : `${ageDays} day${ageDays === 1 ? '' : 's'} ago`;
    if (ageDays > cadenceDays) return { ok: false, text: `the newest timed restore of ${m.model} is ${ageDays} days old, beyond the drill's cadence of ${cadenceDays} days` };
    if (!m.newest.ok) return { ok: false, text: `the newest restore of ${m.model} (${when}) failed` };
    if (m.rtoMs === null) return { ok: false, text: `a restore of ${m.model} took ${formatSpan(m.newest.restoreMs)} (${when}), but its serving component has no data-loss RTO to score it against` };
    if (m.newest.restoreMs > m.rtoMs) return { ok: false, text: `a restore of ${m.model} took ${formatSpan(m.newest.restoreMs)} (${when}), over its RTO of ${formatSpan(m.rtoMs)}` };
    return { ok: true, text: `a restore of ${m.model} took ${formatSpan(m.newest.restoreMs)} (${when}), within its RTO of ${formatSpan(m.rtoMs)}` };
  });
  const ok = lines.every((l) => l.ok);
  return { ok, text: `Restore check ${ok ? 'passed' : 'failed'}: ${lines.map((l) => l.text).join('; ')}.` };
}
