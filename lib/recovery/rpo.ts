// What one evidence report proves about a component's RPO (issue 12): the
// point in time its copy holds and the data that was at risk. Pure; the
// writer (evidence.ts) stores both so that the grid aggregates in SQL.
//
// - A replica (lagMs): it holds everything up to lagMs ago, continuously: the
//   data at risk is the lag.
// - A point-in-time copy (a backup, an export, newestCopyAt): the data at risk
//   just before it was everything since the copy before it, so it records the
//   interval between the two. The first copy ever has nothing to compare with.
// A failed backup or restore is kept but proves no copy.
import type { EvidenceReport } from './schemas';

export type EvidenceFigures = { observedAt: number; copyAt: number | null; rpoMs: number | null; restoreMs: number | null; continuous: boolean };

export function evidenceFigures(report: EvidenceReport, receivedAt: number, previousCopyAt: number | null): EvidenceFigures {
  const observedAt = report.observedAt ?? receivedAt;
  const restoreMs = report.restoreMs ?? null;
  if (!report.ok) return { observedAt, copyAt: null, rpoMs: null, restoreMs, continuous: false };
  if (report.lagMs !== undefined) return { observedAt, copyAt: observedAt - report.lagMs, rpoMs: report.lagMs, restoreMs, continuous: true };
  const holdsCopy = ['backup', 'config_export', 'conversation_write'].includes(report.kind) || report.newestCopyAt !== undefined;
  if (!holdsCopy) return { observedAt, copyAt: null, rpoMs: null, restoreMs, continuous: false };
  const copyAt = Math.min(report.newestCopyAt ?? observedAt, observedAt);
  const rpoMs = previousCopyAt !== null && copyAt > previousCopyAt ? copyAt - previousCopyAt : null;
  return { observedAt, copyAt, rpoMs, restoreMs, continuous: false };
}
