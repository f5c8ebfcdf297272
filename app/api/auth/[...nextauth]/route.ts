// GET|POST /api/auth/*: next-auth's sign-in, sign-out, session and CSRF endpoints.
import NextAuth from 'next-auth';
import { authOptions } from '@/lib/access/auth-options';

const handler = (req: Request, context: { params: Promise<{ nextauth: string[] }> }) => NextAuth(req as never, context as never, authOptions());

export { handler as GET, handler as POST };
