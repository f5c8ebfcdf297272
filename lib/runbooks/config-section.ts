import 'server-only';
// The runbook library in configuration history: every runbook's current
// version, ordered by name, as one file. Services, targets, webhooks and the
// runbooks a decision attaches are named, not numbered, so the file reads
// plainly and rebuilds into another database. A restore gives each runbook
// whose steps differ a new version (incidents keep the version they ran),
// archives or unarchives it as the file says, adds the runbooks the file has
// and the library lacks, and leaves alone the runbooks the file does not name.
import { parseDocument, stringify } from 'yaml';
import { z } from 'zod';
import { defineConfigSection, type SectionChange, type SectionPlan } from '@/lib/config-versions/section';
import type { Actor } from '@/lib/server/auth';
import { Prisma, type Tx } from '@/lib/server/db';
import { FAILURE_MODES, SEVERITIES } from './model';
import { checkReferences, writeVersion } from './versions';
import { runbookContent } from './schemas';

const KIND = 'Runbooks';

type Problem = { path: string; message: string };

// A step parameter holding an id, the key it has in the file, and what it names.
const REFERENCES = {
  serviceId: ['service', 'service'],
  targetId: ['target', 'target'],
  substituteTargetId: ['substituteTarget', 'target'],
  webhookId: ['webhook', 'webhook'],
  attachRunbookId: ['attachRunbook', 'runbook'],
} as const;
type Entity = (typeof REFERENCES)[keyof typeof REFERENCES][1];
const BY_FILE_KEY = new Map<string, { idKey: string; entity: Entity }>(Object.entries(REFERENCES).map(([idKey, [fileKey, entity]]) => [fileKey, { idKey, entity }]));

type Names = Record<Entity, Map<string, string>>;

// Stands in for a name nothing has yet while the file is checked: the missing name is reported on its own.
const ABSENT = '00000000-0000-4000-8000-000000000000';

const stepSchema = z.object({
  key: z.string(),
  kind: z.string(),
  title: z.string(),
  body: z.string().default(''),
  lane: z.number().int().default(0),
  expectedMinutes: z.number().int().optional(),
  params: z.record(z.string(), z.unknown()).default({}),
}).strict();

const runbookSchema = z.object({
  name: z.string().trim().min(1),
  archived: z.boolean().default(false),
  failureMode: z.enum(FAILURE_MODES),
  summary: z.string().default(''),
  severities: z.array(z.enum(SEVERITIES)).default([]),
  services: z.array(z.string()).default([]),
  targets: z.array(z.string()).default([]),
  steps: z.array(stepSchema).min(1),
}).strict();

const fileSchema = z.object({ apiVersion: z.literal('standby/v1'), kind: z.literal(KIND), runbooks: z.array(runbookSchema).default([]) }).strict();
type RunbookEntry = z.output<typeof runbookSchema>;
type RunbooksFile = z.output<typeof fileSchema>;

/** Each entity's names by id (one query at a time: a transaction has one connection). */
async function namesById(tx: Tx): Promise<Names> {
  const pairs = (rows: { id: string; name: string }[]) => new Map(rows.map((r) => [r.id, r.name]));
  return {
    service: pairs(await tx.service.findMany({ select: { id: true, name: true } })),
    target: pairs(await tx.target.findMany({ select: { id: true, name: true } })),
    webhook: pairs(await tx.notificationWebhook.findMany({ select: { id: true, name: true } })),
    runbook: pairs(await tx.runbook.findMany({ select: { id: true, name: true } })),
  };
}

/** Step parameters with each id replaced by the name it has now (an id nothing has any more stays as it is). */
function withNames(value: unknown, names: Names): unknown {
  if (Array.isArray(value)) return value.map((v) => withNames(v, names));
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => {
    const reference = REFERENCES[key as keyof typeof REFERENCES];
    if (reference && typeof v === 'string') return [reference[0], names[reference[1]].get(v) ?? v];
    return [key, withNames(v, names)];
  }));
}

/** The reverse: each name back to its id; a name nothing has is a problem. */
function withIds(value: unknown, ids: Names, path: string, problems: Problem[]): unknown {
  if (Array.isArray(value)) return value.map((v, i) => withIds(v, ids, `${path}.${i}`, problems));
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => {
    const reference = BY_FILE_KEY.get(key);
    if (!reference || typeof v !== 'string') return [key, withIds(v, ids, `${path}.${key}`, problems)];
    const id = ids[reference.entity].get(v);
    if (!id) problems.push({ path: `${path}.${key}`, message: `No ${reference.entity} is named ${v}.` });
    return [reference.idKey, id ?? ABSENT];
  }));
}

