import 'server-only';
// Writes of the backups domain. Reports from machines (a copy with its
// manifest, the deployed version, a timed restore) are measurements, kept
// with their source like recovery evidence and not audited; each copy and
// restore is also recorded as evidence for the model's serving component, so
// the recovery grid measures it (issue 12's recordEvidence, not a parallel
// mechanism). Changes people make (models, required parts, bandwidth, a
// copy's check) need 'backups.write' and are audited in their transaction.
import { createHash } from 'node:crypto';
import { recordAudit } from '@/lib/audit/record';
import { recordEvidence } from '@/lib/recovery/evidence';
import { servingComponentName } from '@/lib/recovery/model';
import { requireActor, type SessionUser } from '@/lib/server/auth';
import { db, Prisma, type Tx } from '@/lib/server/db';
import { AppError, parseInput } from '@/lib/server/errors';
import { assertVersionMatched, inTransaction, withUniqueField } from '@/lib/server/mutation';
import { asManifest } from './data';
import { formatBandwidth } from './estimate';
import { assessCopy, manifestSize, PART_KIND_LABELS, type Manifest } from './parts';
import { listLocation } from './scan';
import { copyReportInput, deployedReportInput, linkInput, modelSettingsInput, partInput, registerModelInput, removePartInput, restoreTestInput, verifyCopyInput, type ManifestInput } from './schemas';

type Caller = SessionUser | null;

// ---------------------------------------------------------------- models follow the inventory

/** Every self-hosted target's model has a row; its serving region follows the target's. */
export async function syncModelsIn(tx: Tx): Promise<string[]> {
  await tx.$executeRaw(Prisma.sql`SELECT pg_advisory_xact_lock(hashtext('standby:backup-models'))`);
  const targets = await tx.target.findMany({ where: { provider: { kind: 'self_hosted' } }, select: { id: true, name: true, model: true, region: { select: { code: true } }, modelArtifact: { select: { id: true, servingRegion: true } } } });
  const created: string[] = [];
  for (const t of targets) {
    if (t.modelArtifact) {
      if (t.modelArtifact.servingRegion !== t.region.code) await tx.modelArtifact.update({ where: { id: t.modelArtifact.id }, data: { servingRegion: t.region.code } });
      continue;
    }
    const taken = await tx.modelArtifact.findUnique({ where: { name: t.name }, select: { id: true, targetId: true } });
    if (taken && taken.targetId === null) {
      // Registered by hand under the target's name before the target existed: they are one model.
      await tx.modelArtifact.update({ where: { id: taken.id }, data: { targetId: t.id, servingRegion: t.region.code } });
      continue;
    }
    await tx.modelArtifact.create({ data: { name: taken ? `${t.name} (${t.id.slice(0, 8)})` : t.name, targetId: t.id, servingRegion: t.region.code, description: t.model } });
    created.push(t.name);
  }
  return created;
}

export const syncModels = () => inTransaction((tx) => syncModelsIn(tx));

async function findModel(client: Tx, name: string) {
  const model = await client.modelArtifact.findFirst({
    where: { OR: [{ name }, { target: { name } }] },
    select: { id: true, name: true, servingRegion: true, deployed: true, target: { select: { name: true } }, parts: { select: { path: true, kind: true, note: true } } },
  });
  if (!model) throw new AppError('NOT_FOUND', `No model named "${name}". Self-hosted targets have one each (under the target's name); others are registered on the Backups page.`, { model: [`No model named "${name}".`] });
  return model;
}

/** The evidence a copy or a restore is for the recovery grid: only models a target serves have a serving component. */
async function reportEvidence(targetName: string | null, report: Parameters<typeof recordEvidence>[0][number], source: string) {
  if (!targetName) return;
  await recordEvidence([{ ...report, component: servingComponentName(targetName) }], source).catch((error: unknown) => {
    // The component may not exist yet (the recovery loop adds it within a minute): the copy is kept, the grid catches up with the next one.
    console.error('[standby] backup evidence not recorded', { target: targetName, error: error instanceof Error ? error.message : String(error) });
  });
}

const sortedManifest = (m: ManifestInput): Manifest => ({ files: [...m.files].sort((a, b) => a.path.localeCompare(b.path)), chatTemplate: m.chatTemplate, shardIndex: m.shardIndex });
const digestOf = (m: Manifest) => createHash('sha256').update(JSON.stringify(m)).digest('hex');

// ---------------------------------------------------------------- reports from machines

export type RecordedCopy = { id: string; model: string; restorable: boolean; problems: string[]; notes: string[]; sizeBytes: number; fileCount: number };

