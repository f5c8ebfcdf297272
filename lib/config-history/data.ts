import 'server-only';
// Reads of configuration history: the list of versions with where each is in
// git, one version with its side-by-side diff against the version of its
// section before it (or any other), and the repository's state with the
// measured lag (the RPO of configuration).
import { db, Prisma } from '@/lib/server/db';
import { configuredRepository, describeRepository } from './git';
import { countChanges, diffLines, type DiffRow } from './line-diff';
import { CONFIG_SECTIONS } from './sections';

export type VersionRow = {
  id: string;
  number: number;
  section: string;
  sectionTitle: string;
  summary: string;
  action: string;
  actorEmail: string;
  actorRole: string;
  reason: string | null;
  createdAt: string;
  restoredFrom: number | null;
  gitCommit: string | null;
  gitAt: string | null;
  gitError: string | null;
  /** gitAt - createdAt: how long the change waited before it was in the repository. */
  lagMs: number | null;
};

const titleOf = (key: string) => CONFIG_SECTIONS.find((s) => s.key === key)?.title ?? key;

const ROW_SELECT = {
  id: true, number: true, section: true, summary: true, action: true, actorEmail: true, actorRole: true, reason: true, createdAt: true, restoredFrom: true, gitCommit: true, gitAt: true, gitError: true,
} as const;

type Row = Prisma.ConfigVersionGetPayload<{ select: typeof ROW_SELECT }>;

function toRow(v: Row): VersionRow {
  return {
    ...v,
    sectionTitle: titleOf(v.section),
    createdAt: v.createdAt.toISOString(),
    gitAt: v.gitAt?.toISOString() ?? null,
    lagMs: v.gitAt ? v.gitAt.getTime() - v.createdAt.getTime() : null,
  };
}

export type HistoryPage = {
  versions: VersionRow[];
  total: number;
  repository: { location: string; remote: boolean; branch: string; pending: number; failing: string | null; newestCommit: string | null; lagP50Ms: number | null; lagMaxMs: number | null; measured: number };
};

/** Newest first, `limit` at a time (before: a version number to page back from), optionally one section. */
export async function listConfigVersions(options: { limit?: number; before?: number; section?: string } = {}): Promise<HistoryPage> {
  const where = { ...(options.section ? { section: options.section } : {}), ...(options.before ? { number: { lt: options.before } } : {}) };
  const since = new Date(Date.now() - 30 * 86_400_000);
  const [rows, total, pending, failing, newest, lag] = await Promise.all([
    db().configVersion.findMany({ where, orderBy: { number: 'desc' }, take: options.limit ?? 50, select: ROW_SELECT }),
    db().configVersion.count({ where: options.section ? { section: options.section } : {} }),
    db().configVersion.count({ where: { gitCommit: null } }),
    db().configVersion.findFirst({ where: { gitCommit: null, gitError: { not: null } }, orderBy: { number: 'asc' }, select: { gitError: true } }),
    db().configVersion.findFirst({ where: { gitCommit: { not: null } }, orderBy: { number: 'desc' }, select: { gitCommit: true } }),
    db().$queryRaw<{ p50: number | null; max: number | null; n: number }[]>(Prisma.sql`
      SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY lag)::float8 AS p50, max(lag)::float8 AS max, count(*)::int AS n
      FROM (SELECT extract(epoch FROM ("gitAt" - "createdAt")) * 1000 AS lag FROM "ConfigVersion" WHERE "gitAt" IS NOT NULL AND "createdAt" >= ${since}::timestamp AND action NOT IN ('config.baseline')) l`),
  ]);
  const repo = configuredRepository();
  return {
    versions: rows.map(toRow),
    total,
    repository: {
      location: describeRepository(repo), remote: repo.remote, branch: repo.branch, pending, failing: failing?.gitError ?? null, newestCommit: newest?.gitCommit ?? null,
      lagP50Ms: lag[0]?.p50 ?? null, lagMaxMs: lag[0]?.max ?? null, measured: lag[0]?.n ?? 0,
    },
  };
}

export type VersionDetail = {
  version: VersionRow & { content: string };
  /** The version it is compared with (the previous one of its section by default); null for the first. */
  against: VersionRow | null;
  rows: DiffRow[];
  added: number;
  removed: number;
  /** Other versions of the same section, to compare with. */
  siblings: { id: string; number: number; createdAt: string; summary: string }[];
};

export async function getConfigVersion(id: string, againstId?: string | null): Promise<VersionDetail | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const version = await db().configVersion.findUnique({ where: { id }, select: { ...ROW_SELECT, content: true } });
  if (!version) return null;
  const againstRow =
    againstId && /^[0-9a-f-]{36}$/i.test(againstId)
      ? await db().configVersion.findFirst({ where: { id: againstId, section: version.section }, select: { ...ROW_SELECT, content: true } })
      : await db().configVersion.findFirst({ where: { section: version.section, number: { lt: version.number } }, orderBy: { number: 'desc' }, select: { ...ROW_SELECT, content: true } });
  const siblings = await db().configVersion.findMany({ where: { section: version.section, id: { not: version.id } }, orderBy: { number: 'desc' }, take: 100, select: { id: true, number: true, createdAt: true, summary: true } });
  // Older on the left, newer on the right, whichever was asked for.
  const [left, right] = againstRow && againstRow.number > version.number ? [version.content, againstRow.content] : [againstRow?.content ?? '', version.content];
  const rows = diffLines(left, right);
  return {
    version: { ...toRow(version), content: version.content },
    against: againstRow ? toRow(againstRow) : null,
    rows,
    ...countChanges(rows),
    siblings: siblings.map((s) => ({ ...s, createdAt: s.createdAt.toISOString() })),
  };
}
