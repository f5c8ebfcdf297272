import 'server-only';
// Writes an audit entry inside the caller's transaction (STYLE.md habit 6):
// the change and its record commit together or not at all.
import { type Tx, Prisma } from '@/lib/server/db';
import type { Actor } from '@/lib/server/auth';

export type AuditEntry = {
  action: string;
  entityType: string;
  entityId?: string | null;
  entityName?: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
};

/** Values a JSON column can hold: Decimals and Dates become strings, undefined is dropped. */
function toJson(value: unknown): Prisma.InputJsonValue | typeof Prisma.DbNull {
  if (value === undefined || value === null) return Prisma.DbNull;
  return JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue;
}

export async function recordAudit(tx: Tx, actor: Actor, entry: AuditEntry): Promise<void> {
  await tx.auditLog.create({
    data: {
      actorId: actor.id,
      actorEmail: actor.email,
      actorRole: actor.role,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId ?? null,
      entityName: entry.entityName ?? null,
      before: toJson(entry.before),
      after: toJson(entry.after),
      reason: entry.reason?.trim() || null,
    },
  });
}
