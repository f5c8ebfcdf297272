// Inputs of the conversation store's settings and erasure, declared once
// (STYLE.md habit 4): the forms check them in the browser, the mutations on the server.
import { z } from 'zod';
import { conversationRetentionDays } from '@/lib/config/schema';

const requiredReason = z.string({ error: 'Say why.' }).trim().min(3, 'Say why, in a few words: the reason is kept in the audit log.').max(500, 'At most 500 characters.');

export const conversationStoreInput = z.object({
  serviceId: z.string().uuid('Unknown service.'),
  expectedVersion: z.coerce.number().int().min(1),
  store: z.preprocess((v) => v === true || v === 'true' || v === 'on', z.boolean()),
  retentionDays: z.coerce.number({ error: 'Enter a number of days.' }).pipe(conversationRetentionDays),
  reason: requiredReason,
});

export const eraseEndUserInput = z.object({ user: z.string({ error: 'Enter the end user id.' }).trim().min(1, 'Enter the end user id (the user field their application sends).').max(256), reason: requiredReason });
