// Input rules more than one domain's forms share: a name made to be typed in
// URLs and configuration files, and the reason every change is asked for.
import { z } from 'zod';

/** A lower-case name (services, targets, providers): what the form says when it is not one. */
export const slugSchema = (what: string) =>
  z
    .string({ error: `Enter a ${what}.` })
    .trim()
    .min(2, `The ${what} needs at least 2 characters.`)
    .max(64, `The ${what} can have at most 64 characters.`)
    .regex(/^[a-z0-9][a-z0-9._-]*$/, `Use lower-case letters, digits, '.', '_' or '-', starting with a letter or digit.`);

/** Why a change was made; kept in the audit log. */
export const reasonSchema = z.string().trim().max(500, 'At most 500 characters.').optional();
