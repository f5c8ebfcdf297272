import 'server-only';
import { db } from '@/lib/server/db';

export type UserRow = { id: string; email: string; name: string; role: string; disabled: boolean; version: number; lastSignInAt: string | null; createdAt: string };

export async function listUsers(): Promise<UserRow[]> {
  const rows = await db().user.findMany({
    orderBy: [{ disabled: 'asc' }, { email: 'asc' }],
    select: { id: true, email: true, name: true, role: true, disabled: true, version: true, lastSignInAt: true, createdAt: true },
  });
  return rows.map((row) => ({ ...row, lastSignInAt: row.lastSignInAt?.toISOString() ?? null, createdAt: row.createdAt.toISOString() }));
}
