import 'server-only';
// Runbook writes: a new runbook, an edit (always a new version: an incident
// keeps the version it ran), archiving, the standard library, and the
// notification webhooks. Each checks the caller's permission, validates its
// input, checks every id a step names, and audits in the same transaction.
//
// Who may do what (docs/decisions/011-incidents-live-timeline.md):
//   runbooks.write      operator, commander, admin: edit the library
//   credentials.manage  admin: add, rotate, disable webhooks (their URLs are secrets)
import { recordAudit } from '@/lib/audit/record';
import { recordConfigChange, writeConfigVersion } from '@/lib/config-versions/writer';
import { requireActor, type Actor, type SessionUser } from '@/lib/server/auth';
import { encryptSecret } from '@/lib/server/crypto';
import { Prisma, type Tx } from '@/lib/server/db';
import { AppError, parseInput } from '@/lib/server/errors';
import { assertVersionMatched, inTransaction, withUniqueField } from '@/lib/server/mutation';
import { LIBRARY } from './library';
import { STEP_KIND_LABELS } from './model';
import { checkReferences, writeVersion } from './versions';
import { archiveRunbookInput, createRunbookInput, createWebhookInput, disableWebhookInput, rotateWebhookInput, runbookContent, saveRunbookInput, type StepValues } from './schemas';
import type { z } from 'zod';

type Caller = SessionUser | null;
type Content = z.infer<typeof runbookContent>;

const NAME_TAKEN = 'Another runbook has this name.';

/** The runbook as the audit log shows it: one line per step, so the diff names the steps that changed. */
function forAudit(content: Content) {
  const lane = (s: StepValues) => (s.lane ? ` (lane ${'ABC'[s.lane - 1]})` : '');
  return {
    name: content.name,
    failureMode: content.failureMode,
    conditions: `severities ${content.severities.join(', ') || 'any'}; ${content.serviceIds.length} services, ${content.targetIds.length} targets`,
    steps: content.steps.map((s, i) => `${i + 1}. ${STEP_KIND_LABELS[s.kind]}${lane(s)}: ${s.title} ${JSON.stringify(s.params)}`),
  };
}

// Runbook changes write the 'runbooks' configuration section (lib/runbooks/config-section.ts) by its key.
const SECTION = 'runbooks';

/** A new runbook; `versioned` false when the caller writes one configuration version for several. */
async function createIn(tx: Tx, actor: Actor, content: Content, note: string, versioned = true) {
  await checkReferences(tx, content);
  const runbook = await withUniqueField('name', NAME_TAKEN, () => tx.runbook.create({ data: { name: content.name, createdBy: actor.email }, select: { id: true } }));
  await writeVersion(tx, runbook.id, 1, content, note || 'First version', actor.email);
  const entry = { action: 'runbook.create', entityType: 'runbook', entityId: runbook.id, entityName: content.name, after: forAudit(content), reason: note || null };
  if (versioned) await recordConfigChange(tx, actor, SECTION, entry);
  else await recordAudit(tx, actor, entry);
  return { id: runbook.id, name: content.name, version: 1 };
}

export async function createRunbook(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'runbooks.write');
  const { note, ...content } = parseInput(createRunbookInput, input);
  return inTransaction((tx) => createIn(tx, actor, content, note));
}

/** An edit: a new version on top of the one the editor started from, or a conflict naming who saved in between. */
export async function saveRunbook(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'runbooks.write');
  const { runbookId, expectedVersion, note, ...content } = parseInput(saveRunbookInput, input);
  return inTransaction(async (tx) => {
    // Locked first: of two saves from the same version, the second waits, then sees the first and names who saved it.
    await tx.$queryRaw(Prisma.sql`SELECT id FROM "Runbook" WHERE id = ${runbookId}::uuid FOR UPDATE`);
    const current = await tx.runbook.findUnique({ where: { id: runbookId }, select: { version: true } });
    if (!current) throw new AppError('NOT_FOUND', 'This runbook no longer exists.');
    if (current.version !== expectedVersion) {
      const theirs = await tx.runbookVersion.findUnique({ where: { runbookId_number: { runbookId, number: current.version } }, select: { createdBy: true, note: true } });
      throw new AppError('CONFLICT', `${theirs?.createdBy ?? 'Someone'} saved version ${current.version} of this runbook while you were editing${theirs?.note ? ` ("${theirs.note}")` : ''}. Reload to see their change, then make yours again.`);
    }
    await checkReferences(tx, content, runbookId);
    const before = await tx.runbookVersion.findUniqueOrThrow({ where: { runbookId_number: { runbookId, number: expectedVersion } }, include: { steps: { orderBy: { position: 'asc' } } } });
    const { count } = await withUniqueField('name', NAME_TAKEN, () => tx.runbook.updateMany({ where: { id: runbookId, version: expectedVersion }, data: { version: { increment: 1 }, name: content.name } }));
    assertVersionMatched(count, 'runbook');
    const number = expectedVersion + 1;
    await writeVersion(tx, runbookId, number, content, note, actor.email);
    const beforeContent = {
      name: before.name, failureMode: before.failureMode, summary: before.summary, severities: before.severities, serviceIds: before.serviceIds, targetIds: before.targetIds,
      steps: before.steps.map((s) => ({ key: s.key, kind: s.kind, title: s.title, body: s.body, lane: s.lane, expectedMinutes: s.expectedMinutes ?? undefined, params: s.params as Record<string, unknown> })),
    };
    await recordConfigChange(tx, actor, SECTION, { action: 'runbook.update', entityType: 'runbook', entityId: runbookId, entityName: content.name, before: forAudit(beforeContent), after: { ...forAudit(content), version: number }, reason: note });
    return { id: runbookId, name: content.name, version: number };
  });
}

