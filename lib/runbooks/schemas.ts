// Inputs of the runbook library, declared once (STYLE.md habit 4): a runbook
// version with its steps, and each step kind's parameters. Parameters left
// blank in a runbook are filled when the step runs (the incident's service,
// its primary target), so one runbook serves every service.
import { z } from 'zod';
import { TIERS } from '@/lib/routing/enums';
import { CHECK_METRICS, FAILURE_MODES, LANES, SEVERITIES, STEP_ACTIONS, STEP_KINDS } from './model';

const uuid = (message: string) => z.string({ error: message }).uuid(message);
/** An optional id: an emptied select means "decide when the step runs". */
const optionalId = (message: string) => z.preprocess((value) => (value === '' || value === null ? undefined : value), uuid(message).optional());
const text = (what: string, max: number) => z.string({ error: `Enter the ${what}.` }).trim().max(max, `The ${what} can be at most ${max.toLocaleString('en-US')} characters.`);
const number = (what: string, min: number, max: number, unit: string) =>
  z.coerce
    .number({ error: `Enter the ${what} as a number.` })
    .min(min, `The ${what} must be at least ${min}${unit}.`)
    .max(max, `The ${what} must be at most ${max}${unit}.`);

// ---------------------------------------------------------------- step parameters

export const actionParams = z.discriminatedUnion(
  'action',
  [
    z.object({ action: z.literal('force_failover'), serviceId: optionalId('Unknown service.') }),
    z.object({ action: z.literal('pin'), serviceId: optionalId('Unknown service.'), targetId: optionalId('Unknown target.') }),
    z.object({ action: z.literal('drain'), serviceId: optionalId('Unknown service.'), targetId: optionalId('Unknown target.') }),
    z.object({ action: z.literal('return_to_automatic'), serviceId: optionalId('Unknown service.') }),
    z.object({ action: z.literal('tier_override'), serviceId: optionalId('Unknown service.'), tier: z.enum(TIERS, { error: 'Choose a tier.' }) }),
    z.object({ action: z.literal('clear_tier_override'), serviceId: optionalId('Unknown service.') }),
    z.object({
      action: z.literal('retire_model'),
      targetId: optionalId('Unknown target.'),
      model: z.preprocess((value) => (value === '' || value === null ? undefined : value), text('model name', 200).min(1).optional()),
      substituteTargetId: optionalId('Unknown target.'),
    }),
    // A version of the configuration history (issue 15); its ids are not ours to check here.
    z.object({ action: z.literal('apply_config_version'), versionId: z.preprocess((value) => (value === '' || value === null ? undefined : value), text('configuration version', 100).min(1).optional()) }),
  ],
  { error: `Choose an action: ${STEP_ACTIONS.join(', ')}.` },
);
export type ActionParams = z.infer<typeof actionParams>;

const forMinutes = number('time it must hold', 0, 60, ' min');

export const checkParams = z.discriminatedUnion(
  'metric',
  [
    z.object({
      metric: z.literal('error_rate'),
      serviceId: optionalId('Unknown service.'),
      belowPercent: number('error rate', 0.01, 100, '%'),
      forMinutes: number('window', 0.5, 60, ' min'),
      minRequests: z.coerce.number().int().min(1, 'At least 1 request.').max(100_000).default(10),
    }),
    z.object({ metric: z.literal('breaker_closed'), targetId: optionalId('Unknown target.'), forMinutes }),
    z.object({ metric: z.literal('tier'), serviceId: optionalId('Unknown service.'), tier: z.enum(TIERS, { error: 'Choose a tier.' }), forMinutes }),
  ],
  { error: `Choose what to check: ${CHECK_METRICS.join(', ')}.` },
);
export type CheckParams = z.infer<typeof checkParams>;

export const notifyParams = z.object({
  webhookId: optionalId('Unknown webhook.'),
  message: text('message', 2_000).min(1, 'Write the message to send.'),
});
export type NotifyParams = z.infer<typeof notifyParams>;

export const decisionOption = z.object({
  label: text('choice', 120).min(1, 'Name the choice.'),
  setSeverity: z.preprocess((value) => (value === '' || value === null ? undefined : value), z.enum(SEVERITIES).optional()),
  attachRunbookId: optionalId('Unknown runbook.'),
  // Steps this choice leaves out: marked skipped when it is taken.
  skipStepKeys: z.array(z.string().max(40)).max(50).default([]),
});
export type DecisionOption = z.infer<typeof decisionOption>;

export const decisionParams = z.object({
  question: text('question', 300).min(1, 'Ask the question the commander answers.'),
  options: z.array(decisionOption).min(2, 'Offer at least two choices.').max(6, 'At most six choices.'),
});
export type DecisionParams = z.infer<typeof decisionParams>;

export const STEP_PARAMS = {
  instruction: z.object({}).strip(),
  action: actionParams,
  check: checkParams,
  notify: notifyParams,
  decision: decisionParams,
} as const;

export type StepParams =
  | { kind: 'instruction'; params: Record<string, never> }
  | { kind: 'action'; params: ActionParams }
  | { kind: 'check'; params: CheckParams }
  | { kind: 'notify'; params: NotifyParams }
  | { kind: 'decision'; params: DecisionParams };

