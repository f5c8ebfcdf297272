import 'server-only';
// Shared plumbing for writes: the transaction every mutation runs in, the
// optimistic-concurrency check, and the translation of database constraint
// errors into field messages.
import { db, Prisma, type Tx } from './db';
import { AppError } from './errors';

export function inTransaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
  return db().$transaction(work, { isolationLevel: 'ReadCommitted', timeout: 15_000 });
}

/** After `updateMany({ where: { id, version } })`: zero rows means someone else changed (or deleted) it first. */
export function assertVersionMatched(count: number, what: string): void {
  if (count === 0) {
    throw new AppError('CONFLICT', `This ${what} was changed by someone else while you were editing. Reload to see their change, then try again.`);
  }
}

/** Turns a unique-constraint violation on `field` into a field error; rethrows anything else. */
export async function withUniqueField<T>(field: string, message: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      throw new AppError('INVALID', message, { [field]: [message] });
    }
    throw error;
  }
}

export function describeUsers(names: string[], total: number, noun: string): string {
  const shown = names.slice(0, 5).join(', ');
  return `${total} ${noun}${total === 1 ? '' : 's'} (${shown}${total > names.length ? ', …' : ''})`;
}

/** A write (or its preview) on a service that was deleted meanwhile. */
export function serviceGone(): never {
  throw new AppError('NOT_FOUND', 'This service no longer exists. It may have been deleted by someone else.');
}
