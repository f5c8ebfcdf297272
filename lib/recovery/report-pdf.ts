import 'server-only';
// The report as a PDF, generated on the server with pdfkit (docs/decisions/
// 010-recovery-report-pdf.md): vector text and charts, the standard PDF
// fonts, no browser. It prints the figures of getRecoveryReport, the same the
// report page shows, and the SHA-256 of the grid's CSV, so a signed copy can
// be checked against the CSV of the same link later.
import { createHash } from 'node:crypto';
import PDFDocument from 'pdfkit';
import { breachOf, type Cell } from './compliance';
import type { RecoveryReport } from './data';
import { DRILL_STATUS_LABELS } from './drill-freshness';
import { formatRatio, formatSpan } from './format';
import { COMPONENT_KIND_LABELS, DISRUPTIONS, DISRUPTION_SHORT } from './model';
import { ratioBars, RATIO_AXIS_MAX, verdictCounts, VERDICT_HEX, weeklyColumns, type Segment } from './report-chart-shapes';
import { gridCsv } from './report-csv';
import { PART_LABELS } from './rto-parts';
import { VERDICT_LABELS } from './verdict';
import { formatUtc } from '@/lib/shared/format';

type Doc = PDFKit.PDFDocument;

const MARGIN = 36;
const INK = '#212529';
const DIM = '#6c757d';
const RULE = '#dee2e6';

export function gridDigest(report: Pick<RecoveryReport, 'components'>): string {
  return createHash('sha256').update(gridCsv(report)).digest('hex');
}

/** Keeps a cursor and starts a new page when the next block would not fit. */
class Layout {
  constructor(readonly doc: Doc) {}
  get left() {
    return MARGIN;
  }
  get width() {
    return this.doc.page.width - 2 * MARGIN;
  }
  get bottom() {
    return this.doc.page.height - MARGIN - 18; // room for the footer
  }
  ensure(height: number) {
    if (this.doc.y + height > this.bottom) this.doc.addPage();
  }
  heading(text: string) {
    this.ensure(40);
    this.doc.moveDown(0.6).font('Helvetica-Bold').fontSize(12).fillColor(INK).text(text, this.left, this.doc.y, { width: this.width });
    this.doc.moveDown(0.3);
  }
  para(text: string, size = 8.5, color = DIM) {
    this.ensure(this.doc.font('Helvetica').fontSize(size).heightOfString(text, { width: this.width }) + 4);
    this.doc.font('Helvetica').fontSize(size).fillColor(color).text(text, this.left, this.doc.y, { width: this.width });
  }
}

function legend(doc: Doc, x: number, y: number, segments: Segment[]) {
  let at = x;
  for (const s of segments) {
    doc.rect(at, y + 1, 7, 7).fill(s.color);
    const label = `${s.label} ${s.value}`;
    doc.font('Helvetica').fontSize(7.5).fillColor(INK).text(label, at + 10, y, { lineBreak: false });
    at += 16 + doc.widthOfString(label);
  }
}

/** A horizontal stacked bar of the verdicts. */
function verdictChart(layout: Layout, segments: Segment[]) {
  const { doc } = layout;
  layout.ensure(40);
  const total = segments.reduce((sum, s) => sum + s.value, 0);
  const y = doc.y;
  let x = layout.left;
  for (const s of segments) {
    const w = (s.value / Math.max(1, total)) * layout.width;
    doc.rect(x, y, w, 12).fill(s.color);
    x += w;
  }
  legend(doc, layout.left, y + 17, segments);
  doc.y = y + 32;
}

