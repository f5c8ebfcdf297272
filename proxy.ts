// Sends signed-out visitors of dashboard pages to the sign-in page, keeping
// where they were going. This is convenience only: every page, action and route
// checks the session itself (STYLE.md habit 3).
import { NextResponse, type NextRequest } from 'next/server';
import { getToken } from 'next-auth/jwt';

export async function proxy(request: NextRequest) {
  const token = await getToken({ req: request, secret: process.env.NEXTAUTH_SECRET });
  if (token) return NextResponse.next();
  const url = request.nextUrl.clone();
  url.pathname = '/login';
  url.search = '';
  url.searchParams.set('callbackUrl', request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.redirect(url);
}

export const config = {
  // Everything but sign-in, APIs (which answer 401 themselves) and static files.
  matcher: ['/((?!login|api/|_next/|favicon.ico|.*\\.(?:png|svg|jpg|ico|css|js)$).*)'],
};