/** A copy of a model (POST /api/v1/backups/copies, `backup scan`). */
export async function recordCopy(source: string, input: unknown, now = Date.now()): Promise<RecordedCopy> {
  const report = parseInput(copyReportInput, input);
  if (report.takenAt !== undefined && report.takenAt > now + 5 * 60_000) throw new AppError('INVALID', 'takenAt is in the future. Check the reporting machine\'s clock.', { takenAt: ['takenAt is in the future.'] });
  const model = await findModel(db() as unknown as Tx, report.model);
  const region = await db().region.findUnique({ where: { code: report.region }, select: { code: true } });
  if (!region) throw new AppError('INVALID', `No region "${report.region}": use a region code from the Regions page.`, { region: [`No region "${report.region}".`] });
  const manifest = sortedManifest(report.manifest);
  const { sizeBytes, fileCount } = manifestSize(manifest);
  const data = { region: report.region, takenAt: new Date(report.takenAt ?? now), reportedAt: new Date(now), source, sizeBytes, fileCount, manifest: manifest as unknown as Prisma.InputJsonValue, verifiedAt: null, verifyProblems: Prisma.DbNull };
  // A location holds one copy: a job that reports it again (a retry, or tonight's copy written over last night's) replaces
  // the record rather than adding one, also when reports for it arrive at once.
  const copy = await inTransaction(async (tx) => {
    await tx.$executeRaw(Prisma.sql`SELECT pg_advisory_xact_lock(hashtext(${`standby:backup-copy:${model.id}:${report.location}`}))`);
    const existing = await tx.backupCopy.findFirst({ where: { modelId: model.id, location: report.location }, orderBy: { takenAt: 'desc' }, select: { id: true } });
    if (existing) return tx.backupCopy.update({ where: { id: existing.id }, data, select: { id: true } });
    return tx.backupCopy.create({ data: { ...data, modelId: model.id, location: report.location }, select: { id: true } });
  });
  const assessment = assessCopy(manifest, asManifest(model.deployed), model.parts);
  await reportEvidence(
    model.target?.name ?? null,
    {
      component: '', kind: 'backup', ok: assessment.restorable, newestCopyAt: report.takenAt ?? now, observedAt: now, sizeBytes, reference: report.location,
      detail: assessment.restorable ? `complete; checksums match the deployed version (${fileCount} files, region ${report.region})` : `not restorable: ${assessment.problems.map((p) => p.message).join('; ')}`.slice(0, 2_000),
    },
    source,
  );
  return { id: copy.id, model: model.name, restorable: assessment.restorable, problems: assessment.problems.map((p) => p.message), notes: assessment.notes, sizeBytes, fileCount };
}

/** What serves now (POST /api/v1/backups/deployed, `backup scan --deployed`); the date moves only when it changed. */
export async function recordDeployed(source: string, input: unknown, now = Date.now()) {
  const report = parseInput(deployedReportInput, input);
  const model = await findModel(db() as unknown as Tx, report.model);
  const manifest = sortedManifest(report.manifest);
  const previous = asManifest(model.deployed);
  const changed = !previous || digestOf(previous) !== digestOf(manifest);
  if (changed) {
    await db().modelArtifact.update({
      where: { id: model.id },
      data: { deployed: manifest as unknown as Prisma.InputJsonValue, deployedAt: new Date(report.observedAt ?? now), deployedSource: source, version: { increment: 1 } },
    });
  }
  return { model: model.name, changed, ...manifestSize(manifest) };
}

/** A restore timed by the job that ran it: it replaces the estimate (POST /api/v1/backups/restore-tests). */
export async function recordRestoreTest(source: string, input: unknown, now = Date.now()) {
  const report = parseInput(restoreTestInput, input);
  const model = await findModel(db() as unknown as Tx, report.model);
  const copy = report.copyId
    ? await db().backupCopy.findFirst({ where: { id: report.copyId, modelId: model.id }, select: { id: true, sizeBytes: true } })
    : report.location
      ? await db().backupCopy.findFirst({ where: { modelId: model.id, location: report.location }, orderBy: { takenAt: 'desc' }, select: { id: true, sizeBytes: true } })
      : null;
  if ((report.copyId || report.location) && !copy) throw new AppError('NOT_FOUND', `No copy of ${model.name} ${report.copyId ? `with id ${report.copyId}` : `at ${report.location}`}.`);
  const restoreMs = report.restoreMs ?? (report.transferMs ?? 0) + (report.loadMs ?? 0);
  const observedAt = new Date(report.observedAt ?? now);
  const test = await db().restoreTest.create({
    data: { modelId: model.id, copyId: copy?.id ?? null, observedAt, ok: report.ok, transferMs: report.transferMs ?? null, loadMs: report.loadMs ?? null, restoreMs, detail: report.detail, source },
    select: { id: true },
  });
  await reportEvidence(
    model.target?.name ?? null,
    { component: '', kind: 'restore_test', ok: report.ok, observedAt: observedAt.getTime(), ...(report.ok ? { restoreMs: Math.round(restoreMs) } : {}), disruption: 'data_loss', sizeBytes: copy?.sizeBytes, detail: report.detail || `restore of ${model.name}` },
    source,
  );
  return { id: test.id, model: model.name, restoreMs, ok: report.ok };
}

