import 'server-only';
// The demo estate's model backups and configuration history, loaded once
// (it is history: re-running the seed never adds to it). Copies and restore
// tests go through the same functions backup jobs reach through the API, so
// the recovery grid's evidence is what a real job would leave. Illustrative
// figures: the sizes are those of the real models, the checksums are made up.
//
// - vllm-llama-8b-on-prem: daily copies in eu-west, restorable, restores in
//   about 2 min against a 5 min RTO;
// - vllm-llama-70b-on-prem: daily copies in eu-west, restorable, but 141 GB
//   over the 1 Gbit/s link restores in about 21 min against 5: the page names
//   the fixes;
// - support-ft-mistral-7b, a fine-tune registered by hand: its newest copy
//   lacks the tokenizer, and the copy before it is of an older version;
// - bge-reranker-v2: restorable in us-east, serving us-west.
import { createHash } from 'node:crypto';
import { routingSection } from '@/lib/config/apply';
import { EXPORT_HEADER } from '@/lib/config/export';
import type { ConfigDoc } from '@/lib/config/schema';
import { readEstate } from '@/lib/config/estate';
import { serializeConfig } from '@/lib/config/yaml';
import { recordCopy, recordDeployed, recordRestoreTest, syncModelsIn } from '@/lib/backups/mutations';
import type { Manifest, ManifestFile } from '@/lib/backups/parts';
import { configuredRepository } from '@/lib/config-history/git';
import { publishPendingVersions } from '@/lib/config-history/publish';
import { sha256 } from '@/lib/config-versions/writer';
import { objectivesSection } from '@/lib/recovery/config-section';
import { settingsSection } from '@/lib/settings/config-section';
import { db, type Tx } from '@/lib/server/db';
import { inTransaction } from '@/lib/server/mutation';

const SOURCE = 'demo-backup-job';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const GB = 1e9;

const fakeSha = (seed: string) => createHash('sha256').update(seed).digest('hex');

/** A Hugging Face folder's manifest: `shards` weight files of the given total size, and the small files every model has. */
function hfManifest(name: string, totalBytes: number, shards: number, extra: ManifestFile[] = [], without: string[] = []): Manifest {
  const pad = (n: number) => String(n).padStart(5, '0');
  const shardNames = Array.from({ length: shards }, (_, i) => `model-${pad(i + 1)}-of-${pad(shards)}.safetensors`);
  const files: ManifestFile[] = [
    ...shardNames.map((path, i) => ({ path, sha256: fakeSha(`${name}/${path}`), sizeBytes: Math.round(totalBytes / shards) + i })),
    { path: 'model.safetensors.index.json', sha256: fakeSha(`${name}/index`), sizeBytes: 23_950 + shards * 110 },
    { path: 'config.json', sha256: fakeSha(`${name}/config`), sizeBytes: 855 },
    { path: 'generation_config.json', sha256: fakeSha(`${name}/generation`), sizeBytes: 184 },
    { path: 'tokenizer.json', sha256: fakeSha(`${name}/tokenizer`), sizeBytes: 17_209_920 },
    { path: 'tokenizer_config.json', sha256: fakeSha(`${name}/tokenizer_config`), sizeBytes: 55_351 },
    { path: 'special_tokens_map.json', sha256: fakeSha(`${name}/special`), sizeBytes: 296 },
    { path: 'README.md', sha256: fakeSha(`${name}/readme`), sizeBytes: 41_000 },
    ...extra,
  ].filter((f) => !without.includes(f.path));
  return { files: files.sort((a, b) => a.path.localeCompare(b.path)), chatTemplate: 'tokenizer_config.json', shardIndex: { file: 'model.safetensors.index.json', shards: shardNames } };
}

const SYSTEM_PROMPT: ManifestFile = { path: 'prompts/support-system.txt', sha256: fakeSha('support-system-v3'), sizeBytes: 2_310 };

