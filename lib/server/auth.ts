import 'server-only';
// Authentication once (next-auth credentials, JWT sessions), authorisation in
// every action and route (STYLE.md habit 3). The JWT only carries the user's
// id: role and disabled state are read from the database on each request, so a
// demotion or a disabled account takes effect at once, not at token expiry.
import { cache } from 'react';
import type { NextAuthOptions } from 'next-auth';
import { getServerSession } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { db } from './db';
import { env } from './env';
import type { Role } from './generated/prisma/enums';
import { AppError } from './errors';
import { hasPermission, type Permission } from './permissions';
import { verifySignIn } from '@/lib/access/sign-in';

export type SessionUser = { id: string; email: string; name: string; role: Role };
/** Who an audit entry names: a signed-in user, or Standby itself (seed, CLI, bootstrap). */
export type Actor = { id: string | null; email: string; name: string; role: Role | 'system' };

export const SYSTEM_ACTOR: Actor = { id: null, email: 'system', name: 'Standby', role: 'system' };

export const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;

export function authOptions(): NextAuthOptions {
  return {
    secret: env().NEXTAUTH_SECRET,
    session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: '/login' },
    providers: [
      CredentialsProvider({
        name: 'Email and password',
        credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
        async authorize(credentials, req) {
          const forwarded = req?.headers?.['x-forwarded-for'];
          const address = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim() || 'unknown';
          // verifySignIn throws an AppError with a user-facing message for throttling;
          // next-auth passes that message to the sign-in page as `error`.
          const user = await verifySignIn(credentials?.email ?? '', credentials?.password ?? '', address);
          return user ? { id: user.id, email: user.email, name: user.name, role: user.role } : null;
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) {
          token.sub = user.id;
          token.role = (user as { role?: Role }).role;
        }
        return token;
      },
      session({ session, token }) {
        if (session.user) Object.assign(session.user, { id: token.sub, role: token.role });
        return session;
      },
    },
  };
}

/**
 * The signed-in, enabled user for this request, or null. Cached per request.
 * If the database is unreachable, the signed token's identity is used so the
 * dashboard can still say what is wrong; nothing can be written then anyway.
 */
export const getCurrentUser = cache(async (): Promise<SessionUser | null> => {
  const session = await getServerSession(authOptions());
  const claims = session?.user as { id?: string; email?: string; name?: string; role?: Role } | undefined;
  if (!claims?.id) return null;
  try {
    const user = await db().user.findUnique({ where: { id: claims.id }, select: { id: true, email: true, name: true, role: true, disabled: true } });
    if (!user || user.disabled) return null;
    return { id: user.id, email: user.email, name: user.name, role: user.role };
  } catch (error) {
    if (!claims.role || !claims.email) throw error;
    console.error('[standby] database unreachable while reading the session user; using the signed token', { error: error instanceof Error ? error.message.split('\n').at(-1) : error });
    return { id: claims.id, email: claims.email, name: claims.name ?? claims.email, role: claims.role };
  }
});

export async function requireUser(): Promise<SessionUser> {
  const user = await getCurrentUser();
  if (!user) throw new AppError('UNAUTHENTICATED', 'Your session has ended. Sign in again.');
  return user;
}

export function requirePermission(user: SessionUser | null, permission: Permission): asserts user is SessionUser {
  if (!user) throw new AppError('UNAUTHENTICATED', 'Your session has ended. Sign in again.');
  if (!hasPermission(user.role, permission)) {
    throw new AppError('FORBIDDEN', `Your role (${user.role}) does not allow this. It needs the '${permission}' permission.`);
  }
}

/** `user`, who must hold `permission`, as the actor a mutation is audited under. Use at the top of every mutation. */
export function authorized(user: SessionUser | null, permission: Permission): Actor {
  requirePermission(user, permission);
  return user;
}

/** The current user, who must hold `permission`. Use at the top of every action and route. */
export async function authorize(permission: Permission): Promise<SessionUser> {
  const user = await getCurrentUser();
  requirePermission(user, permission);
  return user;
}

/** For pages: the current user if they hold `permission`, null if their role does not (so the page can explain). */
export async function authorizeOrNull(permission: Permission): Promise<SessionUser | null> {
  const user = await getCurrentUser();
  if (!user) throw new AppError('UNAUTHENTICATED', 'Your session has ended. Sign in again.');
  return hasPermission(user.role, permission) ? user : null;
}
