// How long restoring a model takes, against its serving RTO, and whether its
// backups are where and when they must be. Pure (estimate.test.ts).
//
// Restore = transfer + load: the copy's size over the bandwidth from where it
// lives to where the model serves (measured by a restore test, else declared
// by an admin, else assumed at 1 Gbit/s and said so), plus the time to load
// the weights and warm up (declared, else 30 s plus the size read at 2 GB/s).
// A 140 GB model over 1 Gbit/s transfers in about 19 minutes before it loads:
// almost four times a 5-minute RTO. A timed restore test replaces the
// estimate. A model needs a restorable copy outside its serving region: one in
// the same region does not survive a regional disaster.
import { formatSpan } from '@/lib/recovery/format';

export const ASSUMED_BITS_PER_SECOND = 1e9;
const LOAD_BASE_MS = 30_000;
const LOAD_BYTES_PER_SECOND = 2e9;
/** A backup is missed once it is this late beyond its schedule. */
export const GRACE_MS = 60 * 60_000;

export type Bandwidth = { bitsPerSecond: number; source: 'measured' | 'declared' | 'assumed'; detail: string };

export type RestoreEstimate = {
  transferMs: number;
  loadMs: number;
  totalMs: number;
  bandwidth: Bandwidth;
  loadSource: 'declared' | 'estimated';
};

export const estimatedLoadMs = (sizeBytes: number) => LOAD_BASE_MS + (sizeBytes / LOAD_BYTES_PER_SECOND) * 1000;

export function estimateRestore(sizeBytes: number, bandwidth: Bandwidth, declaredLoadMs: number | null): RestoreEstimate {
  const transferMs = ((sizeBytes * 8) / bandwidth.bitsPerSecond) * 1000;
  const loadMs = declaredLoadMs ?? estimatedLoadMs(sizeBytes);
  return { transferMs, loadMs, totalMs: transferMs + loadMs, bandwidth, loadSource: declaredLoadMs === null ? 'estimated' : 'declared' };
}

export const formatBandwidth = (bps: number) => (bps >= 1e9 ? `${Number((bps / 1e9).toPrecision(3))} Gbit/s` : `${Number((bps / 1e6).toPrecision(3))} Mbit/s`);
export const formatBytes = (bytes: number) =>
  bytes >= 1e12 ? `${Number((bytes / 1e12).toPrecision(3))} TB` : bytes >= 1e9 ? `${Number((bytes / 1e9).toPrecision(3))} GB` : bytes >= 1e6 ? `${Number((bytes / 1e6).toPrecision(3))} MB` : bytes >= 1e3 ? `${Number((bytes / 1e3).toPrecision(3))} kB` : `${bytes} B`;

export type CopyView = {
  id: string;
  region: string;
  location: string;
  takenAt: number;
  sizeBytes: number;
  restorable: boolean;
  problems: string[];
};

export type RestoreTestView = { observedAt: number; ok: boolean; restoreMs: number; copyId: string | null; detail: string };

/** A smaller model that could stand in (a quantized fallback), with its own restore time. */
export type Fallback = { name: string; sizeBytes: number; restoreMs: number };

export type ModelInputs = {
  name: string;
  servingRegion: string;
  rtoMs: number;
  rtoSource: string;
  scheduleMs: number;
  /** When the deployed version was last changed (epoch ms), or null when unknown. */
  deployedAt: number | null;
  declaredLoadMs: number | null;
  copies: CopyView[];
  restoreTests: RestoreTestView[];
  bandwidth: (fromRegion: string) => Bandwidth;
  fallbacks: Fallback[];
  now: number;
};

export type Fix = { change: string; restoreMs: number | null };

export type ModelStatus = {
  verdict: 'protected' | 'at_risk' | 'unprotected';
  /** Plain sentences, worst first. */
  findings: string[];
  /** The copy a regional disaster would restore from: restorable, outside the serving region, quickest. */
  best: (CopyView & { estimate: RestoreEstimate }) | null;
  /** The restore time that counts: the last restore test within 90 days, else the best copy's estimate. */
  restoreMs: number | null;
  restoreBasis: 'restore_test' | 'estimate' | null;
  ratio: number | null;
  fixes: Fix[];
  backup: { newestRestorableAt: number | null; ageMs: number | null; dueAt: number | null; overdue: boolean; missingSinceChange: boolean };
};

const QUARTER_MS = 90 * 86_400_000;

