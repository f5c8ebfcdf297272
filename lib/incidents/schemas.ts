// Inputs of the incident flow, declared once (STYLE.md habit 4). Every change
// to an incident's fields names the version the commander looked at, so two
// commanders never overwrite each other; the timeline is append-only.
import { z } from 'zod';
import { EXPIRY_CHOICES_MINUTES } from '@/lib/failover/schemas';
import { TIERS } from '@/lib/routing/enums';
import { FAILURE_MODES, SEVERITIES } from '@/lib/runbooks/model';
import { ROLE_FIELDS, STATUSES } from './model';

const uuid = (message: string) => z.string({ error: message }).uuid(message);
const optionalUuid = (message: string) => z.preprocess((value) => (value === '' || value === null ? undefined : value), uuid(message).optional());
const version = z.coerce.number().int().min(1);
const incidentId = uuid('Unknown incident.');

export const titleField = z.string({ error: 'Give the incident a title.' }).trim().min(3, 'Give the incident a title (at least 3 characters).').max(200, 'At most 200 characters.');

export const openIncidentInput = z.object({
  title: titleField,
  serviceId: optionalUuid('Unknown service.'),
  severity: z.enum(SEVERITIES, { error: 'Choose a severity.' }),
  failureMode: z.preprocess((value) => (value === '' || value === null ? undefined : value), z.enum(FAILURE_MODES).optional()),
  summary: z.string().trim().max(5_000, 'At most 5,000 characters.').default(''),
  // Attach this runbook at once (otherwise the best match by conditions is attached).
  runbookId: optionalUuid('Unknown runbook.'),
});
export type OpenIncidentInput = z.input<typeof openIncidentInput>;

export const editIncidentInput = z.object({
  incidentId,
  expectedVersion: version,
  title: titleField,
  summary: z.string().trim().max(5_000, 'At most 5,000 characters.'),
  serviceId: optionalUuid('Unknown service.'),
  failureMode: z.preprocess((value) => (value === '' || value === null ? undefined : value), z.enum(FAILURE_MODES).optional()),
});

export const setSeverityInput = z.object({ incidentId, expectedVersion: version, severity: z.enum(SEVERITIES, { error: 'Choose a severity.' }) });
export const setStatusInput = z.object({ incidentId, expectedVersion: version, status: z.enum(STATUSES, { error: 'Choose a status.' }) });
export const assignRoleInput = z.object({ incidentId, expectedVersion: version, role: z.enum(ROLE_FIELDS, { error: 'Choose a role.' }), userId: z.preprocess((value) => (value === '' ? null : value), uuid('Unknown user.').nullable()) });
export const acknowledgeInput = z.object({ incidentId, expectedVersion: version });

const when = z
  .string({ error: 'Enter a time.' })
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z?$/, 'Enter the time in UTC as YYYY-MM-DD HH:MM:SS.')
  .transform((value) => new Date(`${value.replace(' ', 'T')}${value.endsWith('Z') ? '' : 'Z'}`))
  .refine((date) => !Number.isNaN(date.getTime()), 'That is not a date.')
  .refine((date) => date.getTime() <= Date.now() + 60_000, 'That time is in the future.');

export const addNoteInput = z.object({
  incidentId,
  text: z.string({ error: 'Write the note.' }).trim().min(1, 'Write the note.').max(5_000, 'At most 5,000 characters.'),
  // A note about something that happened earlier (a call, a provider's message) carries its own time.
  at: z.preprocess((value) => (value === '' || value === null ? undefined : value), when.optional()),
});

/** A timeline entry's id: a PostgreSQL bigint, so anything outside its range is unknown, not a database failure. */
const eventId = z.coerce.bigint({ error: 'Unknown timeline entry.' }).min(1n, 'Unknown timeline entry.').max(9_223_372_036_854_775_807n, 'Unknown timeline entry.');

export const correctTimeInput = z.object({
  eventId,
  at: when,
  reason: z.string({ error: 'Say why the time is wrong.' }).trim().min(3, 'Say why the time is wrong (at least 3 characters).').max(500, 'At most 500 characters.'),
});

export const setCuratedInput = z.object({ eventId, curated: z.boolean() });

export const attachRunbookInput = z.object({ incidentId, runbookId: uuid('Choose a runbook.') });

// ---------------------------------------------------------------- steps

