// The Content-Security-Policy of Standby's pages. Pure (security-headers.test.ts).
// Scripts run only with this response's nonce: Next.js puts it on its own
// scripts (it reads the nonce from the request's policy, proxy.ts), the root
// layout on Mantine's colour-scheme script, and 'strict-dynamic' lets those load
// the page's chunks. No 'unsafe-eval' outside development, where React needs it.
// Styles stay 'unsafe-inline': Mantine and the charts set style attributes, and
// a style cannot run code.
export function contentSecurityPolicy(nonce: string, options: { dev: boolean; https: boolean }): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(options.https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

/**
 * Strict-Transport-Security when Standby is served over HTTPS (NEXTAUTH_URL says so): a browser that has seen it once
 * never again sends a session cookie over plain HTTP to this host, for a year. Not for subdomains, which may be
 * anyone's; nothing over plain HTTP, where a browser ignores it and a local demo must stay reachable.
 */
export function transportSecurity(options: { https: boolean }): string | null {
  return options.https ? 'max-age=31536000' : null;
}

/** A fresh nonce per response: 128 random bits, base64. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}
