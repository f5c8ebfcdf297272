// What applying a configuration file would change, field by field. Pure
// (diff.test.ts). Entities are matched by name (regions by code): a rename is a
// delete and a create. Things the file leaves out are deleted only with
// `prune`; otherwise they are left alone and listed as 'unmanaged'.
import type { ConfigDoc } from './schema';

export type ConfigEntity = 'provider' | 'region' | 'target' | 'service';
export type DiffValue = string | number | boolean | null | string[];
export type FieldChange = { field: string; from: DiffValue; to: DiffValue };
export type ConfigChangeKind = 'create' | 'update' | 'delete' | 'unmanaged';
export type ConfigChange = { kind: ConfigChangeKind; entity: ConfigEntity; name: string; changes: FieldChange[] };
export type DiffSummary = Record<ConfigChangeKind, number>;

type Flat = Map<string, DiffValue>;

/**
 * Nested settings as dotted fields (breaker.failureRate); lists stay whole,
 * a list of mappings (degradation.rules) as one JSON line per item.
 */
function flatten(value: unknown, prefix = '', out: Flat = new Map()): Flat {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flatten(inner, prefix ? `${prefix}.${key}` : key, out);
  } else if (Array.isArray(value)) {
    out.set(prefix, value.map((item) => (item !== null && typeof item === 'object' ? JSON.stringify(item) : item)) as DiffValue);
  } else {
    out.set(prefix, (value ?? null) as DiffValue);
  }
  return out;
}

const same = (a: DiffValue, b: DiffValue) => JSON.stringify(a) === JSON.stringify(b);

function fieldChanges(from: Flat, to: Flat): FieldChange[] {
  const fields = [...new Set([...from.keys(), ...to.keys()])];
  return fields.flatMap((field) => {
    const a = from.get(field) ?? null;
    const b = to.get(field) ?? null;
    return same(a, b) ? [] : [{ field, from: a, to: b }];
  });
}

/**
 * A service's fields, with its chain as the ordered list of target names
 * (`chain`) and each entry's settings under `chain[<target>]`, so moving a
 * target reads as one change instead of a change to every position.
 */
function flattenService(service: ConfigDoc['services'][number]): Flat {
  const { chain, ...fields } = service;
  const out = flatten(fields);
  out.set('chain', chain.map((entry) => entry.target));
  for (const { target, ...settings } of chain) flatten(settings, `chain[${target}]`, out);
  return out;
}

type Keyed = { name: string; flat: Flat };

// `key` is the field entities are matched by: a region's `name` is only its label.
const SECTIONS: { entity: ConfigEntity; key: string; keyed: (doc: ConfigDoc) => Keyed[] }[] = [
  { entity: 'provider', key: 'name', keyed: (doc) => doc.providers.map((p) => ({ name: p.name, flat: flatten(p) })) },
  { entity: 'region', key: 'code', keyed: (doc) => doc.regions.map((r) => ({ name: r.code, flat: flatten(r) })) },
  { entity: 'target', key: 'name', keyed: (doc) => doc.targets.map((t) => ({ name: t.name, flat: flatten(t) })) },
  { entity: 'service', key: 'name', keyed: (doc) => doc.services.map((s) => ({ name: s.name, flat: flattenService(s) })) },
];

/**
 * Changes from `current` to `desired`, in dependency order (providers, regions,
 * targets, services) and by name within each. A create lists every field it
 * sets; a delete and an unmanaged entry list none.
 */
export function computeConfigDiff(current: ConfigDoc, desired: ConfigDoc, options: { prune?: boolean } = {}): ConfigChange[] {
  const changes: ConfigChange[] = [];
  for (const { entity, key, keyed } of SECTIONS) {
    const before = new Map(keyed(current).map((item) => [item.name, item.flat]));
    const after = new Map(keyed(desired).map((item) => [item.name, item.flat]));
    const section: ConfigChange[] = [];
    for (const [name, flat] of after) {
      const was = before.get(name);
      if (!was) {
        section.push({ kind: 'create', entity, name, changes: fieldChanges(new Map(), flat).filter((c) => c.field !== key) });
      } else {
        const fields = fieldChanges(was, flat);
        if (fields.length) section.push({ kind: 'update', entity, name, changes: fields });
      }
    }
    for (const name of before.keys()) {
      if (!after.has(name)) section.push({ kind: options.prune ? 'delete' : 'unmanaged', entity, name, changes: [] });
    }
    changes.push(...section.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));
  }
  return changes;
}

export function summarizeDiff(diff: readonly ConfigChange[]): DiffSummary {
  const summary: DiffSummary = { create: 0, update: 0, delete: 0, unmanaged: 0 };
  for (const change of diff) summary[change.kind] += 1;
  return summary;
}

/** Whether applying would write anything ('unmanaged' entries are left alone). */
export const hasChanges = (diff: readonly ConfigChange[]) => diff.some((change) => change.kind !== 'unmanaged');

/** "2 to create, 1 to update, nothing to delete": for the CLI, the API and the audit entry. */
export function describeSummary(summary: DiffSummary): string {
  const part = (count: number, what: string) => (count ? `${count} to ${what}` : null);
  const parts = [part(summary.create, 'create'), part(summary.update, 'update'), part(summary.delete, 'delete')].filter(Boolean);
  const text = parts.length ? parts.join(', ') : 'no changes';
  return summary.unmanaged ? `${text}; ${summary.unmanaged} left alone (not in the file)` : text;
}

/** Whether a service's chain (order or any entry's settings) changed, so its entries must be rewritten. */
export const touchesChain = (change: ConfigChange) => change.changes.some((c) => c.field === 'chain' || c.field.startsWith('chain['));

/** Whether a service's degradation policy changed, so its row must be written. */
export const touchesDegradation = (change: ConfigChange) => change.changes.some((c) => c.field.startsWith('degradation.'));
