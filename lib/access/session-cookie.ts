import 'server-only';
// The session cookie, re-issued by "sign out other sessions" so that this
// browser stays signed in under the user's new session generation. Apart from
// lib/server/auth.ts because next/headers only loads inside Next.js, and auth.ts
// is also used by Standby's own processes (seed, command line).
import { decode, encode } from 'next-auth/jwt';
import { cookies } from 'next/headers';
import { SESSION_MAX_AGE_SECONDS } from '@/lib/server/auth';
import { env } from '@/lib/server/env';
import { AppError } from '@/lib/server/errors';

/** next-auth's own rule for its cookie's name: __Secure- when Standby is served over https. */
const sessionCookieName = (secure: boolean) => `${secure ? '__Secure-' : ''}next-auth.session-token`;

/** Replaces this request's session cookie by one of the user's current `generation`, keeping its session id. */
export async function reissueSessionCookie(generation: number): Promise<void> {
  const store = await cookies();
  const secure = (env().NEXTAUTH_URL ?? '').startsWith('https://');
  const name = sessionCookieName(secure);
  const secret = env().NEXTAUTH_SECRET;
  const token = await decode({ token: store.get(name)?.value, secret });
  if (!token) throw new AppError('UNAUTHENTICATED', 'Your session has ended. Sign in again.');
  const value = await encode({ token: { ...token, gen: generation }, secret, maxAge: SESSION_MAX_AGE_SECONDS });
  store.set(name, value, { httpOnly: true, sameSite: 'lax', path: '/', secure, maxAge: SESSION_MAX_AGE_SECONDS });
}