/** Worst measured / objective for the cells furthest from their objective, with the band edges at 1x, 2x and 4x. */
function ratioChart(layout: Layout, report: RecoveryReport) {
  const { doc } = layout;
  const bars = ratioBars(report.components, 12);
  if (bars.length === 0) {
    layout.para('Nothing was measured in this period.');
    return;
  }
  const labelW = 230;
  const plotW = layout.width - labelW - 40;
  const rowH = 11;
  layout.ensure(bars.length * rowH + 24);
  const top = doc.y;
  const x0 = layout.left + labelW;
  const xOf = (ratio: number) => x0 + (Math.min(ratio, RATIO_AXIS_MAX) / RATIO_AXIS_MAX) * plotW;
  bars.forEach((bar, i) => {
    const y = top + i * rowH;
    doc.font('Helvetica').fontSize(7).fillColor(INK).text(bar.label, layout.left, y + 1, { width: labelW - 6, lineBreak: false, ellipsis: true });
    doc.rect(x0, y + 1, Math.max(1, xOf(bar.shown) - x0), rowH - 3).fill(bar.color);
    doc.fillColor(INK).text(formatRatio(bar.ratio), xOf(bar.shown) + 3, y + 1, { lineBreak: false });
  });
  const bottom = top + bars.length * rowH;
  for (const edge of [1, 2, 4, 8]) {
    doc.moveTo(xOf(edge), top - 2).lineTo(xOf(edge), bottom).lineWidth(0.5).dash(2, { space: 2 }).strokeColor('#868e96').stroke().undash();
    doc.font('Helvetica').fontSize(6.5).fillColor(DIM).text(`${edge}x`, xOf(edge) - 4, bottom + 2, { lineBreak: false });
  }
  doc.y = bottom + 14;
}

/** Episodes per week, stacked by disruption. */
function weeklyChart(layout: Layout, report: RecoveryReport) {
  const { doc } = layout;
  const columns = weeklyColumns(report.weekly, Date.parse(report.period.from), Date.parse(report.period.to));
  const height = 70;
  layout.ensure(height + 30);
  const top = doc.y;
  const max = Math.max(1, ...columns.map((c) => c.total));
  const colW = layout.width / Math.max(1, columns.length);
  columns.forEach((column, i) => {
    let y = top + height;
    for (const s of column.segments) {
      const h = (s.value / max) * height;
      y -= h;
      doc.rect(layout.left + i * colW + 1, y, Math.max(1, colW - 2), h).fill(s.color);
    }
    if (columns.length <= 16 || i % 2 === 0) doc.font('Helvetica').fontSize(6).fillColor(DIM).text(column.weekStart.slice(5, 10), layout.left + i * colW, top + height + 2, { width: colW, align: 'center', lineBreak: false });
  });
  doc.moveTo(layout.left, top + height).lineTo(layout.left + layout.width, top + height).lineWidth(0.5).strokeColor(RULE).stroke();
  doc.font('Helvetica').fontSize(6.5).fillColor(DIM).text(`max ${max} a week`, layout.left, top - 8, { lineBreak: false });
  const totals = DISRUPTIONS.map((d) => ({ key: d, label: DISRUPTION_SHORT[d], value: report.weekly.filter((w) => w.disruption === d).reduce((sum, w) => sum + w.count, 0), color: columns.flatMap((c) => c.segments).find((s) => s.key === d)?.color ?? '#000' })).filter((s) => s.value > 0);
  legend(doc, layout.left, top + height + 12, totals);
  doc.y = top + height + 28;
}

function cellLines(cell: Cell): string[] {
  const o = cell.objective!;
  const stateful = cell.rpoVerdict !== null;
  return [
    `objective ${formatSpan(o.rtoMs)}${stateful ? ` / RPO ${formatSpan(o.rpoMs)}` : ''}`,
    ...(cell.predictedRto?.ms != null ? [`predicted ${formatSpan(cell.predictedRto.ms)}${cell.atRisk ? ' (at risk)' : ''}`] : cell.atRisk ? ['at risk by design'] : []),
    ...(cell.rto.worstMs !== null ? [`worst ${formatSpan(cell.rto.worstMs)}${cell.rto.count > 1 ? `, latest ${formatSpan(cell.rto.latestMs)}` : ''}`] : []),
    ...(stateful && cell.rpo.worstMs !== null ? [`RPO worst ${formatSpan(cell.rpo.worstMs)}`] : []),
    `${cell.rto.count} measured${cell.rto.newestAt ? `, newest ${new Date(cell.rto.newestAt).toISOString().slice(0, 10)}` : ''}`,
  ];
}

