import 'server-only';
// Who a dashboard page is for (lib/server/auth.ts lists every permission
// helper). Apart from auth.ts because it redirects with next/navigation, which
// only runs inside Next: the command line and the seed use auth.ts too.
import { redirect } from 'next/navigation';
import { getCurrentUser, requirePermission, type SessionUser } from './auth';
import { hasPermission, type Permission } from './permissions';

/**
 * For pages: the signed-in user, who must hold `permission`. A visitor whose
 * session has ended (signed out, revoked, reset) is sent to the sign-in page,
 * as the dashboard's layout does: an expected turn of events, so nothing is
 * logged (STYLE.md habit 5).
 */
export function pageUserOf(user: SessionUser | null, permission: Permission): SessionUser {
  if (!user) redirect('/login');
  requirePermission(user, permission);
  return user;
}

export async function requirePageUser(permission: Permission): Promise<SessionUser> {
  return pageUserOf(await getCurrentUser(), permission);
}

/** For pages: the current user if they hold `permission`, null if their role does not (so the page can explain); signed out, to /login. */
export async function pageUserIfPermitted(permission: Permission): Promise<SessionUser | null> {
  const user = await getCurrentUser();
  if (!user) redirect('/login');
  return hasPermission(user.role, permission) ? user : null;
}
