import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentSecurityPolicy, newNonce, transportSecurity } from './security-headers';

test('scripts need the nonce; eval only in development; no framing', () => {
  const production = contentSecurityPolicy('abc', { dev: false, https: false });
  assert.match(production, /script-src 'self' 'nonce-abc' 'strict-dynamic';/);
  assert.doesNotMatch(production, /unsafe-eval/);
  assert.match(production, /frame-ancestors 'none'/);
  assert.match(production, /object-src 'none'/);
  assert.doesNotMatch(production, /upgrade-insecure-requests/);
  assert.match(contentSecurityPolicy('abc', { dev: true, https: false }), /'strict-dynamic' 'unsafe-eval';/);
  assert.match(contentSecurityPolicy('abc', { dev: false, https: true }), /upgrade-insecure-requests$/);
});

test('nonces differ every time and are base64 of 16 bytes', () => {
  const a = newNonce();
  assert.notEqual(a, newNonce());
  assert.equal(Buffer.from(a, 'base64').length, 16);
});

test('HSTS only where Standby is served over HTTPS, for a year, not for subdomains', () => {
  assert.equal(transportSecurity({ https: true }), 'max-age=31536000');
  assert.equal(transportSecurity({ https: false }), null);
});