export async function setRunbookArchived(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'runbooks.write');
  const { runbookId, expectedVersion, archived } = parseInput(archiveRunbookInput, input);
  return inTransaction(async (tx) => {
    const { count } = await tx.runbook.updateMany({ where: { id: runbookId, version: expectedVersion }, data: { archivedAt: archived ? new Date() : null } });
    assertVersionMatched(count, 'runbook');
    const { name } = await tx.runbook.findUniqueOrThrow({ where: { id: runbookId }, select: { name: true } });
    await recordConfigChange(tx, actor, SECTION, { action: archived ? 'runbook.archive' : 'runbook.restore', entityType: 'runbook', entityId: runbookId, entityName: name });
    return { id: runbookId, name, archived };
  });
}

/**
 * Adds the standard library's runbooks that are not in the estate yet (by
 * name), leaving any runbook already there as it is. Decisions that attach
 * another library runbook get its id.
 */
export async function installLibraryIn(tx: Tx, actor: Actor): Promise<string[]> {
  const existing = new Set((await tx.runbook.findMany({ select: { name: true } })).map((r) => r.name));
  const added: string[] = [];
  for (const entry of LIBRARY.filter((r) => !existing.has(r.name))) {
    // Created without decisions' links first: a linked runbook may come later in the list.
    const content = parseInput(runbookContent, { ...entry, steps: entry.steps.map((s) => (s.kind === 'decision' ? { ...s, params: unlinked(s.params) } : s)) });
    await createIn(tx, actor, content, 'The standard library', false);
    added.push(entry.name);
  }
  const ids = new Map((await tx.runbook.findMany({ select: { id: true, name: true } })).map((r) => [r.name, r.id]));
  for (const name of added) {
    const entry = LIBRARY.find((r) => r.name === name)!;
    for (const step of entry.steps.filter((s) => s.kind === 'decision')) {
      const params = step.params as { options: { attachRunbookId?: string }[] };
      const linked = { ...params, options: params.options.map((o) => ({ ...o, attachRunbookId: o.attachRunbookId ? ids.get(o.attachRunbookId) : undefined })) };
      const version = await tx.runbookVersion.findFirstOrThrow({ where: { runbookId: ids.get(name)!, number: 1 }, select: { id: true } });
      await tx.runbookStep.update({ where: { versionId_key: { versionId: version.id, key: step.key } }, data: { params: linked as Prisma.InputJsonValue } });
    }
  }
  if (added.length) await writeConfigVersion(tx, actor, SECTION, { action: 'runbook.library', summary: `runbooks: standard library added (${added.length})` });
  return added;
}

const unlinked = (params: unknown) => {
  const p = params as { options: { attachRunbookId?: string }[] };
  return { ...p, options: p.options.map(({ attachRunbookId: _a, ...o }) => o) };
};

export async function installLibrary(caller: Caller) {
  const actor = requireActor(caller, 'runbooks.write');
  return inTransaction(async (tx) => {
    const added = await installLibraryIn(tx, actor);
    if (added.length === 0) throw new AppError('INVALID', 'Every runbook of the standard library is already here (by name).');
    return { added };
  });
}

// ---------------------------------------------------------------- webhooks

/** Enough of a URL to recognise it: its host and last four characters. Slack puts the secret in the path. */
export function webhookHint(url: string): string {
  const parsed = new URL(url);
  return `${parsed.host} …${url.slice(-4)}`;
}

export async function createWebhook(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'credentials.manage');
  const { name, kind, url } = parseInput(createWebhookInput, input);
  return inTransaction(async (tx) => {
    const hook = await withUniqueField('name', 'Another webhook has this name.', () =>
      tx.notificationWebhook.create({ data: { name, kind, urlCiphertext: encryptSecret(url), urlHint: webhookHint(url), createdBy: actor.email }, select: { id: true, urlHint: true } }),
    );
    await recordAudit(tx, actor, { action: 'webhook.create', entityType: 'webhook', entityId: hook.id, entityName: name, after: { kind, url: hook.urlHint } });
    return { id: hook.id, name };
  });
}

export async function rotateWebhook(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'credentials.manage');
  const { webhookId, expectedVersion, url } = parseInput(rotateWebhookInput, input);
  return inTransaction(async (tx) => {
    const before = await tx.notificationWebhook.findUnique({ where: { id: webhookId }, select: { name: true, urlHint: true } });
    if (!before) throw new AppError('NOT_FOUND', 'This webhook no longer exists.');
    const { count } = await tx.notificationWebhook.updateMany({ where: { id: webhookId, version: expectedVersion }, data: { urlCiphertext: encryptSecret(url), urlHint: webhookHint(url), rotatedAt: new Date(), version: { increment: 1 } } });
    assertVersionMatched(count, 'webhook');
    await recordAudit(tx, actor, { action: 'webhook.rotate', entityType: 'webhook', entityId: webhookId, entityName: before.name, before: { url: before.urlHint }, after: { url: webhookHint(url) } });
    return { id: webhookId, name: before.name };
  });
}

export async function setWebhookDisabled(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'credentials.manage');
  const { webhookId, expectedVersion, disabled } = parseInput(disableWebhookInput, input);
  return inTransaction(async (tx) => {
    const { count } = await tx.notificationWebhook.updateMany({ where: { id: webhookId, version: expectedVersion }, data: { disabledAt: disabled ? new Date() : null, version: { increment: 1 } } });
    assertVersionMatched(count, 'webhook');
    const { name } = await tx.notificationWebhook.findUniqueOrThrow({ where: { id: webhookId }, select: { name: true } });
    await recordAudit(tx, actor, { action: disabled ? 'webhook.disable' : 'webhook.enable', entityType: 'webhook', entityId: webhookId, entityName: name });
    return { id: webhookId, name, disabled };
  });
}