/** A stored step's parameters, read back through the same schema (a row edited by hand reads as an error, not a crash). */
export function readStepParams(kind: StepParams['kind'], params: unknown): StepParams | { kind: StepParams['kind']; error: string } {
  const parsed = STEP_PARAMS[kind].safeParse(params ?? {});
  if (!parsed.success) return { kind, error: parsed.error.issues[0]?.message ?? 'Unreadable parameters.' };
  return { kind, params: parsed.data } as StepParams;
}

// ---------------------------------------------------------------- a runbook version

export const MAX_STEPS = 60;

export const stepInput = z
  .object({
    // Stable across versions; new steps get one from the editor (lowercase, digits and dashes).
    key: z.string().regex(/^[a-z0-9-]{1,40}$/, 'A step key is 1-40 lowercase letters, digits or dashes.'),
    kind: z.enum(STEP_KINDS, { error: 'Choose the kind of step.' }),
    title: text('step title', 200).min(1, 'Give the step a title.'),
    body: z.string().max(20_000, 'At most 20,000 characters.').default(''),
    lane: z.coerce.number().int().refine((lane) => (LANES as readonly number[]).includes(lane), 'Choose the main line or lane A, B or C.').default(0),
    expectedMinutes: z.preprocess((value) => (value === '' || value === null ? undefined : value), z.coerce.number().int().min(1, 'At least 1 minute.').max(1_440, 'At most 24 hours.').optional()),
    params: z.unknown().optional(),
  })
  .transform((step, ctx) => {
    const parsed = STEP_PARAMS[step.kind].safeParse(step.params ?? {});
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: ['params', ...issue.path.map(String)], message: issue.message });
      return z.NEVER;
    }
    return { ...step, params: parsed.data as Record<string, unknown> };
  });
export type StepInput = z.input<typeof stepInput>;
export type StepValues = z.infer<typeof stepInput>;

export const runbookContent = z
  .object({
    name: text('name', 120).min(3, 'Name the runbook (at least 3 characters).'),
    failureMode: z.enum(FAILURE_MODES, { error: 'Choose the failure mode.' }),
    summary: z.string().trim().max(2_000, 'At most 2,000 characters.').default(''),
    severities: z.array(z.enum(SEVERITIES)).max(4).default([]),
    serviceIds: z.array(uuid('Unknown service.')).max(200).default([]),
    targetIds: z.array(uuid('Unknown target.')).max(200).default([]),
    steps: z.array(stepInput).min(1, 'Add at least one step.').max(MAX_STEPS, `At most ${MAX_STEPS} steps.`),
  })
  .superRefine((runbook, ctx) => {
    const keys = new Set<string>();
    runbook.steps.forEach((step, index) => {
      if (keys.has(step.key)) ctx.addIssue({ code: 'custom', path: ['steps', index, 'key'], message: 'Two steps have this key.' });
      keys.add(step.key);
    });
    runbook.steps.forEach((step, index) => {
      if (step.kind !== 'decision') return;
      const options = (step.params as DecisionParams).options;
      options.forEach((option, o) =>
        option.skipStepKeys.forEach((key) => {
          if (!keys.has(key)) ctx.addIssue({ code: 'custom', path: ['steps', index, 'params', 'options', o, 'skipStepKeys'], message: `No step has the key ${key}.` });
        }),
      );
    });
  });

export const createRunbookInput = runbookContent.safeExtend({ note: z.string().trim().max(500).default('') });
export type CreateRunbookInput = z.input<typeof createRunbookInput>;

export const saveRunbookInput = runbookContent.safeExtend({
  runbookId: uuid('Unknown runbook.'),
  // The version the editor started from: an edit on top of someone else's is refused.
  expectedVersion: z.coerce.number().int().min(1),
  note: z.string().trim().min(3, 'Say what changed (at least 3 characters): it is kept with the version.').max(500, 'At most 500 characters.'),
});
export type SaveRunbookInput = z.input<typeof saveRunbookInput>;

export const archiveRunbookInput = z.object({ runbookId: uuid('Unknown runbook.'), expectedVersion: z.coerce.number().int().min(1), archived: z.boolean() });

// ---------------------------------------------------------------- webhooks

const WEBHOOK_KINDS = ['slack', 'generic'] as const;

export const webhookUrl = z
  .string({ error: 'Enter the webhook URL.' })
  .trim()
  .max(2_000, 'At most 2,000 characters.')
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password;
    } catch {
      return false;
    }
  }, 'Enter an http or https URL without a user name or password in it.');

export const createWebhookInput = z.object({
  name: z.string().trim().regex(/^[a-z0-9][a-z0-9-_#.]{1,59}$/, 'A name is 2-60 lowercase letters, digits, dashes, dots, underscores or #.'),
  kind: z.enum(WEBHOOK_KINDS, { error: 'Choose Slack or generic JSON.' }),
  url: webhookUrl,
});

export const rotateWebhookInput = z.object({ webhookId: uuid('Unknown webhook.'), expectedVersion: z.coerce.number().int().min(1), url: webhookUrl });
export const disableWebhookInput = z.object({ webhookId: uuid('Unknown webhook.'), expectedVersion: z.coerce.number().int().min(1), disabled: z.boolean() });