async function seedModels(now: number) {
  await inTransaction((tx) => syncModelsIn(tx));
  const region = (code: string) => db().region.findUnique({ where: { code }, select: { code: true } });
  if (!(await region('eu-west')) || !(await region('on-prem'))) return;

  await db().modelArtifact.upsert({
    where: { name: 'support-ft-mistral-7b' },
    create: { name: 'support-ft-mistral-7b', servingRegion: 'on-prem', description: 'Support fine-tune of Mistral 7B, staged for the next support-bot release', loadMs: 45_000 },
    update: {},
  });
  await db().modelArtifact.upsert({
    where: { name: 'bge-reranker-v2' },
    create: { name: 'bge-reranker-v2', servingRegion: 'us-west', description: 'Reranker of the help-centre retrieval', scheduleHours: 168 },
    update: {},
  });
  await db().backupLink.createMany({
    data: [
      { fromRegion: 'eu-west', toRegion: 'on-prem', bitsPerSecond: 1e9, note: 'site-to-site VPN to the object storage', updatedBy: 'admin@standby.demo' },
      { fromRegion: 'us-east', toRegion: 'us-west', bitsPerSecond: 10e9, note: 'cloud backbone', updatedBy: 'admin@standby.demo' },
    ],
    skipDuplicates: true,
  });

  const models = [
    { name: 'vllm-llama-8b-on-prem', manifest: hfManifest('llama-8b', 16.07 * GB, 4, [SYSTEM_PROMPT]), region: 'eu-west', bucket: 'llama-8b' },
    { name: 'vllm-llama-70b-on-prem', manifest: hfManifest('llama-70b', 141.1 * GB, 30, [SYSTEM_PROMPT]), region: 'eu-west', bucket: 'llama-70b' },
    { name: 'bge-reranker-v2', manifest: hfManifest('bge', 2.27 * GB, 1), region: 'us-east', bucket: 'bge-reranker' },
  ];
  for (const m of models) {
    await recordDeployed('backup scan on gpu-node-1', { model: m.name, manifest: m.manifest, observedAt: new Date(now - 20 * DAY).toISOString() }, now);
    for (let day = 6; day >= 0; day -= 1) {
      const takenAt = now - day * DAY - 5 * HOUR;
      await recordCopy(SOURCE, { model: m.name, location: `s3://acme-model-backups/${m.bucket}/${new Date(takenAt).toISOString().slice(0, 10)}`, region: m.region, takenAt: new Date(takenAt).toISOString(), manifest: m.manifest }, takenAt + 20 * 60_000);
    }
  }
  const copyOf = (model: string) => db().backupCopy.findFirstOrThrow({ where: { model: { name: model } }, orderBy: { takenAt: 'desc' }, select: { id: true } });
  await recordRestoreTest(SOURCE, { model: 'vllm-llama-8b-on-prem', copyId: (await copyOf('vllm-llama-8b-on-prem')).id, observedAt: new Date(now - 15 * DAY).toISOString(), transferMs: 131_000, loadMs: 38_000, detail: 'Restored to a spare GPU node from object storage over the VPN.' }, now);
  await recordRestoreTest(SOURCE, { model: 'vllm-llama-70b-on-prem', copyId: (await copyOf('vllm-llama-70b-on-prem')).id, observedAt: new Date(now - 15 * DAY).toISOString(), transferMs: 1_132_000, loadMs: 98_000, detail: 'Weights, tokenizer, config and prompt templates from object storage over 1 Gbit/s.' }, now);

  // The fine-tune: a version deployed three days ago, copied once before (the old version) and once after, without its tokenizer.
  const ftOld = hfManifest('mistral-ft-v1', 14.5 * GB, 3);
  const ftNew = hfManifest('mistral-ft-v2', 14.5 * GB, 3);
  await recordDeployed('backup scan on gpu-node-2', { model: 'support-ft-mistral-7b', manifest: ftNew, observedAt: new Date(now - 3 * DAY).toISOString() }, now);
  await recordCopy(SOURCE, { model: 'support-ft-mistral-7b', location: 's3://acme-model-backups/support-ft/2026-v1', region: 'eu-west', takenAt: new Date(now - 9 * DAY).toISOString(), manifest: ftOld }, now - 9 * DAY);
  const broken = hfManifest('mistral-ft-v2', 14.5 * GB, 3, [], ['tokenizer.json']);
  await recordCopy(SOURCE, { model: 'support-ft-mistral-7b', location: 's3://acme-model-backups/support-ft/2026-v2', region: 'eu-west', takenAt: new Date(now - 2 * DAY - 6 * HOUR).toISOString(), manifest: broken }, now - 2 * DAY);
}

/**
 * A fortnight of configuration history ending in the estate as it is: a
 * baseline, doc-summarizer's chain reordered, support-bot's Degraded answers
 * shortened, and its conversation store turned on. Each version's file is the
 * real file of that moment (the current estate with the later changes undone).
 */
