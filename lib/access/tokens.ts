// API tokens for the gateway and machine APIs, pure apart from the random
// source passed in (tokens.test.ts). A token reads `sbk_<prefix>_<secret>`:
// the 8-character prefix is stored and shown so people can tell tokens apart;
// the whole token is stored only as its SHA-256. A fast hash is enough here
// (unlike passwords): 32 random base62 characters carry about 190 bits.
import { createHash } from 'node:crypto';

export const TOKEN_SCHEME = 'sbk';
const PREFIX_LENGTH = 8;
const SECRET_LENGTH = 32;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const TOKEN_PATTERN = new RegExp(`^${TOKEN_SCHEME}_([0-9A-Za-z]{${PREFIX_LENGTH}})_[0-9A-Za-z]{${SECRET_LENGTH}}$`);

export type RandomBytes = (size: number) => Uint8Array;
export type GeneratedToken = { token: string; prefix: string; tokenHash: string };

/** `length` base62 characters without modulo bias: bytes of 248 and above (4 × 62) are drawn again. */
function randomBase62(length: number, randomBytes: RandomBytes): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248) out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** SHA-256 (hex) of the whole token: what is stored, and what the gateway looks tokens up by. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function generateToken(randomBytes: RandomBytes): GeneratedToken {
  const prefix = randomBase62(PREFIX_LENGTH, randomBytes);
  const token = `${TOKEN_SCHEME}_${prefix}_${randomBase62(SECRET_LENGTH, randomBytes)}`;
  return { token, prefix, tokenHash: hashToken(token) };
}

/** The prefix of a well-formed token, or null when `token` does not have the shape of one. */
export function tokenPrefixOf(token: string): string | null {
  return TOKEN_PATTERN.exec(token)?.[1] ?? null;
}

/**
 * The token in an `Authorization: Bearer <token>` header value, or null when the
 * header is missing, uses another scheme, or does not hold a well-formed token
 * (so a malformed value is refused without a lookup).
 */
export function parseBearer(header: string | null | undefined): string | null {
  if (!header) return null;
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) return null;
  return tokenPrefixOf(match[1]) ? match[1] : null;
}

/** How a token is shown: `sbk_AbCd1234_…`. */
export const displayPrefix = (prefix: string) => `${TOKEN_SCHEME}_${prefix}_…`;

export type TokenStatus = 'active' | 'expired' | 'revoked';

export function tokenStatus(token: { expiresAt: Date | string | number | null; revokedAt: Date | string | number | null }, now: number): TokenStatus {
  if (token.revokedAt !== null) return 'revoked';
  if (token.expiresAt !== null && new Date(token.expiresAt).getTime() <= now) return 'expired';
  return 'active';
}

export type TokenRefusal = 'expired' | 'service_not_allowed';

/**
 * Whether a (not revoked) token may call `service` at `now`: null when it may,
 * or why not. An empty service list means every service.
 */
export function checkTokenAccess(token: { services: readonly string[]; expiresAt: number | null }, service: string, now: number): TokenRefusal | null {
  if (token.expiresAt !== null && token.expiresAt <= now) return 'expired';
  if (token.services.length > 0 && !token.services.includes(service)) return 'service_not_allowed';
  return null;
}