export function assessModel(m: ModelInputs): ModelStatus {
  const findings: string[] = [];
  const restorable = m.copies.filter((c) => c.restorable);
  const outside = restorable.filter((c) => c.region !== m.servingRegion);
  const estimated = outside.map((c) => ({ ...c, estimate: estimateRestore(c.sizeBytes, m.bandwidth(c.region), m.declaredLoadMs) })).sort((a, b) => a.estimate.totalMs - b.estimate.totalMs);
  const best = estimated[0] ?? null;

  if (m.copies.length === 0) findings.push(`No copy of ${m.name} has been reported.`);
  else if (restorable.length === 0) {
    const newest = [...m.copies].sort((a, b) => b.takenAt - a.takenAt)[0];
    findings.push(`No restorable copy: the newest (${newest.location}) ${newest.problems.length ? `has problems: ${newest.problems.slice(0, 2).join('; ')}` : 'cannot be checked'}.`);
  } else if (outside.length === 0) {
    findings.push(`Every restorable copy is in ${m.servingRegion}, where ${m.name} serves: a regional disaster loses the model with its copies.`);
  }

  // A timed restore replaces the estimate.
  const test = [...m.restoreTests].filter((t) => m.now - t.observedAt <= QUARTER_MS).sort((a, b) => b.observedAt - a.observedAt)[0];
  const failedTest = test && !test.ok;
  if (failedTest) findings.push(`The last restore test failed: ${test.detail || 'no detail reported'}.`);
  const restoreMs = test?.ok ? test.restoreMs : (best?.estimate.totalMs ?? null);
  const restoreBasis = test?.ok ? 'restore_test' : best ? 'estimate' : null;
  const ratio = restoreMs !== null && m.rtoMs > 0 ? restoreMs / m.rtoMs : null;

  const fixes: Fix[] = [];
  if (restoreMs !== null && restoreMs > m.rtoMs && best) {
    const times = `${ratio! >= 1.95 ? `${ratio!.toFixed(1)} times` : 'more than'} its ${formatSpan(m.rtoMs)} RTO`;
    findings.push(
      restoreBasis === 'restore_test'
        ? `The last restore test (${new Date(test!.observedAt).toISOString().slice(0, 10)}) took ${formatSpan(restoreMs)}: ${times}.`
        : `Restoring takes about ${formatSpan(restoreMs)} (${formatBytes(best.sizeBytes)} from ${best.region} over ${formatBandwidth(best.estimate.bandwidth.bitsPerSecond)}, then ${formatSpan(best.estimate.loadMs)} to load): ${times}.`,
    );
    const load = best.estimate.loadMs;
    if (load < m.rtoMs) fixes.push({ change: `Keep a pre-staged replica of ${m.name} in ${m.servingRegion}: a restore is then loading only (${formatSpan(load)}).`, restoreMs: load });
    for (const f of [...m.fallbacks].sort((a, b) => a.restoreMs - b.restoreMs)) {
      if (f.restoreMs <= m.rtoMs) {
        fixes.push({ change: `Put ${f.name} (${formatBytes(f.sizeBytes)}) after it in the chain as a smaller fallback: it restores in ${formatSpan(f.restoreMs)}.`, restoreMs: f.restoreMs });
        break;
      }
    }
    if (!m.fallbacks.some((f) => f.restoreMs <= m.rtoMs)) {
      // Only offered where it would meet the RTO over the same link.
      const quantized = estimateRestore(best.sizeBytes / 4, best.estimate.bandwidth, null).totalMs;
      if (quantized <= m.rtoMs) fixes.push({ change: `Add a 4-bit quantized build of ${m.name} (about ${formatBytes(best.sizeBytes / 4)}) to the chain as a fallback: it would restore in about ${formatSpan(quantized)}.`, restoreMs: quantized });
    }
    const room = m.rtoMs - load;
    if (room > 0) {
      const needed = (best.sizeBytes * 8) / (room / 1000);
      fixes.push({ change: `Raise the bandwidth from ${best.region} to ${m.servingRegion} from ${formatBandwidth(best.estimate.bandwidth.bitsPerSecond)} to at least ${formatBandwidth(needed)}.`, restoreMs: m.rtoMs });
    }
    fixes.sort((a, b) => (a.restoreMs ?? Infinity) - (b.restoreMs ?? Infinity));
  }
  if (best && best.estimate.bandwidth.source === 'assumed') findings.push(`The bandwidth from ${best.region} to ${m.servingRegion} is assumed (${formatBandwidth(ASSUMED_BITS_PER_SECOND)}): declare it, or report a timed restore.`);
  if (!test && best) findings.push(`No restore of ${m.name} was timed in the last 90 days: the restore time is an estimate.`);

  // Backups due on schedule and after every change of the deployed version.
  const newest = restorable.length ? Math.max(...restorable.map((c) => c.takenAt)) : null;
  const dueAt = newest === null ? null : newest + m.scheduleMs;
  const overdue = dueAt !== null && m.now > dueAt + GRACE_MS;
  const missingSinceChange = m.deployedAt !== null && (newest === null || newest < m.deployedAt) && m.now - m.deployedAt > GRACE_MS;
  if (overdue) findings.push(`The backup due ${formatSpan(m.now - dueAt!)} ago was missed (one every ${formatSpan(m.scheduleMs)}).`);
  if (missingSinceChange) findings.push(`The deployed version changed ${formatSpan(m.now - m.deployedAt!)} ago and no copy has it yet.`);

  const unprotected = !best && !test?.ok;
  const atRisk = unprotected || (ratio !== null && ratio >= 1) || overdue || missingSinceChange || failedTest === true;
  return {
    verdict: unprotected ? 'unprotected' : atRisk ? 'at_risk' : 'protected',
    findings,
    best,
    restoreMs,
    restoreBasis,
    ratio,
    fixes,
    backup: { newestRestorableAt: newest, ageMs: newest === null ? null : m.now - newest, dueAt, overdue, missingSinceChange },
  };
}

/** Bandwidth measured by a restore test: the copy's size over its transfer time. */
export function measuredBandwidth(sizeBytes: number, transferMs: number): number | null {
  return transferMs > 0 ? (sizeBytes * 8) / (transferMs / 1000) : null;
}
