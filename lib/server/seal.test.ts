import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { openSecret, sealSecret, secretHint } from './seal';

const key = randomBytes(32);
const deps = { createCipheriv, createDecipheriv, randomBytes };

test('a sealed secret opens with the same key and does not contain the plaintext', () => {
  const sealed = sealSecret('sk-live-abcdefghijklmnop', key, deps);
  assert.ok(!sealed.includes('abcdefghijklmnop'));
  assert.equal(openSecret(sealed, key, deps), 'sk-live-abcdefghijklmnop');
});

test('sealing twice gives different ciphertexts (random IV)', () => {
  assert.notEqual(sealSecret('same', key, deps), sealSecret('same', key, deps));
});

test('a wrong key or a tampered ciphertext is rejected', () => {
  const sealed = sealSecret('secret-value', key, deps);
  assert.throws(() => openSecret(sealed, randomBytes(32), deps));
  const parts = sealed.split('.');
  parts[3] = Buffer.from('tampered!').toString('base64url');
  assert.throws(() => openSecret(parts.join('.'), key, deps));
});

test('keys that are not 32 bytes are refused', () => {
  assert.throws(() => sealSecret('x', randomBytes(16), deps), /32 bytes/);
});

test('the hint shows at most the last four characters and never more than a quarter', () => {
  assert.equal(secretHint('sk-demo-openai-a1b2'), '••••a1b2');
  assert.equal(secretHint('abcdefgh'), '••••gh');
  assert.equal(secretHint('abc'), '••••');
});
