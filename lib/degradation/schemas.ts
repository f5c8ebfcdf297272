// Inputs of the degradation domain, declared once (STYLE.md habit 4): an
// operator's tier override and a service's degradation policy.
import { z } from 'zod';
import { catastrophicRegexReason } from './regex-safety';
import { TIERS } from '@/lib/routing/enums';

const uuid = (message: string) => z.string({ error: message }).uuid(message);

// Integer-ness as a refinement, not .int(): zod stops at a failed .int() and
// would skip the cross-field threshold checks, hiding errors from the form.
const wholeNumber = (what: string, min: number, max: number, unit = '') =>
  z.coerce
    .number({ error: `Enter the ${what} as a number.` })
    .refine(Number.isInteger, `The ${what} must be a whole number.`)
    .min(min, `The ${what} must be at least ${min.toLocaleString('en-US')}${unit}.`)
    .max(max, `The ${what} must be at most ${max.toLocaleString('en-US')}${unit}.`);

const fraction = (what: string, max: number) =>
  z.coerce
    .number({ error: `Enter the ${what} as a number, e.g. 0.5 for 50%.` })
    .refine(Number.isFinite, `Enter the ${what} as a number, e.g. 0.5 for 50%.`)
    .refine((n) => n <= max, `The ${what} must be at most ${max} (${max * 100}%).`);

const REASON_REQUIRED = 'Say why, in at least 3 characters: the reason is kept in the audit log and on the tier timeline.';
const requiredReason = z.string({ error: REASON_REQUIRED }).trim().min(3, REASON_REQUIRED).max(500, 'At most 500 characters.');

// ---------------------------------------------------------------- override

/** The expiry presets the override dialog offers, in minutes; "until cleared" is no expiry. */
export const OVERRIDE_EXPIRY_MINUTES = [15, 60, 240] as const;

const version = z.coerce.number({ error: 'Reload the page and try again.' }).int().min(1);

export const setTierOverrideInput = z.object({
  serviceId: uuid('Unknown service.'),
  /** ServiceTierState.version the operator looked at (1 before the first evaluation). */
  expectedVersion: version,
  tier: z.enum(TIERS, { error: 'Choose a tier.' }),
  reason: requiredReason,
  expiresInMinutes: z.preprocess(
    (value) => (value === '' || value === null || value === 'none' ? undefined : value),
    wholeNumber('expiry', 1, 10_080, ' minutes').optional(),
  ),
});
export type SetTierOverrideInput = z.input<typeof setTierOverrideInput>;

export const clearTierOverrideInput = z.object({
  serviceId: uuid('Unknown service.'),
  expectedVersion: version,
  reason: requiredReason,
});
export type ClearTierOverrideInput = z.input<typeof clearTierOverrideInput>;

// ---------------------------------------------------------------- policy

export const RULE_MATCHES = ['contains', 'regex'] as const;
export const MAX_RULES = 50;

export const tierRuleInput = z
  .object({
    match: z.enum(RULE_MATCHES, { error: 'Choose how the rule matches.' }),
    pattern: z.string({ error: 'Enter what to match.' }).trim().min(1, 'Enter what to match.').max(500, 'At most 500 characters.'),
    answer: z.string({ error: 'Enter the answer.' }).trim().min(1, 'Enter the answer to send.').max(4_000, 'At most 4,000 characters.'),
  })
  .superRefine(
    (rule, ctx) => {
      if (rule.match !== 'regex' || typeof rule.pattern !== 'string' || rule.pattern.trim() === '') return;
      try {
        new RegExp(rule.pattern.trim(), 'i');
      } catch (error) {
        const detail = error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : 'it does not compile';
        ctx.addIssue({ code: 'custom', path: ['pattern'], message: `This regular expression does not compile: ${detail}.` });
        return;
      }
      const unsafe = catastrophicRegexReason(rule.pattern.trim());
      if (unsafe) {
        ctx.addIssue({ code: 'custom', path: ['pattern'], message: `This regular expression could stall the gateway: ${unsafe}. Rewrite it without the nested repetition, or match with "contains".` });
      }
    },
    { when: () => true },
  );

const booleanField = z.preprocess((value) => (value === 'on' || value === 'true' ? true : value === 'false' || value === '' || value === undefined ? false : value), z.boolean({ error: 'Choose yes or no.' }));

export const degradationPolicyInput = z
  .object({
    serviceId: uuid('Unknown service.'),
    /** DegradationPolicy.version the operator edited (1 while the service uses the defaults). */
    version,
    plannedRpm: wholeNumber('planned capacity', 0, 100_000_000, ' RPM'),
    // At D ≥ 1 demand fits the capacity and nothing is shed, so a tier taken above it would mean nothing.
    degradedBelow: fraction('Degraded threshold', 1).refine((n) => n > 0, 'The Degraded threshold must be above 0.'),
    minimalBelow: fraction('Minimal threshold', 1).refine((n) => n > 0, 'The Minimal threshold must be above 0: D is 0 only when nothing can serve, which is Emergency.'),
    hysteresis: fraction('hysteresis', 5).refine((n) => n >= 0, 'The hysteresis cannot be negative.'),
    holdSeconds: wholeNumber('hold time', 0, 86_400, ' s'),
    degradedTargetId: z.preprocess((value) => (value === '' || value === undefined ? null : value), uuid('Choose a target.').nullable()),
    degradedMaxTokens: wholeNumber('max_tokens cap', 1, 1_000_000),
    cacheTtlSeconds: wholeNumber('cache lifetime', 1, 604_800, ' s'),
    rules: z.array(tierRuleInput, { error: 'The rules are not a list.' }).max(MAX_RULES, `At most ${MAX_RULES} rules.`),
    retryAfterSeconds: wholeNumber('Retry-After', 1, 3_600, ' s'),
    maintenanceMessage: z.string({ error: 'Enter the maintenance message.' }).trim().min(1, 'Enter the maintenance message clients see in Emergency.').max(1_000, 'At most 1,000 characters.'),
    queueEnabled: booleanField,
    queueTtlSeconds: wholeNumber('queue lifetime', 60, 604_800, ' s'),
    reason: z.string().trim().max(500, 'At most 500 characters.').optional(),
  })
  // Also when other fields are invalid, so the form shows every problem at once.
  .superRefine(
    (p, ctx) => {
      const finite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
      if (finite(p.minimalBelow) && finite(p.degradedBelow) && p.degradedBelow <= p.minimalBelow) {
        ctx.addIssue({ code: 'custom', path: ['degradedBelow'], message: 'The Degraded threshold must be above the Minimal threshold.' });
      }
    },
    { when: () => true },
  );
export type DegradationPolicyInput = z.input<typeof degradationPolicyInput>;
export type DegradationPolicyValues = z.infer<typeof degradationPolicyInput>;
