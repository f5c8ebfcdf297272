import 'server-only';
// Authentication once (next-auth credentials, JWT sessions), authorisation in
// every action and route (STYLE.md habit 3). The JWT carries the user's id, a
// session id and the user's session generation at sign-in: role, disabled state
// and generation are read from the database on each request, so a demotion, a
// disabled account, a password reset or "sign out other sessions" (which bump
// the generation) take effect at once, not at token expiry; a signed-out
// session's id is kept as revoked until the token would have expired.
//
// The permission helpers, one per place they are used:
//   pages      requirePageUser(permission), pageUserIfPermitted(permission) in page-user.ts
//              (a signed-out visitor is sent to /login, nothing is logged)
//   actions    getCurrentUser(), then the mutation calls requireActor(user, permission)
//   routes     withPermission(permission, handler) (lib/server/route.ts)
//   anywhere   requirePermission(user, permission) asserts; hasPermission(role, permission) asks (permissions.ts)
// Signing in (the credentials provider and its throttling) belongs to the
// access domain: lib/access/auth-options.ts adds it to sessionOptions().
import { randomUUID } from 'node:crypto';
import { cache } from 'react';
import { type NextAuthOptions, getServerSession } from 'next-auth';
import { db } from './db';
import { env } from './env';
import type { Role } from './generated/prisma/enums';
import { AppError } from './errors';
import { hasPermission, type Permission } from './permissions';

export type SessionUser = { id: string; email: string; name: string; role: Role };
/** Who an audit entry names: a signed-in user, or Standby itself (seed, CLI, bootstrap). */
export type Actor = { id: string | null; email: string; name: string; role: Role | 'system' };

export const SYSTEM_ACTOR: Actor = { id: null, email: 'system', name: 'Standby', role: 'system' };

export const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;

/**
 * How a session is kept and read: JWT settings, the claims it carries, and
 * revocation at sign-out. Enough to read the session of a request; the sign-in
 * route adds its credentials provider (lib/access/auth-options.ts).
 */
export function sessionOptions(): NextAuthOptions {
  return {
    secret: env().NEXTAUTH_SECRET,
    session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: '/login' },
    providers: [],
    callbacks: {
      jwt({ token, user }) {
        if (user) {
          token.sub = user.id;
          token.role = (user as { role?: Role }).role;
          token.gen = (user as { gen?: number }).gen;
          token.sid = randomUUID();
        }
        return token;
      },
      session({ session, token }) {
        if (session.user) Object.assign(session.user, { id: token.sub, role: token.role, gen: token.gen, sid: token.sid });
        return session;
      },
    },
    events: {
      async signOut({ token }) {
        if (typeof token?.sid === 'string') await revokeSession(token.sid, typeof token.exp === 'number' ? token.exp * 1000 : Date.now() + SESSION_MAX_AGE_SECONDS * 1000);
      },
    },
  };
}

/** Ends one session for good: its token is refused from now on, even though its signature stays valid until it expires. */
async function revokeSession(sessionId: string, expiresAtMs: number) {
  const expiresAt = new Date(expiresAtMs);
  await db().revokedSession.upsert({ where: { id: sessionId }, create: { id: sessionId, expiresAt }, update: {} });
}

type SessionClaims = { id?: string; email?: string; name?: string; role?: Role; gen?: number; sid?: string };

/** The claims of this request's session token, as getCurrentUser reads them. */
export async function sessionClaims(): Promise<SessionClaims | undefined> {
  const session = await getServerSession(sessionOptions());
  return session?.user as SessionClaims | undefined;
}

/**
 * The signed-in, enabled user for this request, or null. Cached per request.
 * If the database is unreachable, the signed token's identity is used so the
 * dashboard can still say what is wrong; nothing can be written then anyway.
 */
export const getCurrentUser = cache(async (): Promise<SessionUser | null> => {
  const claims = await sessionClaims();
  // Tokens issued before sessions had a generation and an id cannot be ended one by one: they sign in again.
  if (!claims?.id || typeof claims.gen !== 'number' || typeof claims.sid !== 'string') return null;
  try {
    const [user, revoked] = await Promise.all([
      db().user.findUnique({ where: { id: claims.id }, select: { id: true, email: true, name: true, role: true, disabled: true, sessionGeneration: true } }),
      db().revokedSession.findUnique({ where: { id: claims.sid }, select: { id: true } }),
    ]);
    if (!user || user.disabled || revoked || user.sessionGeneration !== claims.gen) return null;
    return { id: user.id, email: user.email, name: user.name, role: user.role };
  } catch (error) {
    if (!claims.role || !claims.email) throw error;
    console.error('[standby] database unreachable while reading the session user; using the signed token', { error: error instanceof Error ? error.message.split('\n').at(-1) : error });
    return { id: claims.id, email: claims.email, name: claims.name ?? claims.email, role: claims.role };
  }
});

const SESSION_ENDED = 'Your session has ended. Sign in again.';

export function requireSignedIn(user: SessionUser | null): SessionUser {
  if (!user) throw new AppError('UNAUTHENTICATED', SESSION_ENDED);
  return user;
}

export function requirePermission(user: SessionUser | null, permission: Permission): asserts user is SessionUser {
  if (!user) throw new AppError('UNAUTHENTICATED', SESSION_ENDED);
  if (!hasPermission(user.role, permission)) {
    throw new AppError('FORBIDDEN', `Your role (${user.role}) does not allow this. It needs the '${permission}' permission.`);
  }
}

/** `user`, who must hold `permission`, as the actor a mutation is audited under. Use at the top of every mutation. */
export function requireActor(user: SessionUser | null, permission: Permission): Actor {
  requirePermission(user, permission);
  return user;
}
