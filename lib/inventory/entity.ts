import 'server-only';
// The one way an inventory row is created, edited, enabled or disabled, and
// deleted: the caller's permission was checked by the mutation; here the row
// is written in a transaction with its optimistic-concurrency check, and the
// audit entry (who, what, before, after, why) and the routing configuration's
// new version (lib/config-history) are written in the same one.
// Providers, regions, targets, services and credentials differ only in what
// this is given: their table, the columns an audit entry keeps, their label,
// the checks a write must pass, and what blocks a delete.
import { recordConfigChange } from '@/lib/config-versions/writer';
import type { Actor } from '@/lib/server/auth';
import type { Tx } from '@/lib/server/db';
import { AppError } from '@/lib/server/errors';
import { assertVersionMatched, inTransaction, withUniqueField } from '@/lib/server/mutation';

type Row = { id: string };

/** The part of a Prisma model delegate these writes use. */
type Table<R extends Row> = {
  create(args: { data: object; select: object }): Promise<R>;
  findUnique(args: { where: { id: string }; select: object }): Promise<R | null>;
  findUniqueOrThrow(args: { where: { id: string }; select: object }): Promise<R>;
  updateMany(args: { where: { id: string; version: number }; data: object }): Promise<{ count: number }>;
  delete(args: { where: { id: string } }): Promise<unknown>;
};

export type Entity<R extends Row> = {
  /** The audit log's entityType, and the word in messages. */
  type: 'provider' | 'region' | 'target' | 'service' | 'credential';
  table: (tx: Tx) => Table<R>;
  /** The columns read back and kept in the audit entry. */
  select: object;
  /** How the audit log names a row (a region by its code, the others by their name). */
  label: (row: R) => string;
  /** The unique column a create or an edit may collide on, and what the form says then. */
  unique?: { field: string; message: string };
  /** Run in the transaction of a create or a delete, before its version is written (targets and services: their recovery components). */
  afterCreateOrDelete?: (tx: Tx) => Promise<unknown>;
};

function notFound(what: string): never {
  throw new AppError('NOT_FOUND', `This ${what} no longer exists. It may have been deleted by someone else.`);
}

const unique = <T>(entity: { unique?: { field: string; message: string } }, work: () => Promise<T>) => (entity.unique ? withUniqueField(entity.unique.field, entity.unique.message, work) : work());

export function createEntity<R extends Row>(entity: Entity<R>, actor: Actor, data: object, reason: string | undefined, check?: (tx: Tx) => Promise<void>): Promise<R> {
  return unique(entity, () =>
    inTransaction(async (tx) => {
      await check?.(tx);
      const created = await entity.table(tx).create({ data, select: entity.select });
      await entity.afterCreateOrDelete?.(tx);
      await recordConfigChange(tx, actor, 'routing', { action: `${entity.type}.create`, entityType: entity.type, entityId: created.id, entityName: entity.label(created), after: created, reason });
      return created;
    }),
  );
}

/** Changes `data` of the row at `version` (a change by someone else since is a conflict); `check` sees the row as it was. */
export function updateEntity<R extends Row>(
  entity: Entity<R>, actor: Actor, ref: { id: string; version: number }, data: object, reason: string | undefined,
  options: { action?: string; check?: (tx: Tx, before: R) => Promise<void> } = {},
): Promise<R> {
  const { id, version } = ref;
  const write = () =>
    inTransaction(async (tx) => {
      const table = entity.table(tx);
      const before = (await table.findUnique({ where: { id }, select: entity.select })) ?? notFound(entity.type);
      await options.check?.(tx, before);
      const { count } = await table.updateMany({ where: { id, version }, data: { ...data, version: { increment: 1 } } });
      assertVersionMatched(count, entity.type);
      const after = await table.findUniqueOrThrow({ where: { id }, select: entity.select });
      await recordConfigChange(tx, actor, 'routing', { action: `${entity.type}.${options.action ?? 'update'}`, entityType: entity.type, entityId: id, entityName: entity.label(after), before, after, reason });
      return after;
    });
  return options.action ? write() : unique(entity, write);
}

export function setEntityEnabled<R extends Row>(entity: Entity<R>, actor: Actor, input: { id: string; version: number; enabled: boolean; reason?: string }): Promise<R> {
  return updateEntity(entity, actor, input, { enabled: input.enabled }, input.reason, { action: input.enabled ? 'enable' : 'disable' });
}

/** Deletes the row, unless `blockedBy` names what still uses it (then nothing changes and the user is told). */
export function deleteEntity<R extends Row>(entity: Entity<R>, actor: Actor, id: string, reason: string | undefined, blockedBy?: (tx: Tx, before: R) => Promise<string | null>): Promise<void> {
  return inTransaction(async (tx) => {
    const table = entity.table(tx);
    const before = (await table.findUnique({ where: { id }, select: entity.select })) ?? notFound(entity.type);
    const blocked = await blockedBy?.(tx, before);
    if (blocked) throw new AppError('IN_USE', blocked);
    await table.delete({ where: { id } });
    await entity.afterCreateOrDelete?.(tx);
    await recordConfigChange(tx, actor, 'routing', { action: `${entity.type}.delete`, entityType: entity.type, entityId: id, entityName: entity.label(before), before, reason });
  });
}
