// The report as CSV: the grid (one row per component and disruption), the
// drills with their freshness, and every episode of the period, with the same
// figures as the page. Pure.
import type { Cell } from './compliance';
import type { EpisodeView, RecoveryReport } from './data';
import { DRILL_STATUS_LABELS, unplanned } from './drill-freshness';
import type { DrillState } from './drill-states';
import { COMPONENT_KIND_LABELS, DISRUPTION_LABELS } from './model';
import { VERDICT_LABELS } from './verdict';

/** A field as CSV: quoted when needed; a leading =, +, - or @ is defused so a spreadsheet never runs it as a formula. */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const line = (fields: (string | number | null | undefined)[]) => fields.map(csvField).join(',');
const seconds = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : Math.round(ms) / 1000);

export const GRID_COLUMNS = [
  'component', 'component_kind', 'services', 'disruption', 'verdict', 'ratio_worst_to_objective', 'at_risk_by_design',
  'objective_rto_s', 'objective_rpo_s', 'objective_version', 'predicted_rto_s', 'predicted_rpo_s',
  'measured_count', 'open_episodes', 'worst_rto_s', 'worst_rto_source', 'latest_rto_s', 'latest_rto_source',
  'worst_rpo_s', 'latest_rpo_s', 'rpo_reports_stopped', 'newest_evidence_utc', 'failed_restore_or_drill',
] as const;

export const EPISODE_COLUMNS = [
  'episode_id', 'component', 'disruption', 'source', 'status', 'started_utc', 'detected_utc', 'assessed_utc', 'activated_utc', 'restored_utc',
  't_detect_s', 't_assess_s', 't_activate_s', 't_restore_s', 'rto_s', 'objective_rto_s', 'failed', 'total',
] as const;

export const DRILL_COLUMNS = [
  'drill', 'component', 'service', 'disruption', 'status', 'score', 'cadence_days', 'last_result', 'last_finished_utc', 'age_days',
  'measured_rto_s', 'objective_rto_s', 'changed_since',
] as const;

function drillLine(d: DrillState): string {
  return line([
    d.planName, d.componentName, d.serviceName, DISRUPTION_LABELS[d.disruption], DRILL_STATUS_LABELS[d.freshness.status], d.freshness.score, d.cadenceDays,
    d.last?.status, d.last?.finishedAt?.toISOString(), d.freshness.ageDays, seconds(d.last?.measuredRtoMs), seconds(d.last?.objectiveRtoMs), d.freshness.changes.join(' '),
  ]);
}

/** One row per drill plan, then one per routing component no plan covers. */
function drillsCsv(drills: RecoveryReport['drills']): string[] {
  return [
    line([...DRILL_COLUMNS]),
    ...drills.plans.map(drillLine),
    ...unplanned(drills.never, drills.plans).map((c) => line([null, c.name, null, null, DRILL_STATUS_LABELS.never_run, 0])),
  ];
}

function gridLine(component: RecoveryReport['components'][number], cell: Cell): string {
  const ref = (r: Cell['rto']['worst']) => (r ? `${r.kind}:${r.id}` : null);
  return line([
    component.name, COMPONENT_KIND_LABELS[component.kind], component.services.join(' '), DISRUPTION_LABELS[cell.disruption], VERDICT_LABELS[cell.verdict],
    cell.ratio === null || !Number.isFinite(cell.ratio) ? (cell.ratio === null ? null : 'infinite') : cell.ratio.toFixed(2), cell.atRisk ? 'yes' : 'no',
    seconds(cell.objective?.rtoMs), cell.rpoVerdict === null ? null : seconds(cell.objective?.rpoMs), cell.objective?.version, seconds(cell.predictedRto?.ms), cell.rpoVerdict === null ? null : seconds(cell.predictedRpo?.ms),
    cell.rto.count, cell.rto.open, seconds(cell.rto.worstMs), ref(cell.rto.worst), seconds(cell.rto.latestMs), ref(cell.rto.latest),
    cell.rpoVerdict === null ? null : seconds(cell.rpo.worstMs), cell.rpoVerdict === null ? null : seconds(cell.rpo.latestMs), cell.rpo.stopped ? 'yes' : 'no',
    cell.rto.newestAt === null ? null : new Date(cell.rto.newestAt).toISOString(), ref(cell.rto.failed),
  ]);
}

function episodeLine(e: EpisodeView): string {
  return line([
    e.id, e.componentName, DISRUPTION_LABELS[e.disruption], e.source, e.status, e.startedAt, e.detectedAt, e.assessedAt, e.activatedAt, e.restoredAt,
    seconds(e.parts.tDetectMs), seconds(e.parts.tAssessMs), seconds(e.parts.tActivateMs), seconds(e.parts.tRestoreMs), seconds(e.rtoMs), seconds(e.objective?.rtoMs), e.failedRequests, e.totalRequests,
  ]);
}

/** The grid part alone: what the PDF's digest is computed over, so a signed PDF can be checked against the CSV of the same link. */
export function gridCsv(report: Pick<RecoveryReport, 'components'>): string {
  const rows = [line([...GRID_COLUMNS])];
  for (const component of report.components) for (const cell of Object.values(component.cells)) rows.push(gridLine(component, cell));
  return rows.join('\r\n') + '\r\n';
}

export function reportCsv(report: RecoveryReport, episodes: readonly EpisodeView[]): string {
  const header = [
    line(['report', `Recovery objectives, ${report.period.label}`]),
    line(['period_from_utc', report.period.from]),
    line(['period_to_utc', report.period.to]),
    line(['generated_utc', report.generatedAt]),
    line(['drill_coverage_score', report.drills.score]),
    '',
  ];
  const list = [line([...EPISODE_COLUMNS]), ...episodes.map(episodeLine)];
  return [...header, gridCsv(report).trimEnd(), '', drillsCsv(report.drills).join('\r\n'), '', list.join('\r\n'), ''].join('\r\n');
}
