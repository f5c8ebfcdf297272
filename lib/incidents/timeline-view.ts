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
};

export const TIMELINE_SELECT = {
  id: true, at: true, recordedAt: true, kind: true, actor: true, text: true, curated: true, data: true, originalAt: true, correctedAt: true, correctedBy: true, correctionReason: true,
} as const;

type Row = { id: bigint; at: Date; recordedAt: Date; kind: string; actor: string; text: string; curated: boolean; data: unknown; originalAt: Date | null; correctedAt: Date | null; correctedBy: string | null; correctionReason: string | null };

export function toTimelineView(row: Row): TimelineEventView {
  const data = (row.data ?? {}) as { actorName?: unknown };
  return {
    id: row.id.toString(), at: row.at.toISOString(), recordedAt: row.recordedAt.toISOString(), kind: row.kind, actor: row.actor,
    actorName: typeof data.actorName === 'string' ? data.actorName : row.actor === 'standby' ? 'Standby' : null,
    text: row.text, curated: row.curated, originalAt: row.originalAt?.toISOString() ?? null, correctedAt: row.correctedAt?.toISOString() ?? null,
    correctedBy: row.correctedBy, correctionReason: row.correctionReason,
  };
}
