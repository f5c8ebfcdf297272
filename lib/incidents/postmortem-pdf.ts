import 'server-only';
// The post-mortem as a PDF, drawn on the server with pdfkit as the recovery
// report is (docs/decisions/010-recovery-report-pdf.md): the figures of
// getPostmortem, the written sections from their Markdown (markdown.ts: never
// HTML), the curated timeline and the follow-ups. A4 portrait, standard fonts.
import PDFDocument from 'pdfkit';
import { TIER_LABELS } from '@/lib/routing/tier';
import { parseMarkdown, plainText, type Block } from '@/lib/runbooks/markdown';
import { FAILURE_MODE_LABELS } from '@/lib/runbooks/model';
import { PART_LABELS, type RtoParts } from '@/lib/recovery/rto-parts';
import type { PostmortemView } from './data';
import { STATUS_LABELS } from './model';
import { spoken } from './timeline';

type Doc = PDFKit.PDFDocument;
const MARGIN = 42;
const INK = '#212529';
const DIM = '#6c757d';
const PART_HEX: Record<keyof RtoParts, string> = { tDetectMs: '#228be6', tAssessMs: '#7950f2', tActivateMs: '#fd7e14', tRestoreMs: '#12b886' };

const utc = (iso: string | number) => `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
const pct = (x: number | null) => (x === null ? 'n/a' : `${x >= 0.1 ? Math.round(x * 100) : (x * 100).toFixed(1)}%`);
/** The standard fonts speak WinAnsi: arrows and other signs outside it become words. */
const ansi = (text: string) => text.replace(/→/g, '->').replace(/…/g, '...').replace(/[“”]/g, '"').replace(/[‘’]/g, "'").replace(/[^\x09\x0a\x0d\x20-\x7e\xa0-\xff]/g, '?');

class Layout {
  constructor(readonly doc: Doc) {}
  get width() {
    return this.doc.page.width - 2 * MARGIN;
  }
  ensure(height: number) {
    if (this.doc.y + height > this.doc.page.height - MARGIN - 16) this.doc.addPage();
  }
  heading(text: string, size = 12.5) {
    this.ensure(42);
    this.doc.moveDown(0.7).font('Helvetica-Bold').fontSize(size).fillColor(INK).text(ansi(text), MARGIN, this.doc.y, { width: this.width });
    this.doc.moveDown(0.25);
  }
  text(text: string, options: { size?: number; color?: string; bold?: boolean; indent?: number; mono?: boolean } = {}) {
    const font = options.mono ? 'Courier' : options.bold ? 'Helvetica-Bold' : 'Helvetica';
    const size = options.size ?? 9.5;
    const width = this.width - (options.indent ?? 0);
    this.doc.font(font).fontSize(size);
    this.ensure(this.doc.heightOfString(ansi(text), { width }) + 2);
    this.doc.fillColor(options.color ?? INK).text(ansi(text), MARGIN + (options.indent ?? 0), this.doc.y, { width });
  }
  row(cells: string[], widths: number[], bold = false) {
    const { doc } = this;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8.5);
    const height = Math.max(...cells.map((c, i) => doc.heightOfString(ansi(c), { width: widths[i] - 6 }))) + 4;
    this.ensure(height);
    const y = doc.y;
    let x = MARGIN;
    cells.forEach((c, i) => {
      doc.fillColor(bold ? DIM : INK).text(ansi(c), x, y, { width: widths[i] - 6 });
      x += widths[i];
    });
    doc.y = y + height;
  }
}

function markdown(layout: Layout, source: string, empty: string) {
  const blocks: Block[] = source.trim() ? parseMarkdown(source) : [];
  if (blocks.length === 0) return layout.text(empty, { color: DIM });
  for (const b of blocks) {
    if (b.t === 'heading') layout.text(plainText(b.c), { bold: true, size: 10.5 });
    else if (b.t === 'paragraph') layout.text(plainText(b.c));
    else if (b.t === 'code') layout.text(b.v, { mono: true, size: 8.5, indent: 10 });
    else b.items.forEach((item, i) => layout.text(`${b.ordered ? `${i + 1}.` : '-'} ${plainText(item)}`, { indent: 10 }));
    layout.doc.moveDown(0.3);
  }
}

export function renderPostmortemPdf(view: PostmortemView): Promise<Buffer> {
  const { incident, figures, written } = view;
  const doc = new PDFDocument({ size: 'A4', margin: MARGIN, bufferPages: true, info: { Title: `${incident.publicId} post-mortem: ${incident.title}`, Author: 'Standby', Subject: 'Incident post-mortem' } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const layout = new Layout(doc);

  doc.font('Helvetica-Bold').fontSize(17).fillColor(INK).text(ansi(`${incident.publicId} post-mortem: ${incident.title}`), MARGIN, MARGIN, { width: layout.width });
  layout.text(
    `${incident.severity}, ${STATUS_LABELS[incident.status].toLowerCase()}${incident.failureMode ? `, ${FAILURE_MODE_LABELS[incident.failureMode].toLowerCase()}` : ''}${incident.service ? `, service ${incident.service.name}` : ''}. From ${utc(figures.window.from)} to ${figures.window.ongoing ? 'now (still open)' : utc(figures.window.to)}: ${spoken(figures.window.durationMs)}. ${written.publishedAt ? `Published ${utc(written.publishedAt)}` : 'Draft'}${written.updatedBy ? `, last edited by ${written.updatedBy}` : ''}. Times are UTC.`,
    { color: DIM, size: 9 },
  );

  layout.heading('Summary');
  markdown(layout, written.summary, 'Not written yet.');

  layout.heading('Impact');
  const i = figures.impact;
  layout.text(`${i.failures.toLocaleString('en-US')} of ${i.requests.toLocaleString('en-US')} requests failed (${pct(i.failedShare)}). Services affected: ${i.affectedServices.join(', ') || 'none (callers were served)'}.`);
  const widths = [130, 80, 80, 100, layout.width - 390];
  layout.row(['Service', 'Requests', 'Failed', 'Error budget used', 'Worst tier (changes)'], widths, true);
  for (const s of i.services) {
    layout.row([s.name, s.requests.toLocaleString('en-US'), `${s.failures.toLocaleString('en-US')} (${pct(s.failedShare)})`, s.budgetBurned === null ? 'not stated' : pct(s.budgetBurned), `${TIER_LABELS[s.worstTier]} (${s.tierChanges})`], widths);
  }
  layout.text(view.sources.budget, { color: DIM, size: 8 });

  layout.heading('Recovery time against the objective');
  if (!figures.rto) layout.text('No disruption episode was linked to this incident.', { color: DIM });
  else {
    const r = figures.rto;
    layout.text(`${r.componentName} (${r.disruption}): RTO ${r.rtoMs === null ? 'not yet measured' : spoken(r.rtoMs)}${r.objectiveRtoMs ? ` against an objective of ${spoken(r.objectiveRtoMs)}${r.ratio !== null ? ` (${r.ratio.toFixed(1)}x)` : ''}` : ', no objective set'}. Slowest part: ${r.slowest ? PART_LABELS[r.slowest] : 'none'}.`);
    const keys = Object.keys(PART_LABELS) as (keyof RtoParts)[];
    const total = keys.reduce((s, k) => s + (r.parts[k] ?? 0), 0);
    layout.ensure(40);
    const y = doc.y + 4;
    let x = MARGIN;
    for (const k of keys) {
      const w = total > 0 ? ((r.parts[k] ?? 0) / total) * layout.width : 0;
      if (w > 0) doc.rect(x, y, w, 10).fill(PART_HEX[k]);
      x += w;
    }
    doc.y = y + 14;
    layout.text(keys.map((k) => `${PART_LABELS[k]} ${r.parts[k] === null ? 'n/a' : spoken(r.parts[k]!)}`).join('   '), { size: 8.5, color: DIM });
    for (const e of figures.episodes.filter((e) => e.id !== r.id)) layout.text(`Also: ${e.componentName}, RTO ${e.rtoMs === null ? 'open' : spoken(e.rtoMs)}${e.objectiveRtoMs ? ` of ${spoken(e.objectiveRtoMs)}` : ''}`, { size: 8.5 });
  }

  layout.heading('Runbook steps');
  if (figures.slowestStep) layout.text(`Slowest step: "${figures.slowestStep.title}" (${figures.slowestStep.runbook}), ${spoken(figures.slowestStep.durationMs)}.`);
  const stepWidths = [layout.width - 270, 70, 90, 110];
  layout.row(['Step', 'Outcome', 'Took', 'By'], stepWidths, true);
  for (const s of figures.steps) layout.row([`${s.title} (${s.runbook})`, s.status, s.durationMs === null ? '' : spoken(s.durationMs), s.finishedBy ?? s.startedBy ?? ''], stepWidths);

  layout.heading('Root cause');
  markdown(layout, written.rootCause, 'Not written yet.');
  layout.heading('What went well');
  markdown(layout, written.wentWell, 'Not written yet.');
  layout.heading('What to improve');
  markdown(layout, written.toImprove, 'Not written yet.');

  layout.heading('Follow-ups');
  if (view.followUps.length === 0) layout.text('None recorded.', { color: DIM });
  for (const f of view.followUps) layout.text(`[${f.status === 'done' ? 'x' : ' '}] ${f.title}${f.owner ? `, ${f.owner.name}` : ''}${f.dueOn ? `, due ${f.dueOn}` : ''}${f.status === 'done' && f.doneAt ? ` (done ${f.doneAt.slice(0, 10)})` : ''}`);

  layout.heading('Timeline (curated)');
  for (const e of view.timeline) layout.row([utc(e.at).slice(0, 19), `${e.text}${e.correctedAt ? ` (time corrected by ${e.correctedBy}: ${e.correctionReason})` : ''}`], [110, layout.width - 110]);

  const range = doc.bufferedPageRange();
  for (let p = range.start; p < range.start + range.count; p += 1) {
    doc.switchToPage(p);
    doc.font('Helvetica').fontSize(7.5).fillColor(DIM).text(`${incident.publicId} post-mortem, generated by Standby ${utc(Date.now())}. Page ${p + 1} of ${range.count}.`, MARGIN, doc.page.height - MARGIN + 6, { width: layout.width, lineBreak: false });
  }
  doc.end();
  return done;
}
