import 'server-only';
// next-auth's configuration for its own routes (app/api/auth/[...nextauth]):
// how a session is kept (lib/server/auth.ts sessionOptions) plus how one is
// opened, with email and password checked under throttling (sign-in.ts).
import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { sessionOptions } from '@/lib/server/auth';
import { CLIENT_ADDRESS_HEADER } from '@/lib/server/client-address';
import { verifySignIn } from './sign-in';

export function authOptions(): NextAuthOptions {
  return {
    ...sessionOptions(),
    providers: [
      CredentialsProvider({
        name: 'Email and password',
        credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
        async authorize(credentials, req) {
          // Written by the front door from the socket, and from X-Forwarded-For only as far as
          // STANDBY_TRUSTED_PROXIES trusts it (lib/server/client-address.ts).
          const stamped = req?.headers?.[CLIENT_ADDRESS_HEADER];
          const address = (Array.isArray(stamped) ? stamped[0] : stamped) || 'unknown';
          // verifySignIn throws an AppError with a user-facing message for throttling;
          // next-auth passes that message to the sign-in page as `error`.
          const user = await verifySignIn(credentials?.email ?? '', credentials?.password ?? '', address);
          return user ? { id: user.id, email: user.email, name: user.name, role: user.role, gen: user.sessionGeneration } : null;
        },
      }),
    ],
  };
}
