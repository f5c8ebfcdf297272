// The contract a domain fulfils to be part of configuration history: one
// section of the estate, written as one file of the git repository. A domain
// joins with one definition (defineConfigSection) listed once in sections.ts;
// its mutations then write their audit entry through recordConfigChange
// (writer.ts) instead of recordAudit, which also writes the new version of its
// section in the same transaction. Types only: safe everywhere.
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
};

export const defineConfigSection = (section: ConfigSection): ConfigSection => section;
