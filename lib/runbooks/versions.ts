import 'server-only';
// Writing a runbook version, and checking that every id it names exists: what
// an edit (mutations.ts) and a restore from configuration history
// (config-section.ts) both do inside their transaction.
import { Prisma, type Tx } from '@/lib/server/db';
import { AppError, type FieldErrors } from '@/lib/server/errors';
import type { runbookContent } from './schemas';
import type { z } from 'zod';

type Content = z.infer<typeof runbookContent>;

/** Every id the runbook names must exist: a field error for each one that does not. */
export async function checkReferences(tx: Tx, content: Content, selfId?: string): Promise<void> {
  const ids = { service: new Set(content.serviceIds), target: new Set(content.targetIds), webhook: new Set<string>(), runbook: new Set<string>() };
  const where: Record<string, { kind: keyof typeof ids; id: string }[]> = {};
  const note = (path: string, kind: keyof typeof ids, id: string | undefined) => {
    if (!id) return;
    ids[kind].add(id);
    (where[path] ??= []).push({ kind, id });
  };
  content.steps.forEach((step, i) => {
    const p = step.params as Record<string, unknown>;
    if (step.kind === 'action' || step.kind === 'check') {
      note(`steps.${i}.params.serviceId`, 'service', p.serviceId as string | undefined);
      note(`steps.${i}.params.targetId`, 'target', p.targetId as string | undefined);
      note(`steps.${i}.params.substituteTargetId`, 'target', p.substituteTargetId as string | undefined);
    }
    if (step.kind === 'notify') note(`steps.${i}.params.webhookId`, 'webhook', p.webhookId as string | undefined);
    if (step.kind === 'decision') (p.options as { attachRunbookId?: string }[]).forEach((o, j) => note(`steps.${i}.params.options.${j}.attachRunbookId`, 'runbook', o.attachRunbookId));
  });
  const [services, targets, webhooks, runbooks] = await Promise.all([
    tx.service.findMany({ where: { id: { in: [...ids.service] } }, select: { id: true } }),
    tx.target.findMany({ where: { id: { in: [...ids.target] } }, select: { id: true } }),
    tx.notificationWebhook.findMany({ where: { id: { in: [...ids.webhook] } }, select: { id: true } }),
    tx.runbook.findMany({ where: { id: { in: [...ids.runbook] } }, select: { id: true } }),
  ]);
  const found = { service: new Set(services.map((x) => x.id)), target: new Set(targets.map((x) => x.id)), webhook: new Set(webhooks.map((x) => x.id)), runbook: new Set(runbooks.map((x) => x.id)) };
  const errors: FieldErrors = {};
  const gone = { service: 'This service no longer exists.', target: 'This target no longer exists.', webhook: 'This webhook no longer exists.', runbook: 'This runbook no longer exists.' };
  content.serviceIds.forEach((id, i) => !found.service.has(id) && (errors[`serviceIds.${i}`] = [gone.service]));
  content.targetIds.forEach((id, i) => !found.target.has(id) && (errors[`targetIds.${i}`] = [gone.target]));
  for (const [path, refs] of Object.entries(where)) for (const ref of refs) if (!found[ref.kind].has(ref.id)) errors[path] = [gone[ref.kind]];
  content.steps.forEach((step, i) => {
    if (step.kind !== 'decision') return;
    (step.params as { options: { attachRunbookId?: string }[] }).options.forEach((o, j) => {
      if (selfId && o.attachRunbookId === selfId) errors[`steps.${i}.params.options.${j}.attachRunbookId`] = ['A runbook cannot attach itself.'];
    });
  });
  if (Object.keys(errors).length) throw new AppError('INVALID', 'Some steps name things that no longer exist.', errors);
}

/** Version `number` of the runbook with its steps, in order. */
export async function writeVersion(tx: Tx, runbookId: string, number: number, content: Content, note: string, by: string) {
  const version = await tx.runbookVersion.create({
    data: {
      runbookId, number, name: content.name, failureMode: content.failureMode, summary: content.summary, severities: content.severities,
      serviceIds: content.serviceIds, targetIds: content.targetIds, note, createdBy: by,
    },
    select: { id: true },
  });
  await tx.runbookStep.createMany({
    data: content.steps.map((s, i) => ({
      versionId: version.id, key: s.key, position: i + 1, lane: s.lane, kind: s.kind, title: s.title, body: s.body, expectedMinutes: s.expectedMinutes ?? null,
      params: s.params as Prisma.InputJsonValue,
    })),
  });
  return version.id;
}
