// One cell of the compliance grid (component × disruption): the objective,
// the predicted figures, the worst and the most recent measured in the
// period, the evidence's age, and the verdict (verdict.ts). Pure: data.ts
// gathers the figures in SQL, the page and the PDF show the same cells.
import { type DisruptionKind, type RecoveryComponentKind, STATEFUL_KINDS } from './model';
import type { Prediction } from './predicted';
import { BREACHES, judge, ratioOf, worseVerdict, type Verdict } from './verdict';

/** Where a measured figure came from, so every number links to it. */
export type EvidenceRef = { kind: 'episode' | 'evidence'; id: string; at: string };

export type MeasuredRto = {
  /** Episodes (and drills) of this disruption in the period. */
  count: number;
  worstMs: number | null;
  worst: EvidenceRef | null;
  latestMs: number | null;
  latest: EvidenceRef | null;
  /** Episodes still open: their RTO so far counts. */
  open: number;
  /** A restore test or drill that failed in the period. */
  failed: EvidenceRef | null;
  /** The newest RTO evidence at the period's end, in any period (epoch ms), for its age. */
  newestAt: number | null;
};

export type MeasuredRpo = {
  worstMs: number | null;
  worst: EvidenceRef | null;
  /** The data at risk at the period's end: the newest copy's age, or the last reported lag. */
  latestMs: number | null;
  latest: EvidenceRef | null;
  newestAt: number | null;
  /** The component reported before but has gone quiet for longer than it usually reports. */
  stopped: boolean;
};

export type CellInput = {
  componentKind: RecoveryComponentKind;
  disruption: DisruptionKind;
  objective: { rtoMs: number; rpoMs: number; version: number } | null;
  rto: MeasuredRto;
  rpo: MeasuredRpo;
  predictedRto: Prediction | null;
  predictedRpo: Prediction | null;
};

export type Cell = CellInput & {
  verdict: Verdict;
  rtoVerdict: Verdict;
  rpoVerdict: Verdict | null;
  /** Worst measured / objective, of whichever of RTO and RPO is worse. */
  ratio: number | null;
  /** The configuration cannot meet the objective, whatever has been measured. */
  atRisk: boolean;
};

/** An RPO is measured only where there is state to lose; routing and API serving have none (0 by construction). */
export const hasState = (kind: RecoveryComponentKind, disruption: DisruptionKind) => STATEFUL_KINDS.has(kind) || (kind === 'model_serving' && disruption === 'data_loss');

export function judgeCell(input: CellInput, at: number): Cell {
  const { objective } = input;
  const rtoVerdict = judge(objective?.rtoMs ?? null, { worstMs: input.rto.worstMs, newestEvidenceAt: input.rto.newestAt, failed: input.rto.failed !== null }, at);
  const stateful = hasState(input.componentKind, input.disruption);
  let rpoVerdict: Verdict | null = null;
  if (stateful && objective) {
    rpoVerdict = input.rpo.stopped ? 'no_evidence' : judge(objective.rpoMs, { worstMs: input.rpo.worstMs, newestEvidenceAt: input.rpo.newestAt }, at);
  }
  const verdict = rpoVerdict ? worseVerdict(rtoVerdict, rpoVerdict) : rtoVerdict;
  // Only figures that were judged in bands have a ratio: not stale ones, not those of a component whose reports stopped.
  const banded = (v: Verdict | null) => v !== null && v !== 'unverified' && v !== 'no_evidence' && v !== 'no_objective';
  const ratios = [
    objective && banded(rtoVerdict) && input.rto.worstMs !== null ? ratioOf(input.rto.worstMs, objective.rtoMs) : null,
    objective && banded(rpoVerdict) && input.rpo.worstMs !== null ? ratioOf(input.rpo.worstMs, objective.rpoMs) : null,
  ].filter((r): r is number => r !== null);
  const atRisk =
    objective !== null &&
    (input.predictedRto?.unbounded === true ||
      (input.predictedRto?.ms != null && input.predictedRto.ms > objective.rtoMs) || (stateful && input.predictedRpo?.ms != null && input.predictedRpo.ms > objective.rpoMs));
  return { ...input, verdict, rtoVerdict, rpoVerdict, ratio: ratios.length ? Math.max(...ratios) : null, atRisk };
}

export const isBreach = (cell: Pick<Cell, 'verdict'>) => BREACHES.has(cell.verdict);

export type Breach = { figure: 'failed' | 'rto' | 'rpo'; measuredMs: number | null; objectiveMs: number | null; ref: EvidenceRef | null };

/** What a breached cell breached, and where it came from: a failed restore or drill, the worst RTO, or else the worst RPO. */
export function breachOf(cell: Cell): Breach {
  if (cell.rto.failed) return { figure: 'failed', measuredMs: null, objectiveMs: cell.objective?.rtoMs ?? null, ref: cell.rto.failed };
  if (cell.objective && cell.rto.worstMs !== null && ratioOf(cell.rto.worstMs, cell.objective.rtoMs) >= 1) {
    return { figure: 'rto', measuredMs: cell.rto.worstMs, objectiveMs: cell.objective.rtoMs, ref: cell.rto.worst };
  }
  return { figure: 'rpo', measuredMs: cell.rpo.worstMs, objectiveMs: cell.objective?.rpoMs ?? null, ref: cell.rpo.worst };
}