/** The compliance grid: a component per row, a disruption per column, the verdict's colour on each cell. */
function gridTable(layout: Layout, report: RecoveryReport) {
  const { doc } = layout;
  const firstW = 150;
  const colW = (layout.width - firstW) / DISRUPTIONS.length;
  const header = () => {
    const y = doc.y;
    doc.rect(layout.left, y, layout.width, 14).fill('#f1f3f5');
    doc.font('Helvetica-Bold').fontSize(7.5).fillColor(INK).text('Component', layout.left + 3, y + 4, { width: firstW - 6, lineBreak: false });
    DISRUPTIONS.forEach((d, i) => doc.text(DISRUPTION_SHORT[d], layout.left + firstW + i * colW + 3, y + 4, { width: colW - 6, lineBreak: false }));
    doc.y = y + 14;
  };
  header();
  for (const c of [...report.components].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.name.localeCompare(b.name))) {
    const cells = DISRUPTIONS.map((d) => c.cells[d] ?? null);
    const lines = Math.max(2, ...cells.map((cell) => (cell ? cellLines(cell).length + 1 : 1)));
    const h = lines * 8 + 6;
    if (doc.y + h > layout.bottom) {
      doc.addPage();
      header();
    }
    const y = doc.y;
    doc.font('Helvetica-Bold').fontSize(7.5).fillColor(INK).text(c.name, layout.left + 3, y + 3, { width: firstW - 6, height: h - 4, ellipsis: true });
    doc.font('Helvetica').fontSize(6.5).fillColor(DIM).text(`${COMPONENT_KIND_LABELS[c.kind]}${c.retired ? ', retired' : ''}`, layout.left + 3, doc.y, { width: firstW - 6, lineBreak: false, ellipsis: true });
    cells.forEach((cell, i) => {
      const x = layout.left + firstW + i * colW;
      if (!cell) {
        doc.font('Helvetica').fontSize(7).fillColor(DIM).text('—', x + 3, y + 3, { width: colW - 6, lineBreak: false });
        return;
      }
      doc.rect(x + 3, y + 3, 4, h - 6).fill(VERDICT_HEX[cell.verdict]);
      doc.font('Helvetica-Bold').fontSize(7).fillColor(INK).text(`${VERDICT_LABELS[cell.verdict]}${cell.ratio !== null && cell.ratio >= 1 ? ` ${formatRatio(cell.ratio)}` : ''}`, x + 10, y + 3, { width: colW - 13, lineBreak: false });
      doc.font('Helvetica').fontSize(6.5).fillColor(INK);
      cellLines(cell).forEach((text, j) => doc.text(text, x + 10, y + 11 + j * 8, { width: colW - 13, lineBreak: false, ellipsis: true }));
    });
    doc.moveTo(layout.left, y + h).lineTo(layout.left + layout.width, y + h).lineWidth(0.4).strokeColor(RULE).stroke();
    doc.y = y + h;
  }
}

function table(layout: Layout, columns: { label: string; width: number }[], rows: string[][], size = 7.5) {
  const { doc } = layout;
  const total = columns.reduce((sum, c) => sum + c.width, 0);
  const widths = columns.map((c) => (c.width / total) * layout.width);
  const draw = (cells: string[], bold: boolean) => {
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(size);
    const h = Math.max(...cells.map((text, i) => doc.heightOfString(text, { width: widths[i] - 6 }))) + 5;
    layout.ensure(h);
    const y = doc.y;
    if (bold) doc.rect(layout.left, y, layout.width, h).fill('#f1f3f5');
    let x = layout.left;
    cells.forEach((text, i) => {
      doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(size).fillColor(INK).text(text, x + 3, y + 3, { width: widths[i] - 6 });
      x += widths[i];
    });
    doc.moveTo(layout.left, y + h).lineTo(layout.left + layout.width, y + h).lineWidth(0.4).strokeColor(RULE).stroke();
    doc.y = y + h;
  };
  draw(columns.map((c) => c.label), true);
  for (const row of rows) draw(row, false);
}

const utc = (iso: string | null) => (iso ? formatUtc(iso, 'second').replace(' UTC', '') : '—');

/** A breach whose worst figure is a report, not an episode: a failed or slow restore, or data at risk. */
export function describeEvidenceBreach(cell: Cell): string {
  const breach = breachOf(cell);
  const when = breach.ref ? ` (reported ${utc(breach.ref.at)})` : '';
  if (breach.figure === 'failed') return `a restore test or drill failed${when}`;
  if (breach.figure === 'rto') return `a restore or drill took ${formatSpan(breach.measuredMs)} against an RTO of ${formatSpan(breach.objectiveMs)}${when}`;
  return `data at risk reached ${formatSpan(breach.measuredMs)} against an RPO of ${formatSpan(breach.objectiveMs)}${when}`;
}

