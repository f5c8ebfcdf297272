// Runs before every page: gives each response its Content-Security-Policy with a
// fresh nonce (lib/server/security-headers.ts; Next.js reads the nonce from the
// request's copy of the policy and puts it on its scripts), and sends signed-out
// visitors of dashboard pages to the sign-in page, keeping where they were going.
// The redirect is convenience only: every page, action and route checks the
// session itself (STYLE.md habit 3).
import { NextResponse, type NextRequest } from 'next/server';
import { getToken } from 'next-auth/jwt';
import { env } from '@/lib/server/env';
import { contentSecurityPolicy, newNonce, transportSecurity } from '@/lib/server/security-headers';

const PUBLIC_PAGES = new Set(['/login']);

export async function proxy(request: NextRequest) {
  const nonce = newNonce();
  const { NODE_ENV, NEXTAUTH_URL, NEXTAUTH_SECRET } = env();
  const https = (NEXTAUTH_URL ?? '').startsWith('https://');
  const policy = contentSecurityPolicy(nonce, { dev: NODE_ENV === 'development', https });
  const hsts = transportSecurity({ https });
  const withPolicy = (response: NextResponse) => {
    response.headers.set('content-security-policy', policy);
    if (hsts) response.headers.set('strict-transport-security', hsts);
    return response;
  };
  if (!PUBLIC_PAGES.has(request.nextUrl.pathname) && !(await getToken({ req: request, secret: NEXTAUTH_SECRET }))) {
    const url = request.nextUrl.clone();
    url.pathname = '/login';
    url.search = '';
    url.searchParams.set('callbackUrl', request.nextUrl.pathname + request.nextUrl.search);
    return withPolicy(NextResponse.redirect(url));
  }
  const headers = new Headers(request.headers);
  headers.set('x-nonce', nonce);
  headers.set('content-security-policy', policy);
  return withPolicy(NextResponse.next({ request: { headers } }));
}

export const config = {
  // Every page; not APIs (which answer 401 themselves) or static files.
  matcher: ['/((?!api/|_next/|favicon.ico|.*\\.(?:png|svg|jpg|ico|css|js)$).*)'],
};