async function readCurrent(tx: Tx) {
  const runbooks = await tx.runbook.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true, version: true, archivedAt: true } });
  const versions = await tx.runbookVersion.findMany({
    where: { OR: runbooks.map((r) => ({ runbookId: r.id, number: r.version })) },
    select: { id: true, runbookId: true, name: true, failureMode: true, summary: true, severities: true, serviceIds: true, targetIds: true },
  });
  const steps = await tx.runbookStep.findMany({ where: { versionId: { in: versions.map((v) => v.id) } }, orderBy: { position: 'asc' } });
  const names = await namesById(tx);
  return runbooks.flatMap((r) => {
    const version = versions.find((v) => v.runbookId === r.id);
    if (!version) return [];
    const entry: RunbookEntry = {
      name: r.name,
      archived: r.archivedAt !== null,
      failureMode: version.failureMode,
      summary: version.summary,
      severities: version.severities,
      services: version.serviceIds.map((id) => names.service.get(id) ?? id),
      targets: version.targetIds.map((id) => names.target.get(id) ?? id),
      steps: steps.filter((s) => s.versionId === version.id).map((s) => ({
        key: s.key, kind: s.kind, title: s.title, body: s.body, lane: s.lane,
        ...(s.expectedMinutes !== null ? { expectedMinutes: s.expectedMinutes } : {}),
        params: withNames(s.params, names) as Record<string, unknown>,
      })),
    };
    return [{ id: r.id, version: r.version, entry }];
  });
}
type Current = Awaited<ReturnType<typeof readCurrent>>;

function parseFile(text: string): { ok: true; file: RunbooksFile } | { ok: false; problems: Problem[] } {
  const doc = parseDocument(text);
  if (doc.errors.length) return { ok: false, problems: doc.errors.map((e) => ({ path: '', message: `YAML syntax: ${e.message.split('\n')[0]}` })) };
  const parsed = fileSchema.safeParse(doc.toJS());
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) };
  return { ok: true, file: parsed.data };
}

/** Ids by name for every entity, the runbooks the file will add counted as existing. */
async function idsByName(tx: Tx, file: RunbooksFile): Promise<Names> {
  const names = await namesById(tx);
  const flip = (m: Map<string, string>) => new Map([...m].map(([id, name]) => [name, id]));
  const ids = { service: flip(names.service), target: flip(names.target), webhook: flip(names.webhook), runbook: flip(names.runbook) };
  for (const r of file.runbooks) if (!ids.runbook.has(r.name)) ids.runbook.set(r.name, `new:${r.name}`);
  return ids;
}

/** The runbook content (as its editor saves it) a file entry stands for; `missing` the names nothing has now, `invalid` what no restore can fix. */
function contentOf(entry: RunbookEntry, ids: Names, path: string) {
  const missing: Problem[] = [];
  const invalid: Problem[] = [];
  const lookup = (entity: 'service' | 'target', names: string[], key: string) => names.map((name, i) => {
    const id = ids[entity].get(name);
    if (!id) missing.push({ path: `${path}.${key}.${i}`, message: `No ${entity} is named ${name}.` });
    return id ?? ABSENT;
  });
  const raw = {
    name: entry.name, failureMode: entry.failureMode, summary: entry.summary, severities: entry.severities,
    serviceIds: lookup('service', entry.services, 'services'), targetIds: lookup('target', entry.targets, 'targets'),
    steps: entry.steps.map((s, i) => ({ ...s, params: withIds(s.params, ids, `${path}.steps.${i}.params`, missing) })),
  };
  const parsed = runbookContent.safeParse(raw);
  if (!parsed.success) for (const issue of parsed.error.issues) invalid.push({ path: `${path}.${issue.path.join('.')}`, message: issue.message });
  return { content: parsed.success && missing.length === 0 ? parsed.data : null, missing, invalid };
}

const canonical = (entry: RunbookEntry) => JSON.stringify({ ...entry, archived: undefined });
const stepsLine = (entry: RunbookEntry) => `${entry.steps.length} step${entry.steps.length === 1 ? '' : 's'}: ${entry.steps.map((s) => s.title).join('; ')}`;
const FIELDS = ['failureMode', 'summary', 'severities', 'services', 'targets'] as const;

