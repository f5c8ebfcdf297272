import 'server-only';
// Reads of the backups domain: every model with its copies judged against
// the deployed version, its restore time against its serving RTO, and its
// backup schedule; the bandwidth between regions. The judging is pure
// (parts.ts, estimate.ts); this file gathers the rows.
import { db } from '@/lib/server/db';
import { defaultObjectives, type DisruptionKind } from '@/lib/recovery/model';
import { ASSUMED_BITS_PER_SECOND, assessModel, estimateRestore, formatBandwidth, measuredBandwidth, type Bandwidth, type ModelStatus } from './estimate';
import { assessCopy, manifestSize, partsByKind, type CopyAssessment, type Manifest, type ModelPartKind, type RequiredPart } from './parts';

const COPIES_PER_MODEL = 20;
const TESTS_PER_MODEL = 10;

const MODEL_SELECT = {
  id: true, name: true, servingRegion: true, description: true, scheduleHours: true, loadMs: true, deployed: true, deployedAt: true, deployedSource: true, version: true, createdAt: true,
  target: {
    select: {
      id: true, name: true, model: true, enabled: true, region: { select: { code: true } }, provider: { select: { kind: true } },
      chainEntries: { select: { position: true, service: { select: { name: true, chain: { orderBy: { position: 'asc' }, select: { targetId: true } } } } } },
      recoveryComponents: { where: { kind: 'model_serving' }, select: { id: true, name: true, objectives: { select: { disruption: true, rtoMs: true } } } },
    },
  },
  parts: { orderBy: { path: 'asc' }, select: { id: true, path: true, kind: true, note: true, createdBy: true, createdAt: true } },
  copies: { orderBy: { takenAt: 'desc' }, take: COPIES_PER_MODEL, select: { id: true, location: true, region: true, takenAt: true, reportedAt: true, source: true, sizeBytes: true, fileCount: true, manifest: true, verifiedAt: true, verifyProblems: true } },
  restoreTests: { orderBy: { observedAt: 'desc' }, take: TESTS_PER_MODEL, select: { id: true, copyId: true, observedAt: true, ok: true, transferMs: true, loadMs: true, restoreMs: true, detail: true, source: true } },
} as const;

type ModelRow = Awaited<ReturnType<typeof readModelRows>>[number];

function readModelRows(where: { id?: string } = {}) {
  return db().modelArtifact.findMany({ where, orderBy: { name: 'asc' }, select: MODEL_SELECT });
}

export type LinkRow = { fromRegion: string; toRegion: string; bitsPerSecond: number; note: string; updatedBy: string; updatedAt: string; version: number };

export const asManifest = (value: unknown): Manifest | null => {
  const m = value as Partial<Manifest> | null;
  return m && Array.isArray(m.files) ? { files: m.files, chatTemplate: m.chatTemplate ?? null, shardIndex: m.shardIndex ?? null } : null;
};

/** The model's serving RTO: its serving component's objective for a loss of artifacts, else a regional outage, else the default. */
function rtoOf(row: ModelRow): { rtoMs: number; source: string } {
  const component = row.target?.recoveryComponents[0];
  const pick = (d: DisruptionKind) => component?.objectives.find((o) => o.disruption === d)?.rtoMs;
  const ms = pick('data_loss') ?? pick('regional_outage');
  if (component && ms !== undefined) return { rtoMs: ms, source: `${component.name}'s objective` };
  return { rtoMs: defaultObjectives('model_serving', { selfHosted: true }).find((o) => o.disruption === 'data_loss')!.rtoMs, source: 'the default for model serving (no target serves it)' };
}

export type CopyView = {
  id: string; location: string; region: string; takenAt: string; reportedAt: string; source: string; sizeBytes: number; fileCount: number;
  assessment: CopyAssessment;
  verifiedAt: string | null; verifyProblems: string[] | null;
  estimateMs: number | null;
  kinds: Partial<Record<ModelPartKind, { count: number; sizeBytes: number }>>;
};

