// The report's charts as plain shapes, computed once from the report's own
// figures: the page draws them as SVG and the PDF with vector paths, so both
// show the same bars (issue 12: "same figures as the page"). Pure.
import type { ComponentRow } from './data';
import { DAY, DISRUPTIONS, DISRUPTION_SHORT, type DisruptionKind } from './model';
import { VERDICT_LABELS, type Verdict } from './verdict';

/** Hex colours (the PDF has no CSS variables), close to the page's Mantine palette. */
export const VERDICT_HEX: Record<Verdict, string> = {
  compliant: '#12b886', exceeded: '#fab005', severe: '#fd7e14', critical: '#fa5252', unverified: '#adb5bd', no_evidence: '#868e96', no_objective: '#dee2e6',
};
export const DISRUPTION_HEX: Record<DisruptionKind, string> = {
  provider_outage: '#228be6', regional_outage: '#7950f2', capacity_loss: '#fd7e14', model_retirement: '#e64980', data_loss: '#495057',
};

export type Segment = { key: string; label: string; value: number; color: string };

/** Every verdict counted from the cells themselves. */
export function verdictCounts(components: readonly ComponentRow[]): Segment[] {
  const counts = new Map<Verdict, number>();
  for (const c of components) for (const cell of Object.values(c.cells)) counts.set(cell.verdict, (counts.get(cell.verdict) ?? 0) + 1);
  const order: Verdict[] = ['critical', 'severe', 'exceeded', 'compliant', 'unverified', 'no_evidence'];
  return order.filter((v) => counts.get(v)).map((v) => ({ key: v, label: VERDICT_LABELS[v], value: counts.get(v)!, color: VERDICT_HEX[v] }));
}

export type RatioBar = { label: string; ratio: number; shown: number; color: string };

/** The ratio axis ends here: a bar beyond it is drawn to the end and labelled with its value. */
export const RATIO_AXIS_MAX = 8;

/** The cells measured worst against their objective (measured / objective), worst first. */
export function ratioBars(components: readonly ComponentRow[], limit = 12): RatioBar[] {
  const bars: RatioBar[] = [];
  for (const c of components) {
    for (const cell of Object.values(c.cells)) {
      if (cell.ratio === null) continue;
      bars.push({ label: `${c.name} · ${DISRUPTION_SHORT[cell.disruption]}`, ratio: cell.ratio, shown: Math.min(cell.ratio, RATIO_AXIS_MAX), color: VERDICT_HEX[cell.verdict] });
    }
  }
  return bars.sort((a, b) => b.ratio - a.ratio).slice(0, limit);
}

export type WeekColumn = { weekStart: string; total: number; segments: Segment[] };

/** Episodes per week of the period (weeks start on Monday, UTC), stacked by disruption; empty weeks included. */
export function weeklyColumns(weekly: readonly { weekStart: string; disruption: DisruptionKind; count: number }[], from: number, to: number): WeekColumn[] {
  const monday = (at: number) => {
    const d = new Date(at);
    const day = (d.getUTCDay() + 6) % 7;
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - day * DAY;
  };
  const columns: WeekColumn[] = [];
  for (let week = monday(from); week < to; week += 7 * DAY) {
    const rows = weekly.filter((w) => Date.parse(w.weekStart) === week);
    const segments = DISRUPTIONS.map((d) => ({ key: d, label: DISRUPTION_SHORT[d], value: rows.find((r) => r.disruption === d)?.count ?? 0, color: DISRUPTION_HEX[d] })).filter((s) => s.value > 0);
    columns.push({ weekStart: new Date(week).toISOString(), total: segments.reduce((sum, s) => sum + s.value, 0), segments });
  }
  return columns;
}