function diff(current: Current, file: RunbooksFile): { changes: SectionChange[]; impact: string[] } {
  const byName = new Map(current.map((c) => [c.entry.name, c]));
  const changes: SectionChange[] = [];
  const impact: string[] = [];
  for (const entry of file.runbooks) {
    const now = byName.get(entry.name);
    if (!now) {
      changes.push({ kind: 'create', entity: 'runbook', name: entry.name, changes: [{ field: 'steps', from: null, to: stepsLine(entry) }, ...(entry.archived ? [{ field: 'archived', from: null, to: true }] : [])] });
      impact.push(`Runbook ${entry.name} is added${entry.archived ? ', archived' : ': new incidents of its kind can attach it'}.`);
      continue;
    }
    const fields: SectionChange['changes'] = [];
    for (const field of FIELDS) if (JSON.stringify(now.entry[field]) !== JSON.stringify(entry[field])) fields.push({ field, from: now.entry[field], to: entry[field] });
    if (JSON.stringify(now.entry.steps) !== JSON.stringify(entry.steps)) fields.push({ field: 'steps', from: stepsLine(now.entry), to: stepsLine(entry) });
    if (now.entry.archived !== entry.archived) fields.push({ field: 'archived', from: now.entry.archived, to: entry.archived });
    if (!fields.length) continue;
    changes.push({ kind: 'update', entity: 'runbook', name: entry.name, changes: fields });
    if (canonical(now.entry) !== canonical(entry)) impact.push(`Runbook ${entry.name} gets version ${now.version + 1}; incidents already following it keep the version they started with.`);
    if (now.entry.archived !== entry.archived) impact.push(entry.archived ? `Runbook ${entry.name} is archived: new incidents no longer attach it.` : `Runbook ${entry.name} is back in the library.`);
  }
  const named = new Set(file.runbooks.map((r) => r.name));
  for (const c of current) if (!named.has(c.entry.name)) changes.push({ kind: 'unmanaged', entity: 'runbook', name: c.entry.name, changes: [] });
  return { changes, impact };
}

async function plan(tx: Tx, text: string): Promise<SectionPlan> {
  const parsed = parseFile(text);
  if (!parsed.ok) return parsed;
  const ids = await idsByName(tx, parsed.file);
  const checked = parsed.file.runbooks.map((entry, i) => ({ entry, ...contentOf(entry, ids, `runbooks.${i}`) }));
  const invalid = checked.flatMap((c) => c.invalid);
  if (invalid.length) return { ok: false, problems: invalid };
  const result = diff(await readCurrent(tx), parsed.file);
  // A name may come back with the routing restore, applied first: said here, refused by the restore if it does not.
  for (const c of checked.filter((x) => x.missing.length)) {
    result.impact.push(`Runbook ${c.entry.name} names ${c.missing.map((m) => m.message.replace(/^No (\w+) is named (.*)\.$/, '$1 $2')).join(', ')}, which Standby does not have now: the restore is refused unless the routing it restores brings ${c.missing.length === 1 ? 'it' : 'them'} back.`);
  }
  return { ok: true, ...result };
}

async function apply(tx: Tx, actor: Actor, text: string, note: string): Promise<SectionPlan> {
  const parsed = parseFile(text);
  if (!parsed.ok) return parsed;
  const before = await readCurrent(tx);
  const result = diff(before, parsed.file);
  // The runbooks to add first, so that a decision may attach one the file adds after it.
  for (const entry of parsed.file.runbooks) {
    if (!before.some((c) => c.entry.name === entry.name)) await tx.runbook.create({ data: { name: entry.name, createdBy: actor.email, version: 0 }, select: { id: true } });
  }
  const ids = await idsByName(tx, parsed.file);
  const problems: Problem[] = [];
  for (const [i, entry] of parsed.file.runbooks.entries()) {
    const { content, missing, invalid } = contentOf(entry, ids, `runbooks.${i}`);
    problems.push(...missing, ...invalid);
    if (!content) continue;
    const id = ids.runbook.get(entry.name)!;
    const now = before.find((c) => c.entry.name === entry.name);
    if (!now || canonical(now.entry) !== canonical(entry)) {
      await tx.$queryRaw(Prisma.sql`SELECT id FROM "Runbook" WHERE id = ${id}::uuid FOR UPDATE`);
      await checkReferences(tx, content, id);
      const { version } = await tx.runbook.update({ where: { id }, data: { version: { increment: 1 } }, select: { version: true } });
      await writeVersion(tx, id, version, content, note, actor.email);
    }
    if (!now || now.entry.archived !== entry.archived) await tx.runbook.update({ where: { id }, data: { archivedAt: entry.archived ? new Date() : null } });
  }
  if (problems.length) return { ok: false, problems };
  return { ok: true, ...result };
}

export const runbooksSection = defineConfigSection({
  key: 'runbooks',
  file: 'runbooks.yaml',
  title: 'Runbooks',
  order: 40,
  // Services and targets are named in the file: renaming one changes it.
  follows: ['routing'],
  read: async (tx) => `# Standby runbooks: each runbook's current version, by name; steps run in order within their lane (0 is the main line).\n${stringify({ apiVersion: 'standby/v1', kind: KIND, runbooks: (await readCurrent(tx)).map((c) => c.entry) }, { lineWidth: 0 })}`,
  plan,
  apply: (tx, actor, text) => apply(tx, actor, text, 'Restored from configuration history'),
});