// ---------------------------------------------------------------- changes people make

export async function registerModel(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'backups.write');
  const { name, servingRegion, description, scheduleHours, loadSeconds, reason } = parseInput(registerModelInput, input);
  return withUniqueField('name', 'A model with this name already exists.', () =>
    inTransaction(async (tx) => {
      if (!(await tx.region.findUnique({ where: { code: servingRegion }, select: { code: true } }))) throw new AppError('INVALID', 'Some fields need attention.', { servingRegion: [`No region "${servingRegion}".`] });
      const created = await tx.modelArtifact.create({ data: { name, servingRegion, description, scheduleHours, loadMs: loadSeconds === null ? null : loadSeconds * 1000 }, select: { id: true, name: true } });
      await recordAudit(tx, actor, { action: 'backups.model_register', entityType: 'model_artifact', entityId: created.id, entityName: name, after: { servingRegion, scheduleHours, loadSeconds, description }, reason });
      return created;
    }),
  );
}

export async function updateModelSettings(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'backups.write');
  const { modelId, expectedVersion, servingRegion, scheduleHours, loadSeconds, reason } = parseInput(modelSettingsInput, input);
  return inTransaction(async (tx) => {
    const before = await tx.modelArtifact.findUnique({ where: { id: modelId }, select: { name: true, servingRegion: true, scheduleHours: true, loadMs: true, targetId: true } });
    if (!before) throw new AppError('NOT_FOUND', 'This model no longer exists.');
    if (before.targetId && before.servingRegion !== servingRegion) throw new AppError('INVALID', 'Some fields need attention.', { servingRegion: ['This model serves from its target\'s region: change the target instead.'] });
    if (!(await tx.region.findUnique({ where: { code: servingRegion }, select: { code: true } }))) throw new AppError('INVALID', 'Some fields need attention.', { servingRegion: [`No region "${servingRegion}".`] });
    const loadMs = loadSeconds === null ? null : loadSeconds * 1000;
    const { count } = await tx.modelArtifact.updateMany({ where: { id: modelId, version: expectedVersion }, data: { servingRegion, scheduleHours, loadMs, version: { increment: 1 } } });
    assertVersionMatched(count, 'model');
    await recordAudit(tx, actor, {
      action: 'backups.model_update', entityType: 'model_artifact', entityId: modelId, entityName: before.name,
      before: { servingRegion: before.servingRegion, scheduleHours: before.scheduleHours, loadSeconds: before.loadMs === null ? null : before.loadMs / 1000 }, after: { servingRegion, scheduleHours, loadSeconds }, reason,
    });
    return { modelId };
  });
}

export async function addPart(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'backups.write');
  const { modelId, path, kind, note, reason } = parseInput(partInput, input);
  return withUniqueField('path', 'This model already requires a part at this path.', () =>
    inTransaction(async (tx) => {
      const model = await tx.modelArtifact.findUnique({ where: { id: modelId }, select: { name: true } });
      if (!model) throw new AppError('NOT_FOUND', 'This model no longer exists.');
      const part = await tx.modelPart.create({ data: { modelId, path, kind, note, createdBy: actor.email }, select: { id: true } });
      await recordAudit(tx, actor, { action: 'backups.part_add', entityType: 'model_artifact', entityId: modelId, entityName: model.name, after: { path, kind: PART_KIND_LABELS[kind], note }, reason });
      return part;
    }),
  );
}

export async function removePart(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'backups.write');
  const { partId, reason } = parseInput(removePartInput, input);
  return inTransaction(async (tx) => {
    const part = await tx.modelPart.findUnique({ where: { id: partId }, select: { path: true, kind: true, model: { select: { id: true, name: true } } } });
    if (!part) throw new AppError('NOT_FOUND', 'This part is no longer required (someone removed it).');
    await tx.modelPart.delete({ where: { id: partId } });
    await recordAudit(tx, actor, { action: 'backups.part_remove', entityType: 'model_artifact', entityId: part.model.id, entityName: part.model.name, before: { path: part.path, kind: PART_KIND_LABELS[part.kind] }, reason });
    return { partId };
  });
}