/** The page's order: routing, then serving, then state; by name within each. */
const KIND_ORDER = { service_routing: 0, model_serving: 1, conversation_history: 2, configuration: 2, external: 2 } as const;

/** Renders the report; resolves with the PDF's bytes. */
export function renderReportPdf(report: RecoveryReport, options: { link: string }): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4', layout: 'landscape', margin: MARGIN, bufferPages: true,
    info: { Title: `Recovery objectives report, ${report.period.label}`, Author: 'Standby', Subject: 'RTO and RPO compliance', CreationDate: new Date(report.generatedAt) },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const layout = new Layout(doc);
  const s = report.summary;

  doc.font('Helvetica-Bold').fontSize(18).fillColor(INK).text(`Recovery objectives: ${report.period.label}`, MARGIN, MARGIN);
  doc.font('Helvetica').fontSize(9).fillColor(DIM).text(`${formatUtc(report.period.from, 'second')} to ${formatUtc(report.period.to, 'second')}. Generated ${formatUtc(report.generatedAt, 'second')} by Standby. Times are UTC.`);
  doc.moveDown(0.6);
  doc.font('Helvetica-Bold').fontSize(10.5).fillColor(s.critical ? '#c92a2a' : s.breached ? '#d9480f' : '#087f5b').text(
    `${s.breached} of ${s.cells} objectives breached (${s.critical} critical), ${s.compliant} compliant, ${s.unverified + s.noEvidence} unverified or without evidence, ${s.atRisk} at risk by design. ${s.episodes} disruption episodes${s.openEpisodes ? `, ${s.openEpisodes} still open` : ''}.`,
    { width: layout.width },
  );
  layout.para('An objective is met only as far as something measured shows it: an episode Standby saw in its own traffic, a drill, a timed restore or a reported backup. Verdicts compare the worst figure measured in the period with the objective: below 1x compliant, up to 2x exceeded, up to 4x severe, above critical. No evidence within 90 days reads unverified, never compliant.');

  layout.heading('Verdicts');
  verdictChart(layout, verdictCounts(report.components));
  layout.heading('Worst measured against the objective');
  ratioChart(layout, report);
  layout.heading('Disruption episodes per week');
  weeklyChart(layout, report);

  layout.heading('Traffic through Standby');
  table(layout, [{ label: 'Service', width: 3 }, { label: 'Requests', width: 2 }, { label: 'Failed', width: 2 }, { label: 'Answered', width: 2 }], (report.traffic ?? []).map((t) => [t.serviceName, t.requests.toLocaleString('en-US'), t.failures.toLocaleString('en-US'), t.requests ? `${(((t.requests - t.failures) / t.requests) * 100).toFixed(3)}%` : '—']));

  doc.addPage();
  layout.heading('Compliance grid');
  gridTable(layout, report);

  layout.heading('Breaches and what was done');
  if (report.breaches.length === 0) layout.para('No objective was breached in this period.', 9, INK);
  for (const b of report.breaches) {
    const e = b.episode;
    const what = e
      ? [
          `episode of ${utc(e.startedAt)}: RTO ${formatSpan(e.rtoMs)} against ${formatSpan(e.objective?.rtoMs)}`,
          e.details.assessedBy?.kind === 'operator' ? `${e.details.assessedBy.actor} acted (${e.details.assessedBy.action.replace('_', ' ')}${e.details.assessedBy.reason ? `: ${e.details.assessedBy.reason}` : ''})` : e.assessedAt ? 'assessed by a person' : 'recovered automatically, nobody had to act',
          e.incidentId ? 'incident linked' : null,
          e.status === 'open' ? 'still open' : `restored ${utc(e.restoredAt)}`,
        ].filter(Boolean).join('; ')
      : describeEvidenceBreach(b.cell);
    layout.para(`${b.componentName}, ${DISRUPTION_SHORT[b.disruption].toLowerCase()}: ${VERDICT_LABELS[b.cell.verdict]} ${formatRatio(b.cell.ratio)}. ${what}.`, 8.5, INK);
  }

  layout.heading(`Episodes (${report.episodes.length} of ${report.episodesTotal}, the longest against their objective first)`);
  table(
    layout,
    [{ label: 'Started', width: 2.2 }, { label: 'Component', width: 3 }, { label: 'Disruption', width: 1.8 }, ...Object.values(PART_LABELS).map((label) => ({ label, width: 1.1 })), { label: 'RTO', width: 1.1 }, { label: 'Objective', width: 1.1 }, { label: 'Failed', width: 1.4 }],
    report.episodes.map((e) => [utc(e.startedAt), `${e.componentName}${e.source === 'drill' ? ' (drill)' : ''}`, DISRUPTION_SHORT[e.disruption], formatSpan(e.parts.tDetectMs), formatSpan(e.parts.tAssessMs), formatSpan(e.parts.tActivateMs), formatSpan(e.parts.tRestoreMs), e.rtoMs === null ? 'ongoing' : formatSpan(e.rtoMs), formatSpan(e.objective?.rtoMs), `${e.failedRequests} of ${e.totalRequests}`]),
    7,
  );

  const drills = report.drills;
  layout.heading(`Drills: coverage ${drills.score === null ? 'not scored' : `${drills.score}/100`}`);
  layout.para('A pass within its cadence scores 100, within two cadences 75, within three 50, then 0; a pass the estate changed since (chain, runbook, targets) at most 50; a failed, halted or missing drill 0.');
  if (drills.plans.length === 0) layout.para('No drill is planned.', 9, INK);
  else
    table(
      layout,
      [{ label: 'Drill', width: 3.2 }, { label: 'Failure mode', width: 1.8 }, { label: 'Status', width: 1.8 }, { label: 'Score', width: 0.9 }, { label: 'Last result', width: 2.2 }, { label: 'RTO / objective', width: 1.8 }, { label: 'Changed since', width: 4 }],
      drills.plans.map((d) => [
        d.planName, DISRUPTION_SHORT[d.disruption], DRILL_STATUS_LABELS[d.freshness.status], String(d.freshness.score),
        d.last?.finishedAt ? `${d.last.status}, ${utc(d.last.finishedAt.toISOString())}` : '—',
        d.last?.measuredRtoMs != null ? `${formatSpan(d.last.measuredRtoMs)} / ${formatSpan(d.last.objectiveRtoMs)}` : '—',
        d.freshness.changes.join(' ').replace(/→/g, '->') || '—',
      ]),
    );
  if (drills.never.length > 0) layout.para(`Never drilled: ${drills.never.map((c) => c.name).join(', ')}.`, 8.5, INK);

  layout.heading('Posture: what to do');
  for (const service of [...report.services.map((x) => ({ name: x.serviceName, posture: x.posture })), { name: 'Shared state', posture: report.estate }]) {
    layout.para(`${service.name}: ${service.posture.passed} of ${service.posture.checks} checks pass.${service.posture.todo.length ? '' : ' Nothing to do.'}`, 8.5, INK);
    for (const item of service.posture.todo.slice(0, 6)) layout.para(`  - ${item.text}`, 7.5);
    if (service.posture.todo.length > 6) layout.para(`  - and ${service.posture.todo.length - 6} more on the Recovery page.`, 7.5);
  }

  layout.ensure(90);
  layout.heading('Sign-off');
  const y = doc.y + 10;
  for (const [i, label] of ['Reviewed by', 'Role', 'Date', 'Signature'].entries()) {
    const x = MARGIN + i * (layout.width / 4);
    doc.moveTo(x, y + 24).lineTo(x + layout.width / 4 - 20, y + 24).lineWidth(0.6).strokeColor(INK).stroke();
    doc.font('Helvetica').fontSize(8).fillColor(DIM).text(label, x, y + 28, { lineBreak: false });
  }
  doc.y = y + 44;

  const digest = gridDigest(report);
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i += 1) {
    doc.switchToPage(i);
    // Inside the bottom margin, where pdfkit would otherwise start a new page.
    doc.page.margins.bottom = 0;
    const footY = doc.page.height - MARGIN + 4;
    doc.font('Helvetica').fontSize(6.5).fillColor(DIM);
    doc.text(`Standby recovery report, ${report.period.label}. ${options.link}  Grid SHA-256 ${digest}`, MARGIN, footY, { width: layout.width - 60, lineBreak: false, ellipsis: true });
    doc.text(`Page ${i + 1} of ${range.count}`, MARGIN + layout.width - 60, footY, { width: 60, align: 'right', lineBreak: false });
  }
  doc.end();
  return done;
}
