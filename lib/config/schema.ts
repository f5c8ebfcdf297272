// The routing configuration as a file (configuration as code): providers,
// regions, targets with their breaker settings and declared availability,
// services with their SLO, degradation policy and failover chain, and
// credentials by name only (their secrets stay in Standby). Field rules come
// from the inventory and degradation inputs (lib/inventory/schemas.ts,
// lib/degradation/schemas.ts), so a value the forms refuse, the file refuses
// too, with the same message.
import { z } from 'zod';
import { DEFAULT_CHAIN_ENTRY, DEFAULT_FAILOVER_ON, MAX_CHAIN_LENGTH, chainEntryInput } from '@/lib/failover/schemas';
import { ERROR_CLASSES, type ErrorClass } from '@/lib/routing/error-classes';
import { DEFAULT_TIER_POLICY } from '@/lib/routing/defaults';
import { DEFAULT_TIER_THRESHOLDS } from '@/lib/degradation/defaults';
import { degradationPolicyInput, MAX_RULES, tierRuleInput } from '@/lib/degradation/schemas';
import { availabilityPercent, breakerRules, credentialInput, providerInput, regionInput, serviceInput, sloPercent, sloWindowDays, targetInput } from '@/lib/inventory/schemas';

export const CONFIG_API_VERSION = 'standby/v1';
export const CONFIG_KIND = 'RoutingConfig';

// The database's column defaults (prisma/schema.prisma): a file that leaves a
// setting out gets the value a target gets when created elsewhere. Chain entry
// defaults come from the chain editor's (lib/failover/schemas.ts).
export const BREAKER_DEFAULTS = { failureRate: 0.5, minimumRequests: 10, windowMs: 10_000, openMs: 15_000, halfOpenSuccesses: 3, consecutiveFailures: 5 } as const;
/** Service.sloTarget and sloWindowDays, with the target as the file writes it: a percentage. */
export const SLO_DEFAULTS = { target: 99.9, windowDays: 30 } as const;
export const PROBE_INTERVAL_DEFAULT_MS = 15_000;

const INT32_MAX = 2_147_483_647;

// YAML spells an absent optional value `null` (or `~`); the inventory rules expect it left out.
const orAbsent = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === null ? undefined : value), schema);

const flag = (what: string) => z.boolean({ error: `Write true or false for ${what}.` });

// Prices are stored with four decimals; more would change silently on the way in
// and show as a change on every later apply.
const fourDecimals = <T extends z.ZodType<number>>(schema: T) =>
  schema.refine((value) => Math.abs(value * 10_000 - Math.round(value * 10_000)) < 1e-6, 'Use at most 4 decimal places.');

/** Error classes in the vocabulary's order, so the order they are written in never shows as a change. */
export const sortErrorClasses = (classes: readonly string[]): ErrorClass[] => ERROR_CLASSES.filter((errorClass) => classes.includes(errorClass));

// ---------------------------------------------------------------- providers, regions, credentials

const providerSchema = providerInput
  .omit({ reason: true })
  .extend({
    baseUrl: orAbsent(providerInput.shape.baseUrl),
    failureDomain: orAbsent(providerInput.shape.failureDomain),
    enabled: flag('enabled').default(true),
  })
  .strict();

const regionSchema = regionInput.omit({ reason: true }).extend({ enabled: flag('enabled').default(true) }).strict();

/** A reference to a credential that already exists in Standby; the file never holds a secret. */
const credentialRefSchema = z.object({ name: credentialInput.shape.name, provider: providerInput.shape.name }).strict();

// ---------------------------------------------------------------- targets

const breakerSchema = z
  .object({
    failureRate: breakerRules.failureRate.default(BREAKER_DEFAULTS.failureRate),
    minimumRequests: breakerRules.minimumRequests.default(BREAKER_DEFAULTS.minimumRequests),
    windowMs: breakerRules.windowMs.default(BREAKER_DEFAULTS.windowMs),
    openMs: breakerRules.openMs.default(BREAKER_DEFAULTS.openMs),
    halfOpenSuccesses: breakerRules.halfOpenSuccesses.default(BREAKER_DEFAULTS.halfOpenSuccesses),
    consecutiveFailures: breakerRules.consecutiveFailures.default(BREAKER_DEFAULTS.consecutiveFailures),
  })
  .strict()
  .prefault({});

const t = targetInput.shape;

