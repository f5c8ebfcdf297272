import 'server-only';
// Commits configuration versions to the git repository, oldest first, one
// commit per version holding every section's file as of that version, and
// reports how long each waited (the RPO of configuration) to the recovery
// objectives as a continuous copy's lag. Run by the leader (publish-task.ts)
// and by `npm run standby -- config publish`. Idempotent: a version whose
// commit is already the branch's newest (a crash after the commit, before the
// database heard of it) is recorded, not committed twice.
import { recordEvidence } from '@/lib/recovery/evidence';
import { CONFIGURATION_COMPONENT } from '@/lib/recovery/components';
import { SYSTEM_ACTOR } from '@/lib/server/auth';
import { db, Prisma } from '@/lib/server/db';
import { inTransaction } from '@/lib/server/mutation';
import { commitFiles, configuredRepository, describeRepository, ensureRepository, fetchRemote, GitError, newestCommittedVersion, pushRemote, type Repository } from './git';
import { CONFIG_SECTIONS, REPOSITORY_README } from './sections';
import { writeConfigVersion } from '@/lib/config-versions/writer';

const BATCH = 50;

export type PublishResult = {
  repository: string;
  written: { number: number; commit: string; lagMs: number }[];
  /** Versions still waiting, and the oldest one's age (ms). */
  pending: number;
  oldestPendingMs: number | null;
  error: string | null;
};

/** Every section's content as of version `number` (the newest version of each numbered at most that). */
async function contentsAt(number: number): Promise<Map<string, string>> {
  const rows = await db().$queryRaw<{ section: string; content: string }[]>(Prisma.sql`
    SELECT DISTINCT ON (section) section, content FROM "ConfigVersion" WHERE number <= ${number} ORDER BY section, number DESC`);
  return new Map(rows.map((r) => [r.section, r.content]));
}

function commitMessage(v: { number: number; section: string; summary: string; reason: string | null; actorEmail: string; actorRole: string; action: string; createdAt: Date; restoredFrom: number | null }) {
  const title = CONFIG_SECTIONS.find((s) => s.key === v.section)?.title ?? v.section;
  return {
    subject: `v${v.number} ${title}: ${v.summary}`.slice(0, 200),
    body: [
      v.reason ? `Why: ${v.reason}` : 'Why: (no reason recorded)',
      `Who: ${v.actorEmail} (${v.actorRole})`,
      `When: ${v.createdAt.toISOString()}`,
      ...(v.restoredFrom ? [`Restores: version ${v.restoredFrom}`] : []),
      '',
      `Standby-Version: ${v.number}`,
      `Standby-Section: ${v.section}`,
      `Standby-Action: ${v.action}`,
    ].join('\n'),
  };
}

async function readPending(limit: number) {
  return db().configVersion.findMany({
    where: { gitCommit: null },
    orderBy: { number: 'asc' },
    take: limit,
    select: { id: true, number: true, section: true, summary: true, reason: true, actorEmail: true, actorRole: true, action: true, createdAt: true, restoredFrom: true },
  });
}

export async function publishPendingVersions(repo: Repository = configuredRepository(), now: () => number = Date.now): Promise<PublishResult> {
  const result: PublishResult = { repository: describeRepository(repo), written: [], pending: 0, oldestPendingMs: null, error: null };
  const pending = await readPending(BATCH);
  if (pending.length === 0) return result;
  try {
    await ensureRepository(repo);
    await fetchRemote(repo);
    let newest = await newestCommittedVersion(repo);
    const files = await contentsAt(pending[0].number - 1);
    for (const v of pending) {
      const content = await db().configVersion.findUniqueOrThrow({ where: { id: v.id }, select: { content: true } });
      files.set(v.section, content.content);
      let commit: string;
      if (newest?.number === v.number) {
        commit = newest.commit;
      } else {
        const named = new Map([...CONFIG_SECTIONS].flatMap((s) => (files.has(s.key) ? [[s.file, files.get(s.key)!] as const] : [])));
        named.set('README.md', REPOSITORY_README);
        commit = await commitFiles(repo, named, { ...commitMessage(v), authorName: v.actorEmail, authorEmail: v.actorEmail.includes('@') ? v.actorEmail : `${v.actorEmail}@standby`, at: v.createdAt });
      }
      newest = { commit, number: v.number };
      await pushRemote(repo);
      const at = now();
      await db().configVersion.update({ where: { id: v.id }, data: { gitCommit: commit, gitAt: new Date(at), gitError: null } });
      result.written.push({ number: v.number, commit, lagMs: Math.max(0, at - v.createdAt.getTime()) });
    }
  } catch (error) {
    result.error = error instanceof GitError ? error.message : error instanceof Error ? error.message.split('\n')[0] : String(error);
    const first = pending.find((v) => !result.written.some((w) => w.number === v.number));
    if (first) await db().configVersion.update({ where: { id: first.id }, data: { gitError: result.error.slice(0, 500) } });
  }
  const left = await readPending(1);
  result.pending = await db().configVersion.count({ where: { gitCommit: null } });
  result.oldestPendingMs = left[0] ? Math.max(0, now() - left[0].createdAt.getTime()) : null;
  return result;
}

/**
 * What configuration history proves about the configuration's RPO: a copy
 * that follows every change, behind by the measured lag (the worst of the
 * versions just written), or, while versions wait, by the oldest one's age.
 */
export async function reportConfigurationLag(lagMs: number, detail: string, reference?: string): Promise<void> {
  await recordEvidence([{ component: CONFIGURATION_COMPONENT, kind: 'config_export', ok: true, lagMs: Math.round(lagMs), detail: detail.slice(0, 2_000), reference }], 'standby');
}

/** A first version of every section that has none (history starts with the configuration as it is). */
export async function ensureBaselines(): Promise<number[]> {
  const have = new Set((await db().configVersion.groupBy({ by: ['section'] })).map((g) => g.section));
  const written: number[] = [];
  for (const section of CONFIG_SECTIONS) {
    if (have.has(section.key)) continue;
    const number = await inTransaction((tx) => writeConfigVersion(tx, SYSTEM_ACTOR, section, { action: 'config.baseline', summary: 'the configuration as it was when history began' }));
    if (number !== null) written.push(number);
  }
  return written;
}

/**
 * Changes made without a form, a file or the API (SQL by hand, the demo's
 * seed) still become versions, found by comparing each section with its
 * newest version.
 */
export async function recordDrift(): Promise<number[]> {
  const written: number[] = [];
  for (const section of CONFIG_SECTIONS) {
    const number = await inTransaction((tx) =>
      writeConfigVersion(tx, SYSTEM_ACTOR, section, { action: 'config.drift', summary: `${section.title.toLowerCase()} changed outside Standby's forms, files and API (no audit entry)` }),
    );
    if (number !== null) written.push(number);
  }
  return written;
}
