// Inputs of the recovery domain, declared once (STYLE.md habit 4).
import { z } from 'zod';
import { DAY, DISRUPTIONS, EVIDENCE_KINDS } from './model';

const MAX_OBJECTIVE_SECONDS = 30 * 24 * 3600;

const requiredReason = z
  .string({ error: 'Say why.' })
  .trim()
  .min(3, 'Say why, in a few words: the reason is kept with the objective and in the audit log.')
  .max(500, 'At most 500 characters.');

/** A number of seconds typed in a form (a string) or sent as a number. */
const seconds = (label: string, min: number) =>
  z.coerce
    .number({ error: `Enter the ${label} in seconds.` })
    .refine(Number.isFinite, `Enter the ${label} in seconds.`)
    .min(min, min > 0 ? `The ${label} must be more than 0 seconds.` : `The ${label} cannot be negative.`)
    .max(MAX_OBJECTIVE_SECONDS, `At most 30 days.`);

export const objectiveInput = z.object({
  componentId: z.string().uuid('Unknown component.'),
  disruption: z.enum(DISRUPTIONS, { error: 'Choose a kind of disruption.' }),
  /** The version edited; 0 when the objective does not exist yet. */
  expectedVersion: z.coerce.number().int().min(0),
  rtoSeconds: seconds('RTO', 0.001),
  rpoSeconds: seconds('RPO', 0),
  reason: requiredReason,
});
export type ObjectiveInput = z.input<typeof objectiveInput>;

export const componentInput = z.object({
  name: z.string({ error: 'Enter a name.' }).trim().min(2, 'At least 2 characters.').max(80, 'At most 80 characters.'),
  kind: z.enum(['conversation_history', 'configuration', 'external'], { error: 'Choose what kind of component it is.' }),
  description: z.string().trim().max(500, 'At most 500 characters.').default(''),
  reason: requiredReason,
});
export type ComponentInput = z.input<typeof componentInput>;

export const reclassifyInput = z.object({
  episodeId: z.string().uuid('Unknown episode.'),
  disruption: z.enum(DISRUPTIONS, { error: 'Choose a kind of disruption.' }),
  reason: requiredReason,
});

const instant = z.iso.datetime({ offset: true, error: 'Use an ISO 8601 time with its zone, e.g. 2026-09-14T03:00:00Z.' }).transform((value) => Date.parse(value));
const duration = z.number({ error: 'A number of milliseconds.' }).int('Whole milliseconds.').min(0, 'Cannot be negative.').max(400 * DAY, 'At most 400 days.');

/**
 * One report (POST /api/v1/recovery/evidence). What each kind needs:
 * backup and config_export: newestCopyAt (the point in time the copy holds;
 * observedAt if left out); replica_lag: lagMs; conversation_write: lagMs or
 * newestCopyAt; restore_test: restoreMs unless it failed; drill: restoreMs
 * and the disruption rehearsed, unless it failed.
 */
export const evidenceReportInput = z
  .object({
    component: z.string({ error: 'Name the component (as on the Recovery page).' }).trim().min(1, 'Name the component.').max(200),
    kind: z.enum(EVIDENCE_KINDS, { error: `kind is one of ${EVIDENCE_KINDS.join(', ')}.` }),
    observedAt: instant.optional(),
    ok: z.boolean({ error: 'ok is true or false.' }).default(true),
    newestCopyAt: instant.optional(),
    lagMs: duration.optional(),
    restoreMs: duration.optional(),
    sizeBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    disruption: z.enum(DISRUPTIONS, { error: `disruption is one of ${DISRUPTIONS.join(', ')}.` }).optional(),
    reference: z.string().trim().max(500, 'At most 500 characters.').optional(),
    detail: z.string().trim().max(2_000, 'At most 2,000 characters.').optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const need = (field: string, message: string) => ctx.addIssue({ code: 'custom', path: [field], message });
    if (r.kind === 'replica_lag' && r.ok && r.lagMs === undefined) need('lagMs', 'A replica_lag report needs lagMs: how far the replica is behind, in milliseconds.');
    if ((r.kind === 'restore_test' || r.kind === 'drill') && r.ok && r.restoreMs === undefined) need('restoreMs', `A ${r.kind} report needs restoreMs: how long the recovery took, in milliseconds.`);
    if (r.kind === 'drill' && r.disruption === undefined) need('disruption', 'A drill report names the disruption it rehearsed.');
    if (r.lagMs !== undefined && r.newestCopyAt !== undefined) need('newestCopyAt', 'Send lagMs for a replica or newestCopyAt for a copy, not both.');
  });
export type EvidenceReportInput = z.input<typeof evidenceReportInput>;
export type EvidenceReport = z.output<typeof evidenceReportInput>;

/** One report, or up to 100 at once. */
export const evidenceBatchInput = z.union([z.object({ reports: z.array(evidenceReportInput).min(1, 'Send at least one report.').max(100, 'At most 100 reports per request.') }).strict(), evidenceReportInput]);
