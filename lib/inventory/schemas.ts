// Inputs of the inventory domain, declared once (STYLE.md habit 4). Forms send
// these shapes to server actions; the config-as-code importer reuses them.
import { z } from 'zod';
import { ApiStyle, ProviderKind, QualityClass } from '@/lib/routing/enums';
import { reasonSchema, slugSchema } from '@/lib/shared/schemas';

export { reasonSchema };

export const PROVIDER_KIND_LABELS: Record<ProviderKind, string> = {
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  google: 'Google',
  azure_openai: 'Azure OpenAI',
  self_hosted: 'Self-hosted (vLLM, TGI, Ollama)',
};
export const API_STYLE_LABELS: Record<ApiStyle, string> = {
  openai_chat: 'OpenAI Chat Completions',
  anthropic_messages: 'Anthropic Messages',
};
/** The API each kind speaks unless told otherwise (Gemini and self-hosted servers offer OpenAI-compatible endpoints). */
export const DEFAULT_API_STYLE: Record<ProviderKind, ApiStyle> = {
  openai: 'openai_chat',
  anthropic: 'anthropic_messages',
  google: 'openai_chat',
  azure_openai: 'openai_chat',
  self_hosted: 'openai_chat',
};
export const QUALITY_CLASS_LABELS: Record<QualityClass, string> = {
  frontier: 'Frontier (largest models)',
  standard: 'Standard',
  economy: 'Economy (small, fast, cheap)',
};


const httpUrl = (what: string) =>
  z
    .string({ error: `Enter the ${what}.` })
    .trim()
    .max(2048, `The ${what} is too long.`)
    .url(`Enter a full URL, such as https://api.example.com/v1.`)
    .refine((value) => /^https?:\/\//.test(value), 'Only http:// and https:// URLs are supported.');

/** Scheme, host and port of an endpoint: where its requests, and the credential in them, are sent. */
export function endpointOrigin(endpointUrl: string): string | null {
  try {
    return new URL(endpointUrl).origin;
  } catch {
    return null;
  }
}

const text = (max: number) => z.string().trim().max(max, `At most ${max} characters.`).default('');
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `At most ${max} characters.`)
    .optional()
    .transform((value) => value || null);

const wholeNumber = (what: string, min: number, max: number) =>
  z.coerce
    .number({ error: `Enter the ${what} as a number.` })
    .int(`The ${what} must be a whole number.`)
    .min(min, `The ${what} must be at least ${min.toLocaleString('en-US')}.`)
    .max(max, `The ${what} must be at most ${max.toLocaleString('en-US')}.`);

const price = (what: string) =>
  z.coerce
    .number({ error: `Enter the ${what} as a number.` })
    .min(0, `The ${what} cannot be negative.`)
    .max(10_000, `The ${what} must be at most 10,000 per million tokens.`);

/** Percentages are typed with at most 4 decimals (99.9999); more would not survive a round trip. */
const atMostFourDecimals = (value: number) => Math.abs(value * 10_000 - Math.round(value * 10_000)) < 1e-6;

/** 99.9 → 0.999, exactly: the percentage has at most 4 decimals, so the numerator is a whole number. */
export const percentToFraction = (percent: number) => Math.round(percent * 10_000) / 1_000_000;
/** 0.999 → 99.9, without float noise. */
export const fractionToPercent = (fraction: number) => Math.round(fraction * 1_000_000) / 10_000;

/** A provider's published availability, typed as a percentage (99.9); the lower bound catches 0.999 typed as a fraction. */
export const availabilityPercent = z.coerce
  .number({ error: 'Enter the availability as a percentage, e.g. 99.9.' })
  .min(50, 'Enter the availability as a percentage of time, e.g. 99.9 (at least 50).')
  .lt(100, 'No provider is available 100% of the time: enter a figure below 100, e.g. 99.9.')
  .refine(atMostFourDecimals, 'Use at most 4 decimal places.');

/** A service level objective: the percentage of requests that succeed over the window. */
export const sloPercent = z.coerce
  .number({ error: 'Enter the SLO as a percentage, e.g. 99.9.' })
  .min(50, 'Enter the SLO as a percentage of requests that succeed, e.g. 99.9 (at least 50).')
  .lt(100, 'An SLO of 100% leaves no error budget: enter a figure below 100, e.g. 99.9.')
  .refine(atMostFourDecimals, 'Use at most 4 decimal places.');

export const sloWindowDays = wholeNumber('SLO window in days', 1, 90);

