// Inputs of configuration history, declared once (STYLE.md habit 4): the
// restore form checks them in the browser, the mutation on the server.
import { z } from 'zod';

export const versionIdInput = z.string({ error: 'Choose a version.' }).uuid('Unknown version.');

export const restoreVersionInput = z.object({
  versionId: versionIdInput,
  reason: z.string({ error: 'Say why.' }).trim().min(3, 'Say why, in a few words: the reason is kept in the audit log and the new version.').max(500, 'At most 500 characters.'),
  /** The preview's fingerprint: the restore refuses to run on an estate changed since. */
  expectedFingerprint: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});
