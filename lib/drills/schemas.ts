// Inputs of the drills domain, declared once (STYLE.md habit 4): the plan
// editor's form and its action check the same schema.
import { z } from 'zod';
import { DRILL_FAULT_KINDS, TIERS } from '@/lib/routing/enums';
import { DISRUPTIONS } from '@/lib/recovery/model';

export const FAULT_KIND_LABELS: Record<(typeof DRILL_FAULT_KINDS)[number], string> = {
  error_status: 'Error status (5xx)',
  rate_limited: '429 rate limited',
  added_latency: 'Added latency',
  slow_first_token: 'Slow first token',
  stream_cut: 'Stream cut mid-answer',
  stream_stall: 'Stream stalled mid-answer',
  no_response: 'No response',
  target_down: 'Down (connection refused)',
};

const optionalNumber = (label: string, min: number, max: number, unit: string) =>
  z.preprocess(
    (v) => (v === '' || v === null || v === undefined ? null : v),
    z.coerce.number({ error: `Enter the ${label} as a number.` }).min(min, `The ${label} must be at least ${min} ${unit}.`).max(max, `The ${label} must be at most ${max} ${unit}.`).nullable(),
  );

export const faultInput = z
  .object({
    kind: z.enum(DRILL_FAULT_KINDS, { error: 'Choose what the fault does.' }),
    status: optionalNumber('status code', 500, 599, '').default(null),
    retryAfterSeconds: optionalNumber('Retry-After', 0, 600, 's').default(null),
    delayMs: optionalNumber('delay', 1, 120_000, 'ms').default(null),
    afterChunks: optionalNumber('cut point', 0, 1000, 'chunks').default(null),
  })
  .superRefine((f, ctx) => {
    if ((f.kind === 'added_latency' || f.kind === 'slow_first_token') && f.delayMs === null) ctx.addIssue({ code: 'custom', path: ['delayMs'], message: 'Say how long the delay is, in ms.' });
  });

export const planInput = z
  .object({
    /** The plan edited; absent or empty for a new one. */
    planId: z.string().uuid().optional().or(z.literal('')),
    expectedVersion: z.coerce.number().int().min(0).default(0),
    name: z.string({ error: 'Enter a name.' }).trim().min(3, 'At least 3 characters.').max(80, 'At most 80 characters.'),
    description: z.string().trim().max(1000, 'At most 1,000 characters.').default(''),
    serviceId: z.string({ error: 'Choose the service whose routing the drill exercises.' }).uuid('Choose the service whose routing the drill exercises.'),
    disruption: z.enum(DISRUPTIONS, { error: 'Choose the failure mode.' }),
    /** What the faults hit: chosen targets, or every target of a provider or a region (resolved when the run starts). */
    scopeKind: z.enum(['targets', 'provider', 'region'], { error: 'Choose what the faults hit.' }),
    scopeIds: z.array(z.string().uuid()).min(1, 'Choose at least one target, provider or region.').max(50),
    trafficMode: z.enum(['share', 'synthetic'], { error: 'Choose whose traffic suffers the faults.' }),
    sharePercent: z.coerce.number({ error: 'Enter the share as a number.' }).min(1, 'At least 1%.').max(100, 'At most 100%.').default(100),
    syntheticRps: z.coerce.number({ error: 'Enter the rate as a number.' }).min(0.2, 'At least 0.2 requests a second.').max(50, 'At most 50 requests a second.').default(2),
    faults: z.array(faultInput).min(1, 'Add at least one fault.').max(5, 'At most 5 faults.'),
    maxErrorRatePercent: optionalNumber('error-rate limit', 0, 100, '%').default(null),
    maxP95TtftMs: optionalNumber('TTFT limit', 1, 600_000, 'ms').default(null),
    maxBurnRate: optionalNumber('burn-rate limit', 0.1, 1000, 'x').default(null),
    tierFloor: z.enum(TIERS as [string, ...string[]]).nullable().default(null),
    durationSeconds: z.coerce.number({ error: 'Enter the duration in seconds.' }).int('Whole seconds.').min(10, 'At least 10 s.').max(3600, 'At most 1 hour.'),
    runbookId: z.string().uuid('Choose a runbook from the list.').nullable().optional().or(z.literal('')),
    /** The drill channel: where the drill incident's notify steps may send; none: nowhere. */
    drillWebhookId: z.string().uuid('Choose a webhook from the list.').nullable().optional().or(z.literal('')),
    recurrenceDays: optionalNumber('recurrence', 1, 366, 'days').default(null),
    cadenceDays: z.coerce.number().int().min(1, 'At least 1 day.').max(366, 'At most 366 days.').default(90),
    reason: z.string().trim().max(500, 'At most 500 characters.').default(''),
    /** Time of the next (or only) run, UTC: a time without a zone (what a datetime-local field gives) is read as UTC, as the pages show it; empty: not scheduled. */
    nextRunAt: z.preprocess((v) => (v === '' || v === null || v === undefined ? null : typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(v) ? `${v}Z` : v), z.coerce.date({ error: 'Enter a date and time.' }).nullable()).default(null),
  })
  .superRefine((p, ctx) => {
    const watched = p.maxErrorRatePercent !== null || p.maxP95TtftMs !== null || p.maxBurnRate !== null || p.tierFloor !== null;
    if (!watched && p.trafficMode === 'share') ctx.addIssue({ code: 'custom', path: ['maxErrorRatePercent'], message: 'A drill on a share of real traffic needs at least one halt condition.' });
    if (p.recurrenceDays !== null && p.nextRunAt === null) ctx.addIssue({ code: 'custom', path: ['nextRunAt'], message: 'A recurring drill needs its first run time.' });
    // A time already past would start the drill at the scheduler's next tick, without the "Run now" confirmation.
    if (p.nextRunAt !== null && p.nextRunAt.getTime() < Date.now() - 60_000) ctx.addIssue({ code: 'custom', path: ['nextRunAt'], message: 'Pick a time in the future (UTC); to run it now, use Run now.' });
  });
export type PlanInput = z.input<typeof planInput>;

export const runInput = z.object({ planId: z.string().uuid('Unknown drill.') });
export const archiveInput = z.object({
  planId: z.string().uuid('Unknown drill.'),
  expectedVersion: z.coerce.number().int().min(1),
  reason: z.string().trim().max(500, 'At most 500 characters.').default(''),
});
export const haltInput = z.object({
  runId: z.string().uuid('Unknown run.'),
  reason: z.string({ error: 'Say why.' }).trim().min(3, 'Say why, in a few words: it goes on the run\'s timeline.').max(500, 'At most 500 characters.'),
});
