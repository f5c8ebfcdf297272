// The contract a domain fulfils to be part of configuration history: one
// section of the estate, written as one file of the git repository. A domain
// joins with one definition (defineConfigSection) listed once in
// lib/config-history/sections.ts; its mutations then write their audit entry
// through recordConfigChange (writer.ts) instead of recordAudit, which also
// writes the new version of its section in the same transaction.
//
// This folder sits below every domain that changes configuration (docs/
// architecture.md): the routing section is read by lib/config, which itself
// builds on inventory, failover and degradation, so those domains name it by
// its key and the section is found here, registered when lib/config/apply.ts
// is loaded (every process loads lib/config-history/sections.ts at start:
// instrumentation.ts, scripts/standby.ts, prisma/seed.ts, test/fixtures.ts).
import type { Actor } from '@/lib/server/auth';
import type { Tx } from '@/lib/server/db';

export type SectionChangeKind = 'create' | 'update' | 'delete' | 'unmanaged';

/** One thing a section's file would change: an entity created, changed (field by field) or deleted. */
export type SectionChange = {
  kind: SectionChangeKind;
  entity: string;
  name: string;
  changes: { field: string; from: unknown; to: unknown }[];
};

export type SectionPlan =
  | { ok: true; changes: SectionChange[]; /** What the change does to traffic and people, in plain words. */ impact: string[] }
  | { ok: false; problems: { path: string; message: string; line?: number }[] };

export type ConfigSection = {
  /** Stable key, stored with each version: 'routing'. */
  key: string;
  /** The file in the repository: 'routing.yaml'. */
  file: string;
  title: string;
  /** Sections are applied in this order (a routing file names the settings' networks; objectives name routing's services). */
  order: number;
  /** The section as it is now, as its file: deterministic, so an unchanged estate reads byte for byte the same. */
  read(tx: Tx): Promise<string>;
  /** What making the estate match `text` would change; reads only. */
  plan(tx: Tx, text: string): Promise<SectionPlan>;
  /** Makes the estate match `text` (the caller audits and versions); problems leave it unchanged. */
  apply(tx: Tx, actor: Actor, text: string): Promise<SectionPlan>;
  /** Sections whose entities this one names (runbooks name routing's services): a version of those writes this one too when its file changed. */
  follows?: readonly string[];
};

/**
 * One registry per process, not per copy of this module. Next.js loads a module once per layer of its server
 * (instrumentation, pages, server actions), so a Map of the module's own would hold only the sections imported
 * in that layer: a server action could run in a layer where lib/config-history/sections.ts was never imported,
 * and refuse the change. instrumentation.ts imports the sections once at start, into this process-wide Map.
 */
const REGISTRY = Symbol.for('standby.config-sections');
const registered: Map<string, ConfigSection> = ((globalThis as Record<symbol, Map<string, ConfigSection> | undefined>)[REGISTRY] ??= new Map());

/** Defines a section and makes it known to the writer by its key. */
export function defineConfigSection(section: ConfigSection): ConfigSection {
  registered.set(section.key, section);
  return section;
}

/** The sections that name `key`'s entities, so that its changes (a service renamed) change their files too. */
export function sectionsFollowing(key: string): ConfigSection[] {
  return [...registered.values()].filter((s) => s.follows?.includes(key));
}

/** The section a key names; a process that never loaded it fails loudly rather than skip a version. */
export function registeredSection(key: string): ConfigSection {
  const section = registered.get(key);
  if (!section) throw new Error(`Configuration section '${key}' is not loaded in this process: import lib/config-history/sections.ts at start-up.`);
  return section;
}