async function seedConfigHistory(now: number) {
  // Read on the pool, not in a transaction: Prisma loads a query's relations in parallel, which one connection cannot take
  // (pg warns). Nothing else writes while the demo is seeded.
  const client = db() as unknown as Tx;
  const settings = await settingsSection.read(client);
  const routing = await routingSection.read(client);
  const objectives = await objectivesSection.read(client);
  // The estate as the routing section writes it, with every field (a parsed file leaves defaults out).
  const current = (await readEstate(client)).doc;
  const variant = (change: (doc: ConfigDoc) => void) => {
    const doc = structuredClone(current);
    change(doc);
    return serializeConfig(doc, EXPORT_HEADER);
  };
  const service = (doc: ConfigDoc, name: string) => doc.services.find((s) => s.name === name);
  const conversationsOff = (doc: ConfigDoc) => {
    const s = service(doc, 'support-bot');
    if (s) s.conversations = { ...s.conversations, store: false };
  };
  const longerDegraded = (doc: ConfigDoc) => {
    const s = service(doc, 'support-bot');
    if (s) s.degradation = { ...s.degradation, degradedMaxTokens: 512 };
  };
  const oldSummarizerChain = (doc: ConfigDoc) => {
    const s = service(doc, 'doc-summarizer');
    const at = s?.chain.findIndex((e) => e.target === 'vllm-llama-8b-on-prem') ?? -1;
    if (s && at > 0) s.chain.splice(1, 0, ...s.chain.splice(at, 1));
  };
  const versions = [
    { section: 'settings', content: settings, at: now - 14 * DAY, action: 'config.baseline', summary: 'the configuration as it was when history began', actor: ['system', 'system'], reason: null },
    { section: 'routing', content: variant((d) => (oldSummarizerChain(d), longerDegraded(d), conversationsOff(d))), at: now - 14 * DAY, action: 'config.baseline', summary: 'the configuration as it was when history began', actor: ['system', 'system'], reason: null },
    { section: 'objectives', content: objectives, at: now - 14 * DAY, action: 'config.baseline', summary: 'the configuration as it was when history began', actor: ['system', 'system'], reason: null },
    { section: 'routing', content: variant((d) => (longerDegraded(d), conversationsOff(d))), at: now - 9 * DAY - 3 * HOUR, action: 'service.chain_update', summary: 'service doc-summarizer: chain changed', actor: ['operator@standby.demo', 'operator'], reason: 'vLLM 8B queues behind the nightly batch: gpt-4o-mini and Haiku answer first, the GPU pool is the last resort' },
    { section: 'routing', content: variant(conversationsOff), at: now - 5 * DAY - 6 * HOUR, action: 'degradation.policy_update', summary: 'service support-bot: degradation policy changed', actor: ['admin@standby.demo', 'admin'], reason: 'Degraded answers on gpt-4o-mini ran past the help widget\'s limit: cap them at 256 tokens' },
    { section: 'routing', content: routing, at: now - 1 * DAY - 2 * HOUR, action: 'service.conversation_store', summary: 'service support-bot: conversation store on, kept 30 days', actor: ['admin@standby.demo', 'admin'], reason: 'Support sessions must resume with their history after a provider failover (INC-2291)' },
  ];
  await db().configVersion.createMany({
    data: versions.map((v, i) => ({
      number: i + 1, section: v.section, content: v.content, sha256: sha256(v.content), action: v.action, summary: v.summary,
      actorEmail: v.actor[0], actorRole: v.actor[1], reason: v.reason, createdAt: new Date(v.at),
    })),
  });
  // Into the repository now, each commit dated at its change; illustrative: as if the writer had committed each within a second of it.
  const published = await publishPendingVersions(configuredRepository()).catch(() => null);
  if (published && !published.error) {
    await db().$executeRaw`UPDATE "ConfigVersion" SET "gitAt" = "createdAt" + interval '1 millisecond' * (300 + (number * 137) % 600) WHERE number <= ${versions.length}`;
  }
}

/** Loads both once; returns false when they were already there. */
export async function seedBackupsDemo(now = Date.now()): Promise<boolean> {
  if ((await db().backupCopy.count()) > 0 || (await db().configVersion.count()) > 0) return false;
  await seedModels(now);
  await seedConfigHistory(now);
  return true;
}