const targetSchema = z
  .object({
    name: t.name,
    provider: providerInput.shape.name,
    region: regionInput.shape.code,
    model: t.model,
    endpointUrl: t.endpointUrl,
    credential: orAbsent(credentialInput.shape.name.optional()).transform((value) => value ?? null),
    rpm: t.rpm,
    // The column is a 32-bit integer, below the inventory rule's ceiling: refuse here rather than fail mid-apply.
    tpm: t.tpm.max(INT32_MAX, `The tokens per minute must be at most ${INT32_MAX.toLocaleString('en-US')}.`),
    contextWindow: t.contextWindow,
    price: z
      .object({ inPerMTok: fourDecimals(t.priceInPerMTok), outPerMTok: fourDecimals(t.priceOutPerMTok) }, { error: 'Give the price as inPerMTok and outPerMTok.' })
      .strict(),
    qualityClass: t.qualityClass,
    enabled: flag('enabled').default(true),
    breaker: breakerSchema,
    probeIntervalMs: breakerRules.probeIntervalMs.default(PROBE_INTERVAL_DEFAULT_MS),
    // A percentage (99.9), as in the target form; left out: none, and the availability maths assumes one.
    declaredAvailability: orAbsent(availabilityPercent.optional()).transform((value) => value ?? null),
  })
  .strict();

// ---------------------------------------------------------------- services and chains

const c = chainEntryInput.shape;

const retriesSchema = z
  .object({
    max: c.maxRetries.default(DEFAULT_CHAIN_ENTRY.maxRetries),
    baseBackoffMs: c.baseBackoffMs.default(DEFAULT_CHAIN_ENTRY.baseBackoffMs),
    maxBackoffMs: c.maxBackoffMs.default(DEFAULT_CHAIN_ENTRY.maxBackoffMs),
  })
  .strict()
  .refine((r) => r.baseBackoffMs <= r.maxBackoffMs, { message: 'The maximum backoff cannot be shorter than the base backoff.', path: ['maxBackoffMs'] })
  .prefault({});

const timeoutsSchema = z
  .object({
    connectMs: c.connectTimeoutMs.default(DEFAULT_CHAIN_ENTRY.connectTimeoutMs),
    headerMs: c.headerTimeoutMs.default(DEFAULT_CHAIN_ENTRY.headerTimeoutMs),
    firstTokenMs: c.firstTokenTimeoutMs.default(DEFAULT_CHAIN_ENTRY.firstTokenTimeoutMs),
    streamIdleMs: c.streamIdleTimeoutMs.default(DEFAULT_CHAIN_ENTRY.streamIdleTimeoutMs),
    totalMs: c.totalTimeoutMs.default(DEFAULT_CHAIN_ENTRY.totalTimeoutMs),
  })
  .strict()
  .refine((t) => t.totalMs >= t.headerMs, { message: 'The total timeout cannot be shorter than the header timeout.', path: ['totalMs'] })
  .prefault({});

const adaptiveLimitsSchema = z
  .object({
    multiplier: c.adaptiveLimitMultiplier.default(DEFAULT_CHAIN_ENTRY.adaptiveLimitMultiplier),
    floorMs: c.adaptiveLimitFloorMs,
  })
  .strict()
  .prefault({});

// The chain editor's rules (lib/failover/schemas.ts), regrouped as retries, timeouts and adaptive limits.
const chainEntrySchema = z
  .object({
    target: t.name,
    failoverOn: c.failoverOn
      .refine((list) => new Set(list).size === list.length, 'List each error class once.')
      .transform(sortErrorClasses)
      .default(sortErrorClasses(DEFAULT_FAILOVER_ON)),
    latencyLimitMs: c.latencyLimitMs,
    retries: retriesSchema,
    timeouts: timeoutsSchema,
    adaptiveLimits: adaptiveLimitsSchema,
  })
  .strict();

const sloSchema = z
  .object({ target: sloPercent.default(SLO_DEFAULTS.target), windowDays: sloWindowDays.default(SLO_DEFAULTS.windowDays) })
  .strict()
  .prefault({});

const p = degradationPolicyInput.shape;

const thresholdsSchema = z
  .object({
    degradedBelow: p.degradedBelow.default(DEFAULT_TIER_THRESHOLDS.degradedBelow),
    minimalBelow: p.minimalBelow.default(DEFAULT_TIER_THRESHOLDS.minimalBelow),
    hysteresis: p.hysteresis.default(DEFAULT_TIER_THRESHOLDS.hysteresis),
    holdSeconds: p.holdSeconds.default(DEFAULT_TIER_THRESHOLDS.holdSeconds),
  })
  .strict()
  // The policy form's ordering rules, with its messages.
  .superRefine((t, ctx) => {
    if (t.degradedBelow <= t.minimalBelow) ctx.addIssue({ code: 'custom', path: ['degradedBelow'], message: 'The Degraded threshold must be above the Minimal threshold.' });
  })
  .prefault({});

// A rule's fields in a fixed order, so the order they are written in never shows as a change.
const ruleSchema = tierRuleInput.strict().transform(({ match, pattern, answer }) => ({ match, pattern, answer }));

/**
 * How the service degrades (prisma DegradationPolicy), the degraded target by
 * name. Left out, field by field: the defaults of lib/routing/defaults.ts and lib/degradation/defaults.ts,
 * which are also what a service without a policy row gets.
 */
