import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { checkTokenAccess, displayPrefix, generateToken, hashToken, parseBearer, tokenPrefixOf, tokenStatus } from './tokens';

test('a generated token has the documented shape, and its hash is the SHA-256 of the whole token', () => {
  const { token, prefix, tokenHash } = generateToken(randomBytes);
  assert.match(token, /^sbk_[0-9A-Za-z]{8}_[0-9A-Za-z]{32}$/);
  assert.equal(token.split('_')[1], prefix);
  assert.equal(tokenHash, createHash('sha256').update(token).digest('hex'));
  assert.equal(hashToken(token), tokenHash);
  assert.match(tokenHash, /^[0-9a-f]{64}$/);
});

test('two tokens from a real random source differ', () => {
  const a = generateToken(randomBytes);
  const b = generateToken(randomBytes);
  assert.notEqual(a.token, b.token);
  assert.notEqual(a.prefix, b.prefix);
});

test('bytes of 248 and above are skipped, so every base62 character is equally likely', () => {
  // A source that alternates an unusable byte (255) with 0, 1, 2, ...: only the small ones count.
  let next = 0;
  const source = (size: number) => Uint8Array.from({ length: size }, (_, i) => (i % 2 === 0 ? 255 : next++ % 62));
  const { token } = generateToken(source);
  assert.equal(token.slice(0, 13), 'sbk_01234567_');
  assert.equal(token.slice(13, 17), '89AB');
});

test('parseBearer accepts a well-formed token in any letter case of the scheme, and nothing else', () => {
  const { token } = generateToken(randomBytes);
  assert.equal(parseBearer(`Bearer ${token}`), token);
  assert.equal(parseBearer(`bearer   ${token}  `), token);
  assert.equal(parseBearer(`Basic ${token}`), null);
  assert.equal(parseBearer(token), null, 'the scheme is required');
  assert.equal(parseBearer(`Bearer ${token}x`), null);
  assert.equal(parseBearer('Bearer sk-live-abcdef'), null);
  assert.equal(parseBearer(`Bearer ${token} extra`), null);
  assert.equal(parseBearer(''), null);
  assert.equal(parseBearer(undefined), null);
  assert.equal(parseBearer(null), null);
});

test('the prefix of a token is readable without its secret', () => {
  const { token, prefix } = generateToken(randomBytes);
  assert.equal(tokenPrefixOf(token), prefix);
  assert.equal(tokenPrefixOf('sbk_short_x'), null);
  assert.equal(displayPrefix(prefix), `sbk_${prefix}_…`);
});

test('status: revoked wins over expired; a token expires at its expiry instant', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  assert.equal(tokenStatus({ expiresAt: null, revokedAt: null }, now), 'active');
  assert.equal(tokenStatus({ expiresAt: '2026-03-01T12:00:00Z', revokedAt: null }, now), 'expired');
  assert.equal(tokenStatus({ expiresAt: '2026-03-01T12:00:01Z', revokedAt: null }, now), 'active');
  assert.equal(tokenStatus({ expiresAt: '2026-01-01T00:00:00Z', revokedAt: new Date(now) }, now), 'revoked');
});

test('access: an empty service list allows every service; otherwise only the listed ones, until expiry', () => {
  const now = 1_000_000;
  assert.equal(checkTokenAccess({ services: [], expiresAt: null }, 'support-bot', now), null);
  assert.equal(checkTokenAccess({ services: ['support-bot'], expiresAt: now + 1 }, 'support-bot', now), null);
  assert.equal(checkTokenAccess({ services: ['support-bot'], expiresAt: null }, 'search', now), 'service_not_allowed');
  assert.equal(checkTokenAccess({ services: [], expiresAt: now }, 'support-bot', now), 'expired');
});
