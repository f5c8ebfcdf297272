// AES-256-GCM sealing, pure apart from the crypto primitives passed in, so it is
// unit-tested without the environment (seal.test.ts).
import type { createCipheriv as CreateCipheriv, createDecipheriv as CreateDecipheriv, randomBytes as RandomBytes } from 'node:crypto';

const VERSION = 'v1';

export function sealSecret(plaintext: string, key: Buffer, deps: { createCipheriv: typeof CreateCipheriv; randomBytes: typeof RandomBytes }): string {
  if (key.length !== 32) throw new Error('encryption key must be 32 bytes');
  const iv = deps.randomBytes(12);
  const cipher = deps.createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join('.');
}

export function openSecret(sealed: string, key: Buffer, deps: { createDecipheriv: typeof CreateDecipheriv }): string {
  const [version, iv, tag, ciphertext] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || ciphertext === undefined) throw new Error('unrecognised sealed secret');
  const decipher = deps.createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}

/** What the UI may show of a secret: its last four characters, never more than a quarter of it. */
export function secretHint(plaintext: string): string {
  const visible = Math.min(4, Math.floor(plaintext.length / 4));
  return visible > 0 ? `••••${plaintext.slice(-visible)}` : '••••';
}