const degradationSchema = z
  .object({
    plannedRpm: p.plannedRpm.default(DEFAULT_TIER_THRESHOLDS.plannedRpm),
    thresholds: thresholdsSchema,
    degradedTarget: orAbsent(t.name.optional()).transform((value) => value ?? null),
    degradedMaxTokens: p.degradedMaxTokens.default(DEFAULT_TIER_POLICY.degradedMaxTokens),
    cacheTtlSeconds: p.cacheTtlSeconds.default(DEFAULT_TIER_POLICY.cacheTtlSeconds),
    rules: z.array(ruleSchema, { error: 'The rules must be a list (use [] for none).' }).max(MAX_RULES, `At most ${MAX_RULES} rules.`).default([]),
    retryAfterSeconds: p.retryAfterSeconds.default(DEFAULT_TIER_POLICY.retryAfterSeconds),
    maintenanceMessage: p.maintenanceMessage.default(DEFAULT_TIER_POLICY.maintenanceMessage),
    queueEnabled: flag('queueEnabled').default(DEFAULT_TIER_POLICY.queueEnabled),
    queueTtlSeconds: p.queueTtlSeconds.default(DEFAULT_TIER_POLICY.queueTtlSeconds),
  })
  .strict()
  .prefault({});

/** What a service gets when the file leaves `degradation` out, and what one without a policy row has. */
export const DEFAULT_DEGRADATION: z.output<typeof degradationSchema> = degradationSchema.parse(undefined);

/** The conversation store (lib/conversations): off unless the file turns it on. */
export const CONVERSATION_DEFAULTS = { store: false, retentionDays: 30 } as const;

export const conversationRetentionDays = z
  .number({ error: 'Write the retention as a whole number of days.' })
  .int('Write the retention as a whole number of days.')
  .min(1, 'Keep conversations at least 1 day.')
  .max(3650, 'At most 3,650 days (ten years).');

const conversationsSchema = z
  .object({
    store: flag('store').default(CONVERSATION_DEFAULTS.store),
    retentionDays: conversationRetentionDays.default(CONVERSATION_DEFAULTS.retentionDays),
  })
  .strict()
  .prefault({});

const serviceSchema = serviceInput
  .omit({ reason: true, sloTarget: true, sloWindowDays: true })
  .extend({
    enabled: flag('enabled').default(true),
    slo: sloSchema,
    degradation: degradationSchema,
    conversations: conversationsSchema,
    chain: z.array(chainEntrySchema).max(MAX_CHAIN_LENGTH, `A chain can have at most ${MAX_CHAIN_LENGTH} targets.`).default([]),
  })
  .strict();

// ---------------------------------------------------------------- the file

const section = <T extends z.ZodType>(item: T, what: string) => orAbsent(z.array(item, { error: `${what} must be a list (use [] for none).` }).default([]));

export const configDocument = z
  .object({
    apiVersion: z.literal(CONFIG_API_VERSION, { error: `Write apiVersion: ${CONFIG_API_VERSION}.` }),
    kind: z.literal(CONFIG_KIND, { error: `Write kind: ${CONFIG_KIND}.` }),
    providers: section(providerSchema, 'providers'),
    regions: section(regionSchema, 'regions'),
    credentials: section(credentialRefSchema, 'credentials'),
    targets: section(targetSchema, 'targets'),
    services: section(serviceSchema, 'services'),
  }, { error: 'The file must be a YAML mapping that starts with apiVersion and kind.' })
  .strict();

/** A parsed, normalised configuration file; also the shape the current estate is read into for comparison. */
export type ConfigDoc = z.output<typeof configDocument>;
export type ConfigProvider = ConfigDoc['providers'][number];
export type ConfigRegion = ConfigDoc['regions'][number];
export type ConfigCredential = ConfigDoc['credentials'][number];
export type ConfigTarget = ConfigDoc['targets'][number];
export type ConfigService = ConfigDoc['services'][number];
export type ConfigChainEntry = ConfigService['chain'][number];

/** One thing wrong with a file: where (a path such as services[1].chain[0].target, and its line when known) and what. */
export type ConfigProblem = { path: string; message: string; line?: number };

/** ['services', 1, 'chain', 0, 'target'] → 'services[1].chain[0].target' */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

/** Fields earlier files may still carry, with what became of them. */
const RETIRED_FIELDS: Record<string, string> = {
  requiredRpm: 'is now plannedRpm: the capacity planned for the service, shown as a risk and never used to refuse requests.',
  demandSource: 'is gone: the live tier always follows the measured demand.',
  emergencyBelow: 'is gone: Emergency now means that no target can serve.',
};

/** Every schema problem, unknown keys one by one. */
export function schemaProblems(error: z.ZodError): { path: PropertyKey[]; message: string }[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...issue.path, key], message: RETIRED_FIELDS[key] ? `"${key}" ${RETIRED_FIELDS[key]}` : `Unknown field "${key}".` }))
      : [{ path: issue.path, message: issue.message }],
  );
}