export type ModelView = {
  id: string; name: string; description: string; servingRegion: string; scheduleHours: number; loadMs: number | null; version: number;
  target: { name: string; model: string; services: string[] } | null;
  deployed: { at: string | null; source: string | null; sizeBytes: number; fileCount: number; kinds: Partial<Record<ModelPartKind, { count: number; sizeBytes: number }>>; chatTemplate: string | null } | null;
  parts: { id: string; path: string; kind: ModelPartKind; note: string; createdBy: string }[];
  rtoMs: number; rtoSource: string;
  status: ModelStatus;
  copies: CopyView[];
  restoreTests: { id: string; copyId: string | null; observedAt: string; ok: boolean; transferMs: number | null; loadMs: number | null; restoreMs: number; detail: string; source: string }[];
};

function bandwidthFor(links: LinkRow[], rows: ModelRow[]) {
  // Measured: the newest restore test that reported its transfer time, per pair of regions.
  const measured = new Map<string, { bps: number; at: number }>();
  for (const row of rows) {
    const copies = new Map(row.copies.map((c) => [c.id, c]));
    for (const t of row.restoreTests) {
      const copy = t.copyId ? copies.get(t.copyId) : undefined;
      const bps = copy && t.ok && t.transferMs ? measuredBandwidth(copy.sizeBytes, t.transferMs) : null;
      const key = copy ? `${copy.region}>${row.servingRegion}` : '';
      if (bps && (!measured.has(key) || measured.get(key)!.at < t.observedAt.getTime())) measured.set(key, { bps, at: t.observedAt.getTime() });
    }
  }
  return (from: string, to: string): Bandwidth => {
    const m = measured.get(`${from}>${to}`);
    if (m) return { bitsPerSecond: m.bps, source: 'measured', detail: `measured by a restore test on ${new Date(m.at).toISOString().slice(0, 10)}` };
    const link = links.find((l) => l.fromRegion === from && l.toRegion === to);
    if (link) return { bitsPerSecond: link.bitsPerSecond, source: 'declared', detail: `declared by ${link.updatedBy}` };
    return { bitsPerSecond: ASSUMED_BITS_PER_SECOND, source: 'assumed', detail: `assumed ${formatBandwidth(ASSUMED_BITS_PER_SECOND)}: nothing declared or measured` };
  };
}

