import 'server-only';
// Admin → Settings in configuration history: the networks targets may point
// at. Applied before routing, whose endpoints it allows.
import { parseDocument, stringify } from 'yaml';
import { defineConfigSection, type SectionPlan } from '@/lib/config-versions/section';
import type { Tx } from '@/lib/server/db';
import { PRIVATE_NETWORKS_SETTING, readPrivateNetworks } from '@/lib/server/endpoint-policy';
import { privateNetworksInput } from './schemas';

const KIND = 'Settings';

async function readNetworks(tx: Tx): Promise<string[]> {
  const row = await tx.setting.findUnique({ where: { key: PRIVATE_NETWORKS_SETTING }, select: { value: true } });
  return readPrivateNetworks(row?.value);
}

function parseSettings(text: string): { ok: true; networks: string[] } | { ok: false; problems: { path: string; message: string }[] } {
  const doc = parseDocument(text);
  if (doc.errors.length) return { ok: false, problems: doc.errors.map((e) => ({ path: '', message: `YAML syntax: ${e.message.split('\n')[0]}` })) };
  const raw = doc.toJS() as { apiVersion?: unknown; kind?: unknown; privateNetworks?: unknown } | null;
  if (!raw || raw.kind !== KIND) return { ok: false, problems: [{ path: 'kind', message: `Write kind: ${KIND}.` }] };
  const list = Array.isArray(raw.privateNetworks) ? raw.privateNetworks.map(String) : [];
  const parsed = privateNetworksInput.safeParse({ networks: list.join('\n'), reason: 'configuration history' });
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => ({ path: 'privateNetworks', message: i.message })) };
  return { ok: true, networks: parsed.data.networks };
}

async function plan(tx: Tx, text: string): Promise<SectionPlan> {
  const parsed = parseSettings(text);
  if (!parsed.ok) return parsed;
  const current = await readNetworks(tx);
  if (JSON.stringify(current) === JSON.stringify(parsed.networks)) return { ok: true, changes: [], impact: [] };
  const removed = current.filter((n) => !parsed.networks.includes(n));
  return {
    ok: true,
    changes: [{ kind: 'update', entity: 'setting', name: 'Private endpoint networks', changes: [{ field: 'privateNetworks', from: current, to: parsed.networks }] }],
    impact: removed.length ? [`Targets in ${removed.join(', ')} can no longer be reached by the gateway or the probes.`] : [],
  };
}

export const settingsSection = defineConfigSection({
  key: 'settings',
  file: 'settings.yaml',
  title: 'Settings',
  order: 10,
  read: async (tx) =>
    `# Standby settings: the non-public networks targets may point at (Admin → Settings).\n${stringify({ apiVersion: 'standby/v1', kind: KIND, privateNetworks: await readNetworks(tx) })}`,
  plan,
  apply: async (tx, _actor, text) => {
    const result = await plan(tx, text);
    if (!result.ok || result.changes.length === 0) return result;
    const { networks } = parseSettings(text) as { ok: true; networks: string[] };
    await tx.setting.upsert({ where: { key: PRIVATE_NETWORKS_SETTING }, create: { key: PRIVATE_NETWORKS_SETTING, value: { networks } }, update: { value: { networks } } });
    return result;
  },
});
