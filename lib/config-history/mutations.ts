import 'server-only';
// Restoring a saved configuration version: the estate as it was at version N
// (per section, the newest version numbered N or less), previewed first and
// applied all or nothing, settings then routing then objectives then runbooks, with one
// audit entry and a new version of each section it changed (restoredFrom N).
// Live state is left alone: overrides (pins, drains, forced failovers) and
// tier holds are operations, not configuration. Runbooks call
// applyConfigVersion for their step "apply a saved configuration version".
import { createHash } from 'node:crypto';
import { recordAudit } from '@/lib/audit/record';
import { ConfigProblemsError, nameTakenMeanwhile } from '@/lib/config/apply';
import { requireActor, type Actor, type SessionUser } from '@/lib/server/auth';
import { db, Prisma, type Tx } from '@/lib/server/db';
import { AppError, parseInput } from '@/lib/server/errors';
import { inTransaction } from '@/lib/server/mutation';
import { syncComponentsIn } from '@/lib/recovery/components';
import type { SectionChange } from '@/lib/config-versions/section';
import { restoreVersionInput, versionIdInput } from './schemas';
import { CONFIG_SECTIONS } from './sections';
import { sha256, writeConfigVersion } from '@/lib/config-versions/writer';

type Caller = SessionUser | null;

export type SectionPreview = {
  key: string;
  title: string;
  /** The version of this section the restore brings back; null when the estate had none then (left as it is). */
  fromVersion: number | null;
  unchanged: boolean;
  changes: SectionChange[];
  impact: string[];
  problems: { path: string; message: string; line?: number }[];
};

export type RestorePreview = {
  version: { id: string; number: number; section: string; summary: string; createdAt: string; actorEmail: string; reason: string | null };
  sections: SectionPreview[];
  /** Nothing would change: the estate already is as it was then. */
  unchanged: boolean;
  /** Something stops the restore (a credential deleted since, an endpoint now refused). */
  blocked: boolean;
  /** Identifies the estate this preview was computed on: the restore refuses to run on another. */
  fingerprint: string;
  notes: string[];
};


const NOTES = [
  'Live state stays as it is: pins, drains, forced failovers and tier holds are operations, not configuration. Review them on the service pages after the restore.',
  'Credentials are restored by name only: a target keeps using the secret its credential has now.',
];

async function findVersion(client: Tx, id: string) {
  const version = await client.configVersion.findUnique({ where: { id }, select: { id: true, number: true, section: true, summary: true, createdAt: true, actorEmail: true, reason: true } });
  if (!version) throw new AppError('NOT_FOUND', 'This configuration version does not exist.');
  return version;
}

/** Each section's file as of version `number`. */
async function contentsAt(client: Tx, number: number): Promise<Map<string, { number: number; content: string }>> {
  const rows = await client.$queryRaw<{ section: string; number: number; content: string }[]>(Prisma.sql`
    SELECT DISTINCT ON (section) section, number, content FROM "ConfigVersion" WHERE number <= ${number} ORDER BY section, number DESC`);
  return new Map(rows.map((r) => [r.section, { number: r.number, content: r.content }]));
}

async function previewIn(tx: Tx, id: string): Promise<RestorePreview> {
  const version = await findVersion(tx, id);
  const wanted = await contentsAt(tx, version.number);
  const sections: SectionPreview[] = [];
  const fingerprint = createHash('sha256');
  for (const section of CONFIG_SECTIONS) {
    const current = await section.read(tx);
    fingerprint.update(`${section.key}\n${sha256(current)}\n`);
    const target = wanted.get(section.key);
    const base = { key: section.key, title: section.title, fromVersion: target?.number ?? null };
    if (!target || sha256(target.content) === sha256(current)) {
      sections.push({ ...base, unchanged: true, changes: [], impact: [], problems: [] });
      continue;
    }
    const plan = await section.plan(tx, target.content);
    // Entities the version does not name are left alone: listed, but no change.
    sections.push(plan.ok ? { ...base, unchanged: plan.changes.every((c) => c.kind === 'unmanaged'), changes: plan.changes, impact: plan.impact, problems: [] } : { ...base, unchanged: false, changes: [], impact: [], problems: plan.problems });
  }
  return {
    version: { ...version, createdAt: version.createdAt.toISOString() },
    sections,
    unchanged: sections.every((s) => s.unchanged),
    blocked: sections.some((s) => s.problems.length > 0),
    fingerprint: fingerprint.digest('hex'),
    notes: NOTES,
  };
}

