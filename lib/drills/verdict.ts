// A drill run's result (issue 14), pure: the episode the drill caused, as the
// same detector measures real outages (lib/recovery/detector.ts), against the
// objective the plan is scored on. Passed: measured within the objective;
// failed: over it (or never recovered, or no disruption seen at all), naming
// the part of the RTO that broke it; halted: a halt condition ended it.
import type { RtoParts } from '@/lib/recovery/rto-parts';
import { PART_LABELS, slowestPart } from '@/lib/recovery/rto-parts';

export type RunEpisode = { rtoMs: number | null; status: 'open' | 'recovered'; parts: RtoParts };

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
    return { status: 'failed', verdict: input.faultsActive ? 'Not recovered while the faults were on.' : 'Traffic never recovered: no answer from elsewhere while the faults were on.', brokenPart: slowestPart(episode.parts), measuredRtoMs: null };
  }
  if (objectiveRtoMs === null) return { status: 'failed', verdict: `Recovered in ${seconds(measured)}, but the component has no RTO objective to score it against.`, brokenPart: null, measuredRtoMs: measured };
  if (measured <= objectiveRtoMs) return { status: 'passed', verdict: `Recovered in ${seconds(measured)}, within the RTO of ${seconds(objectiveRtoMs)}.`, brokenPart: null, measuredRtoMs: measured };
  const part = slowestPart(episode.parts);
  const partText = part ? ` The slowest part was ${PART_LABELS[part].toLowerCase()} (${seconds(episode.parts[part] ?? 0)}).` : '';
  return { status: 'failed', verdict: `Recovered in ${seconds(measured)}, over the RTO of ${seconds(objectiveRtoMs)}.${partText}`, brokenPart: part, measuredRtoMs: measured };
}

/** A passed run whose session-resume check failed (resume.ts) fails: callers would have lost their conversations. */
export function withResumeCheck(result: RunVerdict, resume: { ok: boolean; text: string } | null): RunVerdict {
  if (!resume || resume.ok || result.status !== 'passed') return result;
  return { ...result, status: 'failed', verdict: `${result.verdict} ${resume.text}` };
}