function view(row: ModelRow, rows: ModelRow[], bandwidth: (from: string, to: string) => Bandwidth, now: number): ModelView {
  const deployed = asManifest(row.deployed);
  const required: RequiredPart[] = row.parts.map((p) => ({ path: p.path, kind: p.kind, note: p.note }));
  const { rtoMs, source } = rtoOf(row);
  const copies: CopyView[] = row.copies.map((c) => {
    const manifest = asManifest(c.manifest) ?? { files: [], chatTemplate: null, shardIndex: null };
    const assessment = assessCopy(manifest, deployed, required);
    const verifyProblems = Array.isArray(c.verifyProblems) ? (c.verifyProblems as string[]) : null;
    // A copy Standby read where it lives and found lacking is not restorable, whatever its manifest said.
    if (verifyProblems?.length) {
      assessment.restorable = false;
      assessment.problems.push(...verifyProblems.map((message) => ({ path: '', kind: 'other' as const, problem: 'missing' as const, message: `at ${c.location}: ${message}` })));
    }
    const estimate = c.region === row.servingRegion ? null : estimateRestore(c.sizeBytes, bandwidth(c.region, row.servingRegion), row.loadMs).totalMs;
    return {
      id: c.id, location: c.location, region: c.region, takenAt: c.takenAt.toISOString(), reportedAt: c.reportedAt.toISOString(), source: c.source, sizeBytes: c.sizeBytes, fileCount: c.fileCount,
      assessment, verifiedAt: c.verifiedAt?.toISOString() ?? null, verifyProblems, estimateMs: estimate, kinds: partsByKind(manifest),
    };
  });
  // Smaller models in the same chains could stand in while this one is restored.
  const services = new Set(row.target?.chainEntries.map((e) => e.service.name) ?? []);
  const fallbacks = rows
    .filter((other) => other.id !== row.id && other.target && other.target.chainEntries.some((e) => services.has(e.service.name)))
    .flatMap((other) => {
      const size = other.copies[0]?.sizeBytes ?? asManifest(other.deployed)?.files.reduce((s, f) => s + f.sizeBytes, 0) ?? 0;
      const from = other.copies.find((c) => c.region !== other.servingRegion)?.region;
      if (!size || !from || size >= (copies[0]?.sizeBytes ?? Infinity)) return [];
      return [{ name: other.name, sizeBytes: size, restoreMs: estimateRestore(size, bandwidth(from, other.servingRegion), other.loadMs).totalMs }];
    });
  const status = assessModel({
    name: row.name, servingRegion: row.servingRegion, rtoMs, rtoSource: source, scheduleMs: row.scheduleHours * 3_600_000, deployedAt: row.deployedAt?.getTime() ?? null, declaredLoadMs: row.loadMs,
    copies: copies.map((c) => ({ id: c.id, region: c.region, location: c.location, takenAt: Date.parse(c.takenAt), sizeBytes: c.sizeBytes, restorable: c.assessment.restorable, problems: c.assessment.problems.map((p) => p.message) })),
    restoreTests: row.restoreTests.map((t) => ({ observedAt: t.observedAt.getTime(), ok: t.ok, restoreMs: t.restoreMs, copyId: t.copyId, detail: t.detail })),
    bandwidth: (from) => bandwidth(from, row.servingRegion), fallbacks, now,
  });
  return {
    id: row.id, name: row.name, description: row.description, servingRegion: row.servingRegion, scheduleHours: row.scheduleHours, loadMs: row.loadMs, version: row.version,
    target: row.target ? { name: row.target.name, model: row.target.model, services: [...services].sort() } : null,
    deployed: deployed ? { at: row.deployedAt?.toISOString() ?? null, source: row.deployedSource, ...manifestSize(deployed), kinds: partsByKind(deployed), chatTemplate: deployed.chatTemplate } : null,
    parts: row.parts.map((p) => ({ id: p.id, path: p.path, kind: p.kind, note: p.note, createdBy: p.createdBy })),
    rtoMs, rtoSource: source, status, copies,
    restoreTests: row.restoreTests.map((t) => ({ ...t, observedAt: t.observedAt.toISOString() })),
  };
}

export async function readLinks(): Promise<LinkRow[]> {
  const rows = await db().backupLink.findMany({ orderBy: [{ fromRegion: 'asc' }, { toRegion: 'asc' }] });
  return rows.map((l) => ({ ...l, updatedAt: l.updatedAt.toISOString() }));
}

export type BackupsOverview = {
  models: ModelView[];
  links: LinkRow[];
  regions: { code: string; name: string }[];
  summary: { models: number; protected: number; atRisk: number; unprotected: number; overdue: number; slowerThanRto: number };
  generatedAt: string;
};

export async function getBackupsOverview(now = Date.now()): Promise<BackupsOverview> {
  const [rows, links, regions] = await Promise.all([readModelRows(), readLinks(), db().region.findMany({ orderBy: { code: 'asc' }, select: { code: true, name: true } })]);
  const bandwidth = bandwidthFor(links, rows);
  const models = rows.map((row) => view(row, rows, bandwidth, now));
  const order = { unprotected: 0, at_risk: 1, protected: 2 } as const;
  models.sort((a, b) => order[a.status.verdict] - order[b.status.verdict] || a.name.localeCompare(b.name));
  return {
    models, links, regions,
    summary: {
      models: models.length,
      protected: models.filter((m) => m.status.verdict === 'protected').length,
      atRisk: models.filter((m) => m.status.verdict === 'at_risk').length,
      unprotected: models.filter((m) => m.status.verdict === 'unprotected').length,
      overdue: models.filter((m) => m.status.backup.overdue || m.status.backup.missingSinceChange).length,
      slowerThanRto: models.filter((m) => (m.status.ratio ?? 0) >= 1).length,
    },
    generatedAt: new Date(now).toISOString(),
  };
}

export async function getModelBackups(id: string, now = Date.now()): Promise<(ModelView & { links: LinkRow[] }) | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const [rows, links] = await Promise.all([readModelRows(), readLinks()]);
  const row = rows.find((r) => r.id === id);
  return row ? { ...view(row, rows, bandwidthFor(links, rows), now), links } : null;
}
