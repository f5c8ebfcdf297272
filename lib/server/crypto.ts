import 'server-only';
// Provider credentials at rest: AES-256-GCM with a random 96-bit IV per secret.
// Stored form: "v1.<iv>.<tag>.<ciphertext>" (base64url). The key comes from
// STANDBY_ENCRYPTION_KEY; rotating it means re-encrypting every credential.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { env } from './env';
import { sealSecret, openSecret } from './seal';

export { secretHint } from './seal';

const key = () => Buffer.from(env().STANDBY_ENCRYPTION_KEY, 'base64');

export const encryptSecret = (plaintext: string) => sealSecret(plaintext, key(), { createCipheriv, randomBytes });
export const decryptSecret = (sealed: string) => openSecret(sealed, key(), { createDecipheriv });