const stepRun = { stepRunId: uuid('Unknown step.'), expectedVersion: version };

export const startStepInput = z.object(stepRun);
export const finishStepInput = z.object({
  ...stepRun,
  outcome: z.enum(['done', 'failed', 'skipped'], { error: 'Choose done, failed or skipped.' }),
  note: z.string().trim().max(2_000, 'At most 2,000 characters.').default(''),
});

const REASON_REQUIRED = 'Say why, in at least 3 characters: the reason is kept in the audit log with the incident.';
const reason = z.string({ error: REASON_REQUIRED }).trim().min(3, REASON_REQUIRED).max(400, 'At most 400 characters.');
const expiry = z.preprocess((value) => (value === '' || value === null || value === 'none' ? undefined : value), z.coerce.number().int().min(1).max(10_080).optional());

/** What the commander confirms in an action step's dialog: the step's parameters filled in, and the versions the preview showed. */
export const runActionValues = z.discriminatedUnion('action', [
  z.object({ action: z.literal('force_failover'), serviceId: uuid('Choose the service.'), expectedRoutingVersion: version, expiresInMinutes: expiry }),
  z.object({ action: z.literal('pin'), serviceId: uuid('Choose the service.'), targetId: uuid('Choose the target to pin to.'), expectedRoutingVersion: version, expiresInMinutes: expiry }),
  z.object({ action: z.literal('drain'), serviceId: uuid('Choose the service.'), targetId: uuid('Choose the target to drain.'), expectedRoutingVersion: version, expiresInMinutes: expiry }),
  z.object({ action: z.literal('return_to_automatic'), serviceId: uuid('Choose the service.'), expectedRoutingVersion: version }),
  z.object({ action: z.literal('tier_override'), serviceId: uuid('Choose the service.'), tier: z.enum(TIERS, { error: 'Choose a tier.' }), expectedVersion: version, expiresInMinutes: expiry }),
  z.object({ action: z.literal('clear_tier_override'), serviceId: uuid('Choose the service.'), expectedVersion: version }),
  z.object({
    action: z.literal('retire_model'),
    targetId: optionalUuid('Unknown target.'),
    model: z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), z.string().trim().max(200).optional()),
    substituteTargetId: optionalUuid('Unknown target.'),
  }),
  z.object({ action: z.literal('apply_config_version'), versionId: z.string({ error: 'Choose the configuration version.' }).trim().min(1, 'Choose the configuration version.').max(100) }),
]);
export type RunActionValues = z.infer<typeof runActionValues>;

export const runActionStepInput = z.object({ ...stepRun, values: runActionValues, reason });

export const runNotifyStepInput = z.object({
  ...stepRun,
  webhookId: uuid('Choose where to send it.'),
  message: z.string({ error: 'Write the message.' }).trim().min(1, 'Write the message.').max(3_000, 'At most 3,000 characters.'),
});

export const chooseDecisionInput = z.object({ ...stepRun, option: z.coerce.number().int().min(0).max(5) });

export const EXPIRY_MINUTES = EXPIRY_CHOICES_MINUTES;

// ---------------------------------------------------------------- post-mortem

const section = (what: string) => z.string().max(20_000, `The ${what} can be at most 20,000 characters.`).default('');

export const savePostmortemInput = z.object({
  incidentId,
  // 0: no post-mortem was written yet.
  expectedVersion: z.coerce.number().int().min(0),
  summary: section('summary'),
  rootCause: section('root cause'),
  wentWell: section('"what went well"'),
  toImprove: section('"what to improve"'),
  publish: z.boolean().default(false),
});

const dueOn = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter the date as YYYY-MM-DD.')
  .transform((value) => new Date(`${value}T00:00:00Z`))
  .refine((date) => !Number.isNaN(date.getTime()), 'That is not a date.');

export const addFollowUpInput = z.object({
  incidentId,
  title: z.string({ error: 'Say what is to be done.' }).trim().min(3, 'Say what is to be done (at least 3 characters).').max(300, 'At most 300 characters.'),
  ownerId: optionalUuid('Unknown user.'),
  dueOn: z.preprocess((value) => (value === '' || value === null ? undefined : value), dueOn.optional()),
});

export const setFollowUpDoneInput = z.object({ followUpId: uuid('Unknown follow-up.'), expectedVersion: version, done: z.boolean() });
