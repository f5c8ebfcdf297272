import 'server-only';
// Reads of the audit log. Nothing here, or anywhere, updates or deletes an entry:
// the table is append-only and a database trigger refuses any attempt.
import { db, type Prisma } from '@/lib/server/db';
import { pageOf, PAGE_SIZE, skipFor, type Page } from '@/lib/server/pagination';
import type { Json } from './diff';
import type { AuditFilters } from './schemas';

export type AuditRow = {
  id: string;
  at: string;
  actorEmail: string;
  actorRole: string;
  action: string;
  entityType: string;
  entityId: string | null;
  entityName: string | null;
  before: Json;
  after: Json;
  reason: string | null;
};

function whereOf(filters: AuditFilters): Prisma.AuditLogWhereInput {
  const contains = (value: string) => ({ contains: value, mode: 'insensitive' as const });
  return {
    ...(filters.actor && { actorEmail: contains(filters.actor) }),
    ...(filters.entityType && { entityType: filters.entityType }),
    ...(filters.entity && { OR: [{ entityName: contains(filters.entity) }, { entityId: contains(filters.entity) }] }),
    ...(filters.action && { action: contains(filters.action) }),
    ...((filters.from || filters.to) && { at: { ...(filters.from && { gte: filters.from }), ...(filters.to && { lt: filters.to }) } }),
  };
}

/** Entries matching `filters`, newest first. */
export async function listAuditEntries(filters: AuditFilters): Promise<Page<AuditRow>> {
  const where = whereOf(filters);
  const [rows, total] = await Promise.all([
    db().auditLog.findMany({
      where,
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      skip: skipFor(filters.page),
      take: PAGE_SIZE,
      select: { id: true, at: true, actorEmail: true, actorRole: true, action: true, entityType: true, entityId: true, entityName: true, before: true, after: true, reason: true },
    }),
    db().auditLog.count({ where }),
  ]);
  // BigInt ids and Dates do not cross to the browser; strings do.
  return pageOf(rows.map((row) => ({ ...row, id: row.id.toString(), at: row.at.toISOString(), before: row.before as Json, after: row.after as Json })), total, filters.page);
}

/** The entity types that occur in the log, for the filter. */
export async function listAuditEntityTypes(): Promise<string[]> {
  // groupBy is a SQL GROUP BY; findMany's `distinct` would read every entry.
  const rows = await db().auditLog.groupBy({ by: ['entityType'], orderBy: { entityType: 'asc' } });
  return rows.map((row) => row.entityType);
}
