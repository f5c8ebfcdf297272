// Cross-site request forgery defence for cookie-authenticated routes that change
// state. Pure (same-origin.test.ts). A browser sends the session cookie with a
// request another site makes (SameSite=Lax still sends it from another port of
// the same host), so such a request must show that it came from Standby's own
// pages: Sec-Fetch-Site 'same-origin', and an Origin that is Standby's. Scripts
// (curl with a cookie) send neither header and are let through: CSRF needs a
// browser, and every browser sends Origin on a POST. The body must also carry
// the route's real content type: text/plain, form and multipart bodies are what
// a cross-site page can send without asking first (no CORS preflight).

export const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export type RequestFacts = { method: string; headers: Headers; url: string };

/** Why the request looks cross-site, or null. `publicOrigin` is NEXTAUTH_URL's origin, when set. */
export function crossSiteProblem(request: RequestFacts, publicOrigin: string | null): string | null {
  const fetchSite = request.headers.get('sec-fetch-site');
  if (fetchSite && fetchSite !== 'same-origin' && fetchSite !== 'none') {
    return `This request came from another site (Sec-Fetch-Site: ${fetchSite}), so Standby refused it. Make changes from Standby's own pages.`;
  }
  const origin = request.headers.get('origin');
  if (origin === null) return null;
  if (origin !== 'null') {
    if (publicOrigin !== null && origin === publicOrigin) return null;
    // The host the browser addressed (what the Host header says), whatever scheme a proxy in front terminated.
    const host = request.headers.get('host');
    try {
      if (host && new URL(origin).host === host.toLowerCase()) return null;
    } catch {
      /* not a URL: refused below */
    }
  }
  return `This request came from another site (Origin: ${origin.slice(0, 200)}), so Standby refused it. Make changes from Standby's own pages.`;
}

/** The media type of a Content-Type header, lower-cased, without parameters. */
export function mediaTypeOf(contentType: string | null): string | null {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type || null;
}
