// What a what-if row and its assumptions may hold (the editor runs in the
// browser and saves nothing, but a figure outside its range would give a
// meaningless result, so each is refused with a message next to its field).
import { z } from 'zod';

const number = (what: string) => z.number({ error: `Enter ${what} as a number.` });

export const whatIfTarget = z.object({
  name: z.string().trim().min(1, 'Name the target.').max(64, 'At most 64 characters.'),
  domain: z.string().trim().min(1, 'Name its failure domain, e.g. its provider.').max(64, 'At most 64 characters.'),
  availabilityPercent: number('the availability').min(0, 'Availability is a percentage from 0 to 100, e.g. 99.9.').max(100, 'Availability is a percentage from 0 to 100, e.g. 99.9.'),
});
export type WhatIfTarget = z.input<typeof whatIfTarget>;

export const whatIfAssumptions = z.object({
  standbyPercent: number("Standby's availability").min(0, 'A percentage from 0 to 100, e.g. 99.95.').max(100, 'A percentage from 0 to 100, e.g. 99.95.'),
  failuresPerYear: number('the failures per year').min(0, 'Failures per year cannot be negative.').max(100_000, 'At most 100,000 failures a year.'),
  perFailureSeconds: number('the seconds per failure').min(0, 'Seconds per failure cannot be negative.').max(86_400, 'At most 86,400 seconds (a day) per failure.'),
});
export type WhatIfAssumptions = z.input<typeof whatIfAssumptions>;

/** The first message for each field that is wrong; empty when every field is fine. */
export function fieldErrorsOf<S extends z.ZodObject>(schema: S, value: unknown): Partial<Record<keyof z.input<S>, string>> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return {};
  const errors: Partial<Record<keyof z.input<S>, string>> = {};
  for (const issue of parsed.error.issues) {
    const key = issue.path[0] as keyof z.input<S>;
    errors[key] ??= issue.message;
  }
  return errors;
}