/** What restoring the version would change, section by section, with its impact and anything that stops it. Reads only. */
export async function previewConfigVersion(caller: Caller, id: unknown): Promise<RestorePreview> {
  requireActor(caller, 'estate.read');
  return previewIn(db() as unknown as Tx, parseInput(versionIdInput, id));
}

export type RestoreResult = { restored: number; versions: number[]; preview: RestorePreview };

/** Restores as `actor` (a person, or Standby itself for a runbook step run by the system). */
export async function applyConfigVersionAs(actor: Actor, input: unknown): Promise<RestoreResult> {
  const { versionId: id, reason, expectedFingerprint } = parseInput(restoreVersionInput, input);
  try {
    return await inTransaction(async (tx) => {
      // Queued behind configuration applies, and they behind it.
      await tx.$queryRaw`SELECT 1 FROM pg_advisory_xact_lock(hashtext('standby.config.apply'))`;
      const preview = await previewIn(tx, id);
      if (expectedFingerprint && expectedFingerprint !== preview.fingerprint) {
        throw new AppError('CONFLICT', 'The configuration changed after this preview was made. Nothing was restored: preview again to see what the restore would change now.');
      }
      if (preview.blocked) {
        const first = preview.sections.flatMap((s) => s.problems.map((p) => `${s.title}${p.path ? ` (${p.path})` : ''}: ${p.message}`));
        throw new AppError('INVALID', `Version ${preview.version.number} cannot be restored as it stands: ${first.slice(0, 3).join(' ')}`);
      }
      if (preview.unchanged) throw new AppError('INVALID', `Nothing to restore: the configuration already is as it was at version ${preview.version.number}.`);
      const wanted = await contentsAt(tx, preview.version.number);
      const versions: number[] = [];
      const applied: string[] = [];
      for (const section of CONFIG_SECTIONS) {
        const target = wanted.get(section.key);
        const shown = preview.sections.find((s) => s.key === section.key)!;
        if (!target || shown.unchanged) continue;
        const result = await section.apply(tx, actor, target.content);
        if (!result.ok) throw new ConfigProblemsError(result.problems);
        applied.push(section.key);
      }
      // A restored inventory gets its recovery components in the restore itself (a conversation store turned off
      // retires its component), not a minute later in the leader's sync, which would change the objectives under
      // the next preview and refuse its restore.
      if (applied.includes('routing')) await syncComponentsIn(tx);
      await recordAudit(tx, actor, {
        action: 'config.restore',
        entityType: 'config',
        entityName: `version ${preview.version.number}`,
        after: { version: preview.version.number, sections: preview.sections.filter((s) => !s.unchanged).map((s) => ({ section: s.title, changes: s.changes.filter((c) => c.kind !== 'unmanaged') })) },
        reason,
      });
      for (const section of CONFIG_SECTIONS) {
        const number = await writeConfigVersion(tx, actor, section, { action: 'config.restore', summary: `restored version ${preview.version.number}`, reason, restoredFrom: preview.version.number });
        if (number !== null) versions.push(number);
      }
      return { restored: preview.version.number, versions, preview };
    });
  } catch (error) {
    if (error instanceof ConfigProblemsError) throw new AppError('INVALID', `The restore was refused and nothing changed: ${error.problems.slice(0, 3).map((p) => p.message).join(' ')}`);
    return nameTakenMeanwhile(error);
  }
}

/** Restores a saved configuration version (admin: it rewrites routing like a configuration file does). */
export async function applyConfigVersion(caller: Caller, versionId: string, reason: string, expectedFingerprint?: string): Promise<RestoreResult> {
  return restoreConfigVersion(caller, { versionId, reason, expectedFingerprint });
}

/** The restore form's input (restoreVersionInput), checked after the caller's permission. */
export async function restoreConfigVersion(caller: Caller, input: unknown): Promise<RestoreResult> {
  const actor = requireActor(caller, 'settings.write');
  return applyConfigVersionAs(actor, input);
}
