// Where the browser goes after signing in. Pure (callback-url.test.ts). A path is
// accepted only if, resolved as the browser resolves it, it stays on Standby's
// origin: '/\evil.example' and '/<tab>/evil.example' start with one '/' but are
// read by browsers as '//evil.example', another site.
const BASE = 'http://standby.invalid';

export function safeCallbackUrl(value: string | string[] | undefined): string {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw || !raw.startsWith('/')) return '/';
  let resolved: URL;
  try {
    resolved = new URL(raw, BASE);
  } catch {
    return '/';
  }
  if (resolved.origin !== BASE) return '/';
  // Re-serialised from the parsed URL, so what the page hands the browser is what was checked.
  return `${resolved.pathname}${resolved.search}${resolved.hash}`;
}
