// A timeline entry as pages, the live stream and the PDF see it: plain JSON,
// ids as strings (they are bigints in PostgreSQL).
export type TimelineEventView = {
  id: string;
  at: string;
  recordedAt: string;
  kind: string;
  actor: string;
  actorName: string | null;
  text: string;
  curated: boolean;
  originalAt: string | null;
  correctedAt: string | null;
  correctedBy: string | null;
  correctionReason: string | null;
  /** What the entry is a change of, when entries of it can repeat many times over (a breaker: `breaker:<target id>`); null otherwise. */
  subject: string | null;
};

export const TIMELINE_SELECT = {
  id: true, at: true, recordedAt: true, kind: true, actor: true, text: true, curated: true, data: true, originalAt: true, correctedAt: true, correctedBy: true, correctionReason: true,
} as const;

type Row = { id: bigint; at: Date; recordedAt: Date; kind: string; actor: string; text: string; curated: boolean; data: unknown; originalAt: Date | null; correctedAt: Date | null; correctedBy: string | null; correctionReason: string | null };

export function toTimelineView(row: Row): TimelineEventView {
  const data = (row.data ?? {}) as { actorName?: unknown; targetId?: unknown };
  return {
    id: row.id.toString(), at: row.at.toISOString(), recordedAt: row.recordedAt.toISOString(), kind: row.kind, actor: row.actor,
    actorName: typeof data.actorName === 'string' ? data.actorName : row.actor === 'standby' ? 'Standby' : null,
    text: row.text, curated: row.curated, originalAt: row.originalAt?.toISOString() ?? null, correctedAt: row.correctedAt?.toISOString() ?? null,
    correctedBy: row.correctedBy, correctionReason: row.correctionReason,
    subject: row.kind === 'breaker' && typeof data.targetId === 'string' ? `breaker:${data.targetId}` : null,
  };
}

/** A line of the timeline as shown: an entry, or the entries of one subject folded between the first and last of a run. */
export type TimelineLine = { kind: 'entry'; event: TimelineEventView } | { kind: 'folded'; key: string; events: TimelineEventView[] };

/** Runs of this many entries or more of one subject, one after another, are folded. */
export const FOLD_FROM = 4;

/**
 * The timeline's lines: where FOLD_FROM or more entries in a row are changes of one subject (a flapping breaker
 * opening and closing again and again), the first and the last stay and the ones between fold into one line, unless
 * its key (the id of the first folded entry) is in `unfolded`. Nothing is left out: a folded line holds its entries.
 */
export function foldRepeats(events: readonly TimelineEventView[], unfolded: ReadonlySet<string> = new Set()): TimelineLine[] {
  const lines: TimelineLine[] = [];
  for (let start = 0; start < events.length; ) {
    const subject = events[start].subject;
    let end = start + 1;
    while (subject !== null && end < events.length && events[end].subject === subject) end += 1;
    const run = events.slice(start, end);
    const middle = run.slice(1, -1);
    if (run.length >= FOLD_FROM && !unfolded.has(middle[0].id)) {
      lines.push({ kind: 'entry', event: run[0] }, { kind: 'folded', key: middle[0].id, events: middle }, { kind: 'entry', event: run.at(-1)! });
    } else {
      for (const event of run) lines.push({ kind: 'entry', event });
    }
    start = end;
  }
  return lines;
}