/** The bandwidth from where copies live to where models serve (replaced by a restore test's measure where there is one). */
export async function setLink(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'backups.write');
  const { fromRegion, toRegion, gbps, note, expectedVersion, reason } = parseInput(linkInput, input);
  return inTransaction(async (tx) => {
    const codes = new Set((await tx.region.findMany({ where: { code: { in: [fromRegion, toRegion] } }, select: { code: true } })).map((r) => r.code));
    const fieldErrors = Object.fromEntries([['fromRegion', fromRegion], ['toRegion', toRegion]].filter(([, code]) => !codes.has(code)).map(([field, code]) => [field, [`No region "${code}".`]]));
    if (Object.keys(fieldErrors).length) throw new AppError('INVALID', 'Some fields need attention.', fieldErrors);
    const bitsPerSecond = gbps * 1e9;
    const existing = await tx.backupLink.findUnique({ where: { fromRegion_toRegion: { fromRegion, toRegion } }, select: { bitsPerSecond: true, version: true, updatedBy: true } });
    if (!existing) {
      if (expectedVersion !== 0) throw new AppError('CONFLICT', 'This link was removed while you were editing it. Reload and try again.');
      await withUniqueField('toRegion', 'Someone set this bandwidth a moment ago. Reload to see it.', () => tx.backupLink.create({ data: { fromRegion, toRegion, bitsPerSecond, note, updatedBy: actor.email } }));
    } else {
      if (existing.version !== expectedVersion) throw new AppError('CONFLICT', `${existing.updatedBy} changed this link while you were editing it (now ${formatBandwidth(existing.bitsPerSecond)}). Reload, then try again.`);
      const { count } = await tx.backupLink.updateMany({ where: { fromRegion, toRegion, version: expectedVersion }, data: { bitsPerSecond, note, updatedBy: actor.email, updatedAt: new Date(), version: { increment: 1 } } });
      assertVersionMatched(count, 'bandwidth');
    }
    await recordAudit(tx, actor, {
      action: 'backups.link_set', entityType: 'backup_link', entityName: `${fromRegion} → ${toRegion}`,
      before: existing ? { bandwidth: formatBandwidth(existing.bitsPerSecond) } : null, after: { bandwidth: formatBandwidth(bitsPerSecond), note }, reason,
    });
    return { fromRegion, toRegion, bitsPerSecond };
  });
}

/** Whether a failed read of a copy's location says the copy is gone (its bucket does not exist), rather than that it could not be checked. */
const copyIsGone = (error: unknown) => (error as { name?: string }).name === 'NoSuchBucket';

/**
 * Reads the copy where it lives (a folder this server reaches, or S3 through
 * the AWS SDK) and compares every file of its manifest with what is there:
 * present, and of the same size. Its checksums are the scan's. A location
 * that cannot be read (no route, no credentials, access denied) proves
 * nothing about the copy: that is refused, and the copy keeps its last check;
 * a bucket that does not exist is the copy gone, and recorded as such.
 */
export async function verifyCopy(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'backups.write');
  const { copyId } = parseInput(verifyCopyInput, input);
  const copy = await db().backupCopy.findUnique({ where: { id: copyId }, select: { id: true, location: true, manifest: true, model: { select: { id: true, name: true } } } });
  if (!copy) throw new AppError('NOT_FOUND', 'This copy no longer exists.');
  let problems: string[];
  try {
    const present = new Map((await listLocation(copy.location)).map((f) => [f.path, f.sizeBytes]));
    problems = (asManifest(copy.manifest)?.files ?? []).flatMap((f) => {
      const size = present.get(f.path);
      if (size === undefined) return [`${f.path} missing`];
      return size === f.sizeBytes ? [] : [`${f.path} is ${size} bytes, the manifest says ${f.sizeBytes}`];
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    if (!copyIsGone(error)) throw new AppError('UNAVAILABLE', `Standby could not read ${copy.location}: ${reason}. Nothing was recorded: the copy keeps its last check.`);
    problems = [`the bucket does not exist (${reason})`];
  }
  await inTransaction(async (tx) => {
    await tx.backupCopy.update({ where: { id: copyId }, data: { verifiedAt: new Date(), verifyProblems: problems } });
    await recordAudit(tx, actor, { action: 'backups.copy_verify', entityType: 'backup_copy', entityId: copyId, entityName: `${copy.model.name} at ${copy.location}`, after: { problems: problems.length ? problems.slice(0, 20) : 'every file present, sizes as in the manifest' } });
  });
  return { copyId, problems };
}