/** Circuit breaker settings (lib/gateway/breaker.ts); the configuration file shares these rules and messages. */
export const breakerRules = {
  /** The form and the file give it as a fraction of requests, 0 to 1. */
  failureRate: z.coerce
    .number({ error: 'Enter the failure rate as a number between 0 and 1.' })
    .gt(0, 'The failure rate must be above 0.')
    .max(1, 'The failure rate must be at most 1 (100% of requests).'),
  minimumRequests: wholeNumber('minimum number of requests', 1, 100_000),
  windowMs: wholeNumber('window', 1_000, 3_600_000),
  openMs: wholeNumber('open time', 1_000, 3_600_000),
  halfOpenSuccesses: wholeNumber('half-open successes', 1, 1_000),
  consecutiveFailures: wholeNumber('consecutive failures', 1, 1_000),
  probeIntervalMs: wholeNumber('probe interval', 1_000, 3_600_000),
};

/**
 * A setting forms may leave out: absent keeps the stored value (or the column
 * default on create); an emptied input ('') is refused as not a number rather
 * than read as 0.
 */
const keepIfAbsent = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? Number.NaN : value), schema.optional());

/** Absent keeps the stored value; '' or null clears it. */
const clearable = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? null : value), schema.nullable().optional());


export const providerInput = z.object({
  name: slugSchema('provider name'),
  kind: z.enum(ProviderKind, { error: 'Choose the kind of provider.' }),
  apiStyle: z.enum(ApiStyle, { error: 'Choose the API style it speaks.' }),
  baseUrl: httpUrl('base URL').optional().or(z.literal('').transform(() => undefined)).transform((value) => value ?? null),
  failureDomain: optionalText(64),
  notes: text(1000),
  reason: reasonSchema,
});
export type ProviderInput = z.input<typeof providerInput>;

export const regionInput = z.object({
  code: slugSchema('region code'),
  name: z.string({ error: 'Enter a name.' }).trim().min(2, 'The name needs at least 2 characters.').max(64, 'At most 64 characters.'),
  location: text(120),
  reason: reasonSchema,
});
export type RegionInput = z.input<typeof regionInput>;

export const targetInput = z
  .object({
    name: slugSchema('target name'),
    providerId: z.string({ error: 'Choose a provider.' }).uuid('Choose a provider.'),
    regionId: z.string({ error: 'Choose a region.' }).uuid('Choose a region.'),
    model: z.string({ error: 'Enter the model name.' }).trim().min(1, 'Enter the model name the provider expects.').max(128, 'At most 128 characters.'),
    endpointUrl: httpUrl('endpoint URL'),
    credentialId: z
      .string()
      .uuid('Choose a credential.')
      .nullish()
      .or(z.literal('').transform(() => null))
      .transform((value) => value ?? null),
    rpm: wholeNumber('requests per minute', 1, 10_000_000),
    tpm: wholeNumber('tokens per minute', 1, 2_000_000_000), // the column is a 32-bit int
    contextWindow: wholeNumber('context window', 256, 100_000_000),
    priceInPerMTok: price('input price'),
    priceOutPerMTok: price('output price'),
    qualityClass: z.enum(QualityClass, { error: 'Choose a quality class.' }),
    enabled: z.boolean().default(true),
    declaredAvailability: clearable(availabilityPercent.transform(percentToFraction)),
    breakerFailureRate: keepIfAbsent(breakerRules.failureRate),
    breakerMinimumRequests: keepIfAbsent(breakerRules.minimumRequests),
    breakerWindowMs: keepIfAbsent(breakerRules.windowMs),
    breakerOpenMs: keepIfAbsent(breakerRules.openMs),
    breakerHalfOpenSuccesses: keepIfAbsent(breakerRules.halfOpenSuccesses),
    breakerConsecutiveFailures: keepIfAbsent(breakerRules.consecutiveFailures),
    probeIntervalMs: keepIfAbsent(breakerRules.probeIntervalMs),
    reason: reasonSchema,
  });
export type TargetInput = z.input<typeof targetInput>;

export const serviceInput = z.object({
  name: slugSchema('service name'),
  description: text(500),
  owner: text(120),
  sloTarget: keepIfAbsent(sloPercent.transform(percentToFraction)),
  sloWindowDays: keepIfAbsent(sloWindowDays),
  reason: reasonSchema,
});
export type ServiceInput = z.input<typeof serviceInput>;

export const credentialInput = z.object({
  name: slugSchema('credential name'),
  providerId: z.string({ error: 'Choose a provider.' }).uuid('Choose a provider.'),
  secret: z.string({ error: 'Paste the API key.' }).trim().min(8, 'That is too short to be an API key.').max(4096, 'At most 4,096 characters.'),
  reason: reasonSchema,
});
export type CredentialInput = z.input<typeof credentialInput>;

export const rotateCredentialInput = credentialInput.pick({ secret: true, reason: true });

export const entityRef = z.object({ id: z.string().uuid('Unknown item.'), version: z.coerce.number().int().min(1) });
export const toggleInput = entityRef.extend({ enabled: z.boolean(), reason: reasonSchema });
export const deleteInput = z.object({ id: z.string().uuid('Unknown item.'), reason: reasonSchema });
