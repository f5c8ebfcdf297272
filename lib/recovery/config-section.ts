import 'server-only';
// Recovery objectives in configuration history: every active component with
// its objectives (RTO, RPO and the reason for each), as one file. Applied
// after routing, whose services and targets the routing and serving
// components follow. A restore sets the file's objectives (each change a new
// objective version, so reports still judge the past by what was then in
// force), adds the components outside Standby the file has, and leaves alone
// what the file does not name.
import { parseDocument, stringify } from 'yaml';
import { z } from 'zod';
import { defineConfigSection, type SectionChange, type SectionPlan } from '@/lib/config-versions/section';
import { writeConfigVersion } from '@/lib/config-versions/writer';
import { SYSTEM_ACTOR } from '@/lib/server/auth';
import type { Tx } from '@/lib/server/db';
import { inTransaction } from '@/lib/server/mutation';
import { addComponent, syncComponentsIn } from './components';
import { formatSpan } from './format';
import { COMPONENT_KINDS, DISRUPTIONS } from './model';

const KIND = 'RecoveryObjectives';

const objectiveSchema = z.object({
  disruption: z.enum(DISRUPTIONS),
  rtoMs: z.number().min(1).max(400 * 86_400_000),
  rpoMs: z.number().min(0).max(400 * 86_400_000),
  reason: z.string().trim().min(1).max(500),
}).strict();

const componentSchema = z.object({
  name: z.string().trim().min(1).max(200),
  kind: z.enum(COMPONENT_KINDS),
  service: z.string().nullish(),
  target: z.string().nullish(),
  description: z.string().max(500).default(''),
  objectives: z.array(objectiveSchema).default([]),
}).strict();

const fileSchema = z.object({ apiVersion: z.literal('standby/v1'), kind: z.literal(KIND), components: z.array(componentSchema).default([]) }).strict();
type ObjectivesFile = z.output<typeof fileSchema>;

type Current = Awaited<ReturnType<typeof readCurrent>>;

/** One query at a time, one relation each: Prisma loads a query's relations in parallel, which a transaction's one connection cannot take. */
async function readCurrent(tx: Tx) {
  const components = await tx.recoveryComponent.findMany({
    where: { retiredAt: null },
    orderBy: { name: 'asc' },
    select: { id: true, name: true, kind: true, description: true, serviceId: true, targetId: true },
  });
  const services = new Map((await tx.service.findMany({ select: { id: true, name: true } })).map((r) => [r.id, r.name]));
  const targets = new Map((await tx.target.findMany({ select: { id: true, name: true } })).map((r) => [r.id, r.name]));
  const objectives = await tx.recoveryObjective.findMany({
    where: { componentId: { in: components.map((c) => c.id) } },
    orderBy: { disruption: 'asc' },
    select: { componentId: true, id: true, disruption: true, rtoMs: true, rpoMs: true, reason: true, version: true },
  });
  return components.map((c) => ({
    ...c,
    service: c.serviceId ? { name: services.get(c.serviceId) ?? c.serviceId } : null,
    target: c.targetId ? { name: targets.get(c.targetId) ?? c.targetId } : null,
    objectives: objectives.filter((o) => o.componentId === c.id),
  }));
}

function toFile(components: Current): ObjectivesFile {
  return {
    apiVersion: 'standby/v1',
    kind: KIND,
    components: components.map((c) => ({
      name: c.name,
      kind: c.kind,
      ...(c.service ? { service: c.service.name } : {}),
      ...(c.target ? { target: c.target.name } : {}),
      description: c.description,
      objectives: c.objectives.map((o) => ({ disruption: o.disruption, rtoMs: o.rtoMs, rpoMs: o.rpoMs, reason: o.reason })),
    })),
  };
}

function parseFile(text: string): { ok: true; file: ObjectivesFile } | { ok: false; problems: { path: string; message: string }[] } {
  const doc = parseDocument(text);
  if (doc.errors.length) return { ok: false, problems: doc.errors.map((e) => ({ path: '', message: `YAML syntax: ${e.message.split('\n')[0]}` })) };
  const parsed = fileSchema.safeParse(doc.toJS());
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) };
  return { ok: true, file: parsed.data };
}

const describe = (o: { rtoMs: number; rpoMs: number }) => `RTO ${formatSpan(o.rtoMs)}, RPO ${formatSpan(o.rpoMs)}`;

