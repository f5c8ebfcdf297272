// Inputs of the failover domain, declared once (STYLE.md habit 4): a service's
// failover chain, and the steering actions operators take on its routing.
import { z } from 'zod';
import { ADAPTIVE_LIMIT_DEFAULTS } from '@/lib/routing/adaptive-limits';
import { ERROR_CLASSES, type ErrorClass } from '@/lib/routing/error-classes';

/** Provider-side trouble: another target may well succeed where this one failed. */
export const DEFAULT_FAILOVER_ON: ErrorClass[] = [
  'rate_limited', 'server_error', 'overloaded', 'connect_failed', 'connection_reset', 'header_timeout', 'first_token_timeout',
  'stream_stall', 'stream_cut', 'malformed_response', 'auth_failed', 'not_found', 'context_length',
];

/** The settings of a new chain entry; the same values as the database defaults (prisma/schema.prisma, ChainEntry). */
export const DEFAULT_CHAIN_ENTRY = {
  failoverOn: DEFAULT_FAILOVER_ON,
  latencyLimitMs: null as number | null,
  maxRetries: 2,
  baseBackoffMs: 200,
  maxBackoffMs: 5_000,
  connectTimeoutMs: 3_000,
  headerTimeoutMs: 30_000,
  firstTokenTimeoutMs: 15_000,
  streamIdleTimeoutMs: 20_000,
  totalTimeoutMs: 120_000,
  // Fixed limits until an operator asks for limits that follow the target (lib/routing/adaptive-limits.ts).
  adaptiveLimitMultiplier: null as number | null,
  adaptiveLimitFloorMs: ADAPTIVE_LIMIT_DEFAULTS.floorMs,
} as const;

export const MAX_CHAIN_LENGTH = 20;

const wholeNumber = (what: string, min: number, max: number, unit = '') =>
  z.coerce
    .number({ error: `Enter the ${what} as a number.` })
    .int(`The ${what} must be a whole number.`)
    .min(min, `The ${what} must be at least ${min.toLocaleString('en-US')}${unit}.`)
    .max(max, `The ${what} must be at most ${max.toLocaleString('en-US')}${unit}.`);

const ms = (what: string, min: number, max: number) => wholeNumber(what, min, max, ' ms');

const uuid = (message: string) => z.string({ error: message }).uuid(message);

export const chainEntryInput = z
  .object({
    targetId: uuid('Choose a target.'),
    failoverOn: z.array(z.enum(ERROR_CLASSES, { error: 'Unknown error class.' }), { error: 'Choose what moves traffic on.' }).max(ERROR_CLASSES.length),
    // An emptied field means "no latency limit".
    latencyLimitMs: z.preprocess((value) => (value === '' || value === undefined ? null : value), ms('latency limit', 100, 600_000).nullable()),
    maxRetries: wholeNumber('retry count', 0, 10),
    baseBackoffMs: ms('base backoff', 10, 60_000),
    maxBackoffMs: ms('maximum backoff', 10, 600_000),
    connectTimeoutMs: ms('connect timeout', 100, 60_000),
    headerTimeoutMs: ms('header timeout', 100, 600_000),
    firstTokenTimeoutMs: ms('first-token timeout', 100, 600_000),
    streamIdleTimeoutMs: ms('stream idle timeout', 100, 600_000),
    totalTimeoutMs: ms('total timeout', 1_000, 1_800_000),
    // An emptied field means fixed limits.
    adaptiveLimitMultiplier: z.preprocess(
      (value) => (value === '' || value === undefined ? null : value),
      z.coerce
        .number({ error: 'Enter the multiple of p99 as a number.' })
        .min(1.5, 'The multiple of p99 must be at least 1.5: a limit at the p99 itself would cut one answer in a hundred.')
        .max(100, 'The multiple of p99 must be at most 100.')
        .nullable(),
    ),
    adaptiveLimitFloorMs: ms('limit floor', 100, 600_000).default(ADAPTIVE_LIMIT_DEFAULTS.floorMs),
  })
  // Also when other fields are invalid, so a form shows every problem at once.
  .superRefine(
    (entry, ctx) => {
      const numbers = (...values: unknown[]) => values.every((value) => typeof value === 'number' && Number.isFinite(value));
      if (numbers(entry.baseBackoffMs, entry.maxBackoffMs) && entry.maxBackoffMs < entry.baseBackoffMs) {
        ctx.addIssue({ code: 'custom', path: ['maxBackoffMs'], message: 'The maximum backoff cannot be shorter than the base backoff.' });
      }
      if (numbers(entry.headerTimeoutMs, entry.totalTimeoutMs) && entry.totalTimeoutMs < entry.headerTimeoutMs) {
        ctx.addIssue({ code: 'custom', path: ['totalTimeoutMs'], message: 'The total timeout cannot be shorter than the header timeout.' });
      }
    },
    { when: () => true },
  );
