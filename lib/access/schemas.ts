import { z } from 'zod';
import { ROLES } from '@/lib/server/permissions';

const password = z
  .string({ error: 'Enter a password.' })
  .min(12, 'Use at least 12 characters.')
  .max(200, 'At most 200 characters.');

export const userInput = z.object({
  email: z.string({ error: 'Enter an email address.' }).trim().toLowerCase().email('Enter a valid email address.').max(254),
  name: z.string({ error: 'Enter a name.' }).trim().min(1, 'Enter a name.').max(100, 'At most 100 characters.'),
  role: z.enum(ROLES, { error: 'Choose a role.' }),
});

export const createUserInput = userInput.extend({ password, reason: z.string().trim().max(500).optional() });
export const updateUserInput = userInput.extend({
  id: z.string().uuid(),
  version: z.coerce.number().int().min(1),
  disabled: z.boolean(),
  reason: z.string().trim().max(500).optional(),
});
export const resetPasswordInput = z.object({ id: z.string().uuid(), password, reason: z.string().trim().max(500).optional() });

/** A signed-in user's own change: the current password (throttled as sign-ins are), the new one twice. */
export const changePasswordInput = z
  .object({
    currentPassword: z.string({ error: 'Enter your current password.' }).min(1, 'Enter your current password.').max(200, 'At most 200 characters.'),
    password,
    confirm: z.string({ error: 'Enter the new password again.' }),
  })
  .superRefine((p, ctx) => {
    if (p.confirm !== p.password) ctx.addIssue({ code: 'custom', path: ['confirm'], message: 'The two new passwords differ.' });
    if (p.password === p.currentPassword) ctx.addIssue({ code: 'custom', path: ['password'], message: 'Choose a password other than the current one.' });
  });
