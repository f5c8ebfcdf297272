// What the gateway refuses in a JSON body before working on it. Pure
// (json-limits.test.ts). How deeply it nests arrays and objects is checked on
// the raw bytes before anything parses or walks it. Code that
// walks a request recursively (the request builder, the cache key) would
// overflow the stack on 100,000 levels; no real request needs more than a few
// dozen (tools' JSON Schemas included).
export const MAX_JSON_DEPTH = 64;

const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** At least `n` opening brackets anywhere (strings included)? Counted with native searches, so a plain request costs almost nothing. */
function hasBrackets(body: Buffer, n: number): boolean {
  let count = 0;
  for (const byte of [OPEN_OBJECT, OPEN_ARRAY]) {
    for (let at = body.indexOf(byte); at !== -1; at = body.indexOf(byte, at + 1)) if (++count >= n) return true;
  }
  return false;
}

/** True when arrays and objects nest deeper than `limit` (brackets inside strings do not count). Malformed JSON is left to the parser. */
export function nestsDeeperThan(body: Buffer, limit = MAX_JSON_DEPTH): boolean {
  if (!hasBrackets(body, limit + 1)) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i += 1) {
    const byte = body[i];
    if (inString) {
      if (byte === BACKSLASH) i += 1;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      depth += 1;
      if (depth > limit) return true;
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) depth -= 1;
  }
  return false;
}

/** Whether any string (or key) holds the NUL character, which PostgreSQL cannot store in JSONB. Call on bodies within MAX_JSON_DEPTH. */
export function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(containsNul);
  if (value !== null && typeof value === 'object') return Object.entries(value).some(([key, entry]) => key.includes('\u0000') || containsNul(entry));
  return false;
}