function diff(current: Current, file: ObjectivesFile): { changes: SectionChange[]; impact: string[] } {
  const byName = new Map(current.map((c) => [c.name, c]));
  const changes: SectionChange[] = [];
  const impact: string[] = [];
  for (const component of file.components) {
    const now = byName.get(component.name);
    if (!now) {
      const follows = component.kind === 'service_routing' || component.kind === 'model_serving';
      changes.push({ kind: 'create', entity: 'component', name: component.name, changes: component.objectives.map((o) => ({ field: o.disruption, from: null, to: describe(o) })) });
      if (follows) impact.push(`${component.name} follows ${component.service ?? component.target}: its objectives are set once the routing restore has created it.`);
      continue;
    }
    const fields: SectionChange['changes'] = [];
    if (component.description !== now.description && now.kind !== 'service_routing' && now.kind !== 'model_serving') fields.push({ field: 'description', from: now.description, to: component.description });
    for (const o of component.objectives) {
      const was = now.objectives.find((x) => x.disruption === o.disruption);
      if (!was || was.rtoMs !== o.rtoMs || was.rpoMs !== o.rpoMs || was.reason !== o.reason) fields.push({ field: o.disruption, from: was ? describe(was) : null, to: describe(o) });
    }
    if (fields.length) changes.push({ kind: 'update', entity: 'component', name: component.name, changes: fields });
  }
  const named = new Set(file.components.map((c) => c.name));
  for (const c of current) if (!named.has(c.name) && c.kind !== 'service_routing' && c.kind !== 'model_serving') changes.push({ kind: 'unmanaged', entity: 'component', name: c.name, changes: [] });
  return { changes, impact };
}

async function plan(tx: Tx, text: string): Promise<SectionPlan> {
  const parsed = parseFile(text);
  if (!parsed.ok) return parsed;
  return { ok: true, ...diff(await readCurrent(tx), parsed.file) };
}

export const objectivesSection = defineConfigSection({
  key: 'objectives',
  file: 'objectives.yaml',
  title: 'Recovery objectives',
  order: 30,
  // Components name their service or target, and follow the inventory: a routing change can change the file.
  follows: ['routing'],
  read: async (tx) => `# Standby recovery objectives: RTO and RPO (milliseconds) per component and kind of disruption, with the reason for each.\n${stringify(toFile(await readCurrent(tx)), { lineWidth: 0 })}`,
  plan,
  apply: async (tx, actor, text) => {
    const parsed = parseFile(text);
    if (!parsed.ok) return parsed;
    // Routing was applied first: its services and targets get their components (with default objectives) here.
    await syncComponentsIn(tx);
    let current = await readCurrent(tx);
    const result = diff(current, parsed.file);
    const now = new Date();
    for (const component of parsed.file.components) {
      if (!current.some((c) => c.name === component.name)) {
        if (component.kind === 'service_routing' || component.kind === 'model_serving') continue;
        await addComponent(tx, { name: component.name, kind: component.kind, description: component.description }, actor, now);
      } else if (component.kind !== 'service_routing' && component.kind !== 'model_serving') {
        await tx.recoveryComponent.updateMany({ where: { name: component.name, description: { not: component.description } }, data: { description: component.description, version: { increment: 1 } } });
      }
    }
    current = await readCurrent(tx);
    for (const component of parsed.file.components) {
      const now_ = current.find((c) => c.name === component.name);
      if (!now_) continue;
      for (const o of component.objectives) {
        const was = now_.objectives.find((x) => x.disruption === o.disruption);
        if (was && was.rtoMs === o.rtoMs && was.rpoMs === o.rpoMs && was.reason === o.reason) continue;
        const objective = was
          ? await tx.recoveryObjective.update({ where: { id: was.id }, data: { rtoMs: o.rtoMs, rpoMs: o.rpoMs, reason: o.reason, updatedBy: actor.email, updatedAt: now, version: { increment: 1 } }, select: { id: true, version: true } })
          : await tx.recoveryObjective.create({ data: { componentId: now_.id, disruption: o.disruption, rtoMs: o.rtoMs, rpoMs: o.rpoMs, reason: o.reason, updatedBy: actor.email, updatedAt: now, createdAt: now }, select: { id: true, version: true } });
        await tx.recoveryObjectiveVersion.create({ data: { objectiveId: objective.id, version: objective.version, rtoMs: o.rtoMs, rpoMs: o.rpoMs, reason: o.reason, changedBy: actor.email, changedAt: now } });
      }
    }
    return { ok: true, ...result };
  },
});

/** The components' sync (leader loop) with the objectives' new version when it added or retired any. */
export function syncComponentsWithHistory(now = new Date()) {
  return inTransaction(async (tx) => {
    const result = await syncComponentsIn(tx, now);
    if (result.created.length || result.retired.length) {
      const parts = [result.created.length ? `added ${result.created.join(', ')}` : '', result.retired.length ? `retired ${result.retired.join(', ')}` : ''].filter(Boolean);
      await writeConfigVersion(tx, SYSTEM_ACTOR, objectivesSection, { action: 'recovery.components_sync', summary: `components follow the inventory: ${parts.join('; ')}` });
    }
    return result;
  });
}
