import 'server-only';
// Writes a configuration version in the transaction of the change that made
// it (docs/decisions/013-configuration-history-in-git.md). The section is read
// under one advisory lock taken after the change: a transaction that waits for
// it reads, once it has it, everything committed before (READ COMMITTED takes
// a new snapshot per statement), so two changes committed at once never give
// two versions that each miss the other's change, and numbers follow commit
// order. A change that leaves the section's file as it was (a credential's
// secret rotated) writes no version.
import { createHash } from 'node:crypto';
import { recordAudit, type AuditEntry } from '@/lib/audit/record';
import type { Actor } from '@/lib/server/auth';
import { Prisma, type Tx } from '@/lib/server/db';
import { registeredSection, sectionsFollowing, type ConfigSection } from './section';

const VERSION_LOCK = Prisma.sql`SELECT pg_advisory_xact_lock(hashtext('standby:config-version'))`;

/** Channel the git writer listens on (lib/config-history/publish-task.ts). */
export const VERSION_CHANNEL = 'standby_config_versions';

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export type VersionMeta = { action: string; summary: string; reason?: string | null; restoredFrom?: number | null };

/** The newest version of the section unless its file is unchanged; returns the new number, or null. */
export async function writeConfigVersion(tx: Tx, actor: Actor, sectionOrKey: ConfigSection | string, meta: VersionMeta): Promise<number | null> {
  const section = typeof sectionOrKey === 'string' ? registeredSection(sectionOrKey) : sectionOrKey;
  await tx.$executeRaw(VERSION_LOCK);
  const content = await section.read(tx);
  const digest = sha256(content);
  const last = await tx.configVersion.findFirst({ where: { section: section.key }, orderBy: { number: 'desc' }, select: { sha256: true } });
  if (last?.sha256 === digest) return null;
  const newest = await tx.configVersion.aggregate({ _max: { number: true } });
  const number = (newest._max.number ?? 0) + 1;
  await tx.configVersion.create({
    data: {
      number, section: section.key, content, sha256: digest, action: meta.action, summary: meta.summary.slice(0, 300),
      actorEmail: actor.email, actorRole: actor.role, reason: meta.reason?.trim() || null, restoredFrom: meta.restoredFrom ?? null,
    },
    select: { id: true },
  });
  await tx.$executeRaw(Prisma.sql`SELECT pg_notify(${VERSION_CHANNEL}, ${String(number)})`);
  // A section naming this one's entities (the runbooks name services) gets its version of the change, when its file changed.
  for (const follower of sectionsFollowing(section.key)) await writeConfigVersion(tx, actor, follower, meta);
  return number;
}

const VERBS: Record<string, string> = {
  create: 'created', update: 'changed', delete: 'deleted', enable: 'enabled', disable: 'disabled', chain_update: 'chain changed',
  policy_update: 'degradation policy changed', objective_create: 'objective set', objective_update: 'objective changed', component_create: 'component added',
  private_networks: 'changed', apply: 'configuration file applied', rotate: 'secret rotated', archive: 'archived', restore: 'unarchived',
};

/** "service support-bot: chain changed", from an audit entry. */
export function describeChange(entry: Pick<AuditEntry, 'action' | 'entityType' | 'entityName'>): string {
  const verb = entry.action.slice(entry.action.indexOf('.') + 1);
  const subject = [entry.entityType.replace(/_/g, ' '), entry.entityName].filter(Boolean).join(' ');
  return `${subject}: ${VERBS[verb] ?? verb.replace(/_/g, ' ')}`;
}

/**
 * The audit entry of a configuration change and the new version of its
 * section, in the caller's transaction: what a domain's mutations call
 * instead of recordAudit for anything configuration history keeps.
 */
export async function recordConfigChange(tx: Tx, actor: Actor, section: ConfigSection | string, entry: AuditEntry & { summary?: string }): Promise<number | null> {
  await recordAudit(tx, actor, entry);
  return writeConfigVersion(tx, actor, section, { action: entry.action, summary: entry.summary ?? describeChange(entry), reason: entry.reason });
}