export type ChainEntryInput = z.input<typeof chainEntryInput>;
export type ChainEntryValues = z.infer<typeof chainEntryInput>;

/** Why a change was made; kept in the audit log. */
const optionalReason = z.string().trim().max(500, 'At most 500 characters.').optional();

export const chainInput = z.object({
  serviceId: uuid('Unknown service.'),
  version: z.coerce.number().int().min(1),
  entries: z
    .array(chainEntryInput, { error: 'Add at least one target.' })
    .min(1, 'Add at least one target: without one, every request for this service fails.')
    .max(MAX_CHAIN_LENGTH, `A chain can have at most ${MAX_CHAIN_LENGTH} targets.`)
    .superRefine(
      (entries, ctx) => {
        const seen = new Set<unknown>();
        entries.forEach((entry, index) => {
          const targetId = (entry as { targetId?: unknown } | undefined)?.targetId;
          if (typeof targetId !== 'string') return;
          if (seen.has(targetId)) ctx.addIssue({ code: 'custom', path: [index, 'targetId'], message: 'This target is already in the chain.' });
          seen.add(targetId);
        });
      },
      { when: ({ value }) => Array.isArray(value) },
    ),
  reason: optionalReason,
});
export type ChainInput = z.input<typeof chainInput>;

// ---------------------------------------------------------------- steering

export const STEERING_KINDS = ['force_failover', 'pin', 'drain', 'clear'] as const;
export type SteeringKind = (typeof STEERING_KINDS)[number];

/** What an operator can do to a service's routing; `clear` returns it to automatic. */
export type SteeringAction = { kind: 'force_failover' } | { kind: 'pin'; targetId: string } | { kind: 'drain'; targetId: string } | { kind: 'clear' };

const REASON_REQUIRED = 'Say why, in at least 3 characters: the reason is kept in the audit log and shown to other operators.';

export const EXPIRY_CHOICES_MINUTES = [15, 60, 240, 1_440] as const;

const steeringFields = {
  kind: z.enum(STEERING_KINDS, { error: 'Choose what to do.' }),
  targetId: z.preprocess((value) => (value === '' || value === null ? undefined : value), uuid('Choose a target.').optional()),
};

function requireTargetWhereNeeded(input: { kind: SteeringKind; targetId?: string }, ctx: z.RefinementCtx) {
  if ((input.kind === 'pin' || input.kind === 'drain') && typeof input.targetId !== 'string') {
    ctx.addIssue({ code: 'custom', path: ['targetId'], message: input.kind === 'pin' ? 'Choose the target to pin to.' : 'Choose the target to drain.' });
  }
}

/** The action as the planner sees it (a target only where the kind takes one). */
export function toSteeringAction(input: { kind: SteeringKind; targetId?: string }): SteeringAction {
  switch (input.kind) {
    case 'pin':
    case 'drain':
      return { kind: input.kind, targetId: input.targetId! };
    case 'force_failover':
    case 'clear':
      return { kind: input.kind };
  }
}

export const steerInput = z
  .object({
    serviceId: uuid('Unknown service.'),
    expectedRoutingVersion: z.coerce.number().int().min(1),
    ...steeringFields,
    reason: z
      .string({ error: REASON_REQUIRED })
      .trim()
      .min(3, REASON_REQUIRED)
      .max(500, 'At most 500 characters.'),
    expiresInMinutes: z.preprocess(
      (value) => (value === '' || value === null || value === 'none' ? undefined : value),
      wholeNumber('expiry', 1, 10_080, ' minutes').optional(),
    ),
  })
  .superRefine(requireTargetWhereNeeded, { when: ({ value }) => typeof value === 'object' && value !== null });
export type SteerInput = z.input<typeof steerInput>;

/** The query of GET /api/live/services/:name/steering-preview. */
export const previewSteeringQuery = z.object(steeringFields).superRefine(requireTargetWhereNeeded, { when: ({ value }) => typeof value === 'object' && value !== null });
