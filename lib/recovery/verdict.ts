// Compliance verdicts (issue 12): a measured figure against its objective, in
// bands of the ratio measured / objective: below 1 compliant, up to 2
// exceeded, up to 4 severe, above 4 critical. A figure needs evidence behind
// it: nothing within a quarter reads "unverified", never "compliant"
// (DESIGN.md); a component whose reports stopped reads "no evidence" (set by
// compliance.ts, which knows the cadence). Pure.
import { EVIDENCE_FRESH_MS } from './model';

export const VERDICTS = ['compliant', 'exceeded', 'severe', 'critical', 'unverified', 'no_evidence', 'no_objective'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Verdicts that count as a breach of the objective. */
export const BREACHES: ReadonlySet<Verdict> = new Set(['exceeded', 'severe', 'critical']);

export const VERDICT_LABELS: Record<Verdict, string> = {
  compliant: 'Compliant',
  exceeded: 'Exceeded',
  severe: 'Severe',
  critical: 'Critical',
  unverified: 'Unverified',
  no_evidence: 'No evidence',
  no_objective: 'No objective',
};

export const VERDICT_COLORS: Record<Verdict, string> = {
  compliant: 'teal',
  exceeded: 'yellow',
  severe: 'orange',
  critical: 'red',
  unverified: 'gray',
  no_evidence: 'gray',
  no_objective: 'gray',
};

/** Worst first: the order a list of cells is sorted in, and how two verdicts combine. */
const SEVERITY: Record<Verdict, number> = { critical: 6, severe: 5, exceeded: 4, no_evidence: 3, unverified: 2, compliant: 1, no_objective: 0 };
export const verdictSeverity = (verdict: Verdict) => SEVERITY[verdict];
export const worseVerdict = (a: Verdict, b: Verdict): Verdict => (SEVERITY[b] > SEVERITY[a] ? b : a);

/** measured / objective; an objective of 0 (an RPO of zero) is met only by 0. */
export function ratioOf(measuredMs: number, objectiveMs: number): number {
  if (objectiveMs > 0) return measuredMs / objectiveMs;
  return measuredMs <= 0 ? 0 : Number.POSITIVE_INFINITY;
}

/** The band of a ratio: below 1 compliant, up to 2 exceeded, up to 4 severe, above 4 critical. */
export function bandOf(ratio: number): Extract<Verdict, 'compliant' | 'exceeded' | 'severe' | 'critical'> {
  if (!(ratio >= 1)) return 'compliant';
  if (ratio <= 2) return 'exceeded';
  if (ratio <= 4) return 'severe';
  return 'critical';
}

export type Measurement = {
  /** The worst figure measured in the period, or null when nothing was measured. */
  worstMs: number | null;
  /** When the newest evidence behind it was observed (epoch ms), or null. */
  newestEvidenceAt: number | null;
  /** Something that failed outright (a failed restore test): critical whatever the figures. */
  failed?: boolean;
};

/**
 * The verdict of one measured figure against its objective, judged at `at`
 * (the period's end): nothing measured, or the newest evidence older than a
 * quarter, is unverified.
 */
export function judge(objectiveMs: number | null, m: Measurement, at: number): Verdict {
  if (objectiveMs === null) return 'no_objective';
  if (m.failed) return 'critical';
  if (m.newestEvidenceAt === null || m.worstMs === null) return 'unverified';
  const band = bandOf(ratioOf(m.worstMs, objectiveMs));
  // A breach stays a breach however old; only "compliant" needs fresh evidence to stand.
  if (band === 'compliant' && at - m.newestEvidenceAt > EVIDENCE_FRESH_MS) return 'unverified';
  return band;
}
