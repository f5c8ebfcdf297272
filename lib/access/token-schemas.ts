// Inputs of API token administration, declared once (STYLE.md habit 4).
import { z } from 'zod';
import { reasonSchema, slugSchema } from '@/lib/shared/schemas';
import { TOKEN_SCOPES } from './scopes';

export const MAX_TOKEN_DAYS = 3650;

export const createApiTokenInput = z.object({
  name: z
    .string({ error: 'Enter a name.' })
    .trim()
    .min(2, 'The name needs at least 2 characters.')
    .max(64, 'The name can have at most 64 characters.'),
  // Service names, as clients send them in `model`; none means every service.
  services: z
    .array(slugSchema('service name'), { error: 'Choose services from the list.' })
    .max(100, 'At most 100 services; leave the list empty to allow every service.')
    .default([])
    .transform((names) => [...new Set(names)].sort()),
  // What it may do (lib/access/scopes.ts); a gateway token unless told otherwise.
  scopes: z
    .array(z.enum(TOKEN_SCOPES, { error: `Choose from ${TOKEN_SCOPES.join(', ')}.` }), { error: 'Choose what the token may do.' })
    .min(1, 'Choose at least one thing the token may do.')
    .default(['gateway'])
    .transform((scopes) => [...new Set(scopes)].sort()),
  // Forms send '' for "never expires".
  expiresInDays: z.preprocess(
    (value) => (value === '' || value === null ? undefined : value),
    z.coerce
      .number({ error: 'Enter the number of days.' })
      .int('Enter a whole number of days.')
      .min(1, 'At least 1 day.')
      .max(MAX_TOKEN_DAYS, `At most ${MAX_TOKEN_DAYS.toLocaleString('en-US')} days (10 years).`)
      .optional(),
  ),
  reason: reasonSchema,
});
export type CreateApiTokenInput = z.input<typeof createApiTokenInput>;

export const revokeApiTokenInput = z.object({ id: z.string().uuid('Unknown token.'), reason: reasonSchema });
