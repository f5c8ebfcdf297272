import 'server-only';
// The demo estate's recovery history: components outside Standby, a few
// objectives changed from the defaults (with their reasons), about a hundred
// days of disruption episodes as the detector would have recorded them, and
// the evidence the demo's backup jobs would have reported. Loaded once, the
// first time the demo estate is seeded (it is history: re-running the seed
// never adds to it). Every figure is illustrative and says so in its source.
import { randomUUID } from 'node:crypto';
import { recordAudit } from '@/lib/audit/record';
import { SYSTEM_ACTOR } from '@/lib/server/auth';
import { db, type Prisma, type Tx } from '@/lib/server/db';
import { addComponent, syncComponentsIn } from '@/lib/recovery/components';
import type { EpisodeDetails, MilestoneCause } from '@/lib/recovery/detector';
import { DAY, HOUR, MINUTE, SECOND, routingComponentName, servingComponentName, type DisruptionKind } from '@/lib/recovery/model';
import { measuredRtoMs, rtoParts } from '@/lib/recovery/rto-parts';

const SOURCE = 'demo-seed';

const EXTERNAL = [
  { name: 'conversation history', kind: 'conversation_history', description: 'Conversations of support-bot and code-assistant, in the application database (PostgreSQL with a replica in us-west and WAL archiving).' },
  { name: 'user preferences', kind: 'external', description: 'Per-user settings of the help centre: a PostgreSQL replica in us-west and continuous WAL archiving.' },
  { name: 'vector index', kind: 'external', description: 'Help-centre articles embedded for retrieval; rebuilt nightly from the document store.' },
  { name: 'fine-tuning pipeline', kind: 'external', description: 'Checkpoints of the support-bot fine-tunes, backed up weekly to object storage.' },
] as const;

/** Deterministic, so every fresh demo shows the same history. */
function random(seed: number) {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Ids = { component: (name: string) => string; service: (name: string) => string; target: (name: string) => string };

type EpisodeSpec = {
  component: string;
  kind: 'service' | 'target';
  subject: string;
  disruption: DisruptionKind;
  startedAt: number;
  /** Offsets from the start (ms); null: not reached. */
  detect: number | null;
  assess?: number | null;
  activate: number | null;
  restore: number;
  failed: number;
  total: number;
  opened: string;
  failingTargets: string[];
  errorClasses: Record<string, number>;
  detectedBy: MilestoneCause | null;
  assessedBy?: MilestoneCause | null;
  activatedBy: MilestoneCause | null;
};

function episodeRow(spec: EpisodeSpec, ids: Ids, componentKind: 'service_routing' | 'model_serving'): Prisma.DisruptionEpisodeCreateManyInput {
  const at = (offset: number | null | undefined) => (offset === null || offset === undefined ? null : spec.startedAt + offset);
  const milestones = { startedAt: spec.startedAt, detectedAt: at(spec.detect), assessedAt: at(spec.assess), activatedAt: at(spec.activate), restoredAt: at(spec.restore) };
  const failing = spec.failingTargets.map(ids.target);
  const details: EpisodeDetails = {
    opened: spec.opened, triggers: [spec.opened], failingTargets: failing, errorClasses: spec.errorClasses,
    detectedBy: spec.detectedBy, assessedBy: spec.assessedBy ?? null, activatedBy: spec.activatedBy,
    restoredBy: { kind: 'recovered', targetIds: failing, tierFull: spec.opened === 'tier', overrideEnded: spec.opened === 'override' },
  };
  const date = (ms: number | null) => (ms === null ? null : new Date(ms));
  return {
    id: randomUUID(), componentId: ids.component(spec.component), disruption: spec.disruption, source: 'traffic', status: 'recovered',
    serviceId: spec.kind === 'service' ? ids.service(spec.subject) : null, targetId: spec.kind === 'target' ? ids.target(spec.subject) : null,
    startedAt: new Date(spec.startedAt), detectedAt: date(milestones.detectedAt), assessedAt: date(milestones.assessedAt), activatedAt: date(milestones.activatedAt), restoredAt: date(milestones.restoredAt),
    failedRequests: spec.failed, totalRequests: spec.total, ...rtoParts(milestones), rtoMs: measuredRtoMs(componentKind, milestones), details: details as unknown as Prisma.InputJsonValue,
    updatedAt: date(milestones.restoredAt)!,
  };
}

/**
 * A provider's trouble as the detector records it: the target's own episode
 * (serving: until it answered again) and one for each service it was the
 * primary of (routing: until callers got answers from the fallback).
 */
function outage(
  o: {
    target: string;
    /** Others of the same failure domain that failed with it (the service's earlier chain steps). */
    alsoFailing?: string[];
    services: { name: string; fallback: string; activateMs: number; failed?: number; assess?: { at: number; actor: string; reason: string } }[];
    disruption: DisruptionKind; startedAt: number; detectMs: number; restoreMs: number; errorClass: string; failedAttempts: number;
  },
  ids: Ids,
): Prisma.DisruptionEpisodeCreateManyInput[] {
  const breaker: MilestoneCause = { kind: 'breaker', targetId: ids.target(o.target), cause: `5 failures in a row (threshold 5)` };
  const first = o.services[0];
  const rows = [
    episodeRow(
      {
        // Without a fallback, callers were answered again only when the target itself came back.
        component: servingComponentName(o.target), kind: 'target', subject: o.target, disruption: o.disruption, startedAt: o.startedAt, detect: o.detectMs, activate: first?.activateMs ?? o.restoreMs, restore: o.restoreMs,
        failed: o.failedAttempts, total: o.failedAttempts + Math.round(o.restoreMs / 15_000) + 3, opened: 'breaker', failingTargets: [o.target], errorClasses: { [o.errorClass]: o.failedAttempts },
        detectedBy: breaker, activatedBy: first ? { kind: 'answer', targetId: ids.target(first.fallback), servedBy: 'upstream' } : null,
      },
      ids,
      'model_serving',
    ),
  ];
  for (const s of o.services) {
    const requests = Math.round((o.restoreMs / 1000) * 2);
    rows.push(
      episodeRow(
        {
          component: routingComponentName(s.name), kind: 'service', subject: s.name, disruption: o.disruption, startedAt: o.startedAt, detect: o.detectMs,
          assess: s.assess?.at ?? null, activate: s.activateMs, restore: o.restoreMs + 400, failed: s.failed ?? 0, total: requests, opened: s.failed ? 'errors' : 'breaker',
          failingTargets: [...(o.alsoFailing ?? []), o.target], errorClasses: { [o.errorClass]: Math.min(o.failedAttempts, 12) + (s.failed ?? 0) },
          detectedBy: breaker, assessedBy: s.assess ? { kind: 'operator', action: 'force_failover', actor: s.assess.actor, reason: s.assess.reason } : null,
          activatedBy: s.assess && s.assess.at <= s.activateMs ? { kind: 'operator', action: 'force_failover', actor: s.assess.actor, reason: s.assess.reason } : { kind: 'answer', targetId: ids.target(s.fallback), servedBy: 'upstream' },
        },
        ids,
        'service_routing',
      ),
    );
  }
  return rows;
}

function episodes(now: number, ids: Ids): Prisma.DisruptionEpisodeCreateManyInput[] {
  const ago = (days: number, hour = 10) => now - days * DAY + (hour - 10) * HOUR;
  return [
    // OpenAI's us-east endpoint, support-bot's primary: three outages the fallback absorbed, one that ran long.
    ...outage({ target: 'openai-gpt-4o-us-east', services: [{ name: 'support-bot', fallback: 'azure-gpt-4o-eu-west', activateMs: 420 }], disruption: 'provider_outage', startedAt: ago(96, 14), detectMs: 610, restoreMs: 3 * MINUTE + 12 * SECOND, errorClass: 'server_error', failedAttempts: 41 }, ids),
    ...outage({ target: 'openai-gpt-4o-us-east', services: [{ name: 'support-bot', fallback: 'azure-gpt-4o-eu-west', activateMs: 380 }], disruption: 'provider_outage', startedAt: ago(61, 9), detectMs: 540, restoreMs: 7 * MINUTE + 5 * SECOND, errorClass: 'server_error', failedAttempts: 88 }, ids),
    ...outage({ target: 'openai-gpt-4o-us-east', services: [{ name: 'support-bot', fallback: 'azure-gpt-4o-eu-west', activateMs: 350 }], disruption: 'capacity_loss', startedAt: ago(27, 16), detectMs: 900, restoreMs: 2 * MINUTE + 40 * SECOND, errorClass: 'rate_limited', failedAttempts: 36 }, ids),
    // OpenAI and Azure OpenAI share a fate: both failed, callers waited until an operator forced support-bot to Anthropic.
    ...outage(
      {
        target: 'azure-gpt-4o-eu-west',
        alsoFailing: ['openai-gpt-4o-us-east'],
        services: [{ name: 'support-bot', fallback: 'anthropic-sonnet-us-west', activateMs: 41 * SECOND, failed: 74, assess: { at: 38 * SECOND, actor: 'operator@standby.demo', reason: 'OpenAI and Azure both failing: move support-bot to Anthropic' } }],
        disruption: 'provider_outage', startedAt: ago(44, 11), detectMs: 2_300, restoreMs: 4 * MINUTE + 30 * SECOND, errorClass: 'header_timeout', failedAttempts: 63,
      },
      ids,
    ),
    // Anthropic rate-limited code-assistant twice; the fallback answered within a second.
    ...outage({ target: 'anthropic-sonnet-us-west', services: [{ name: 'code-assistant', fallback: 'openai-gpt-4o-us-east', activateMs: 610 }], disruption: 'capacity_loss', startedAt: ago(73, 15), detectMs: 1_100, restoreMs: 95 * SECOND, errorClass: 'rate_limited', failedAttempts: 28 }, ids),
    ...outage({ target: 'anthropic-sonnet-us-west', services: [{ name: 'code-assistant', fallback: 'openai-gpt-4o-us-east', activateMs: 540 }], disruption: 'capacity_loss', startedAt: ago(12, 10), detectMs: 980, restoreMs: 70 * SECOND, errorClass: 'overloaded', failedAttempts: 22 }, ids),
    // Gemini's us-east region went dark for doc-summarizer (Google's other regions answered).
    ...outage({ target: 'gemini-flash-us-east', services: [{ name: 'doc-summarizer', fallback: 'openai-gpt-4o-mini-us-east', activateMs: 1_900, failed: 6 }], disruption: 'regional_outage', startedAt: ago(52, 3), detectMs: 1_400, restoreMs: 4 * MINUTE + 10 * SECOND, errorClass: 'connect_failed', failedAttempts: 35 }, ids),
    // A GPU node of the on-prem cluster failed.
    ...outage({ target: 'vllm-llama-70b-on-prem', services: [], disruption: 'provider_outage', startedAt: ago(33, 22), detectMs: 15 * SECOND, restoreMs: 3 * MINUTE + 45 * SECOND, errorClass: 'connect_failed', failedAttempts: 9 }, ids),
    // A quality regression: an operator moved support-bot off gpt-4o for an afternoon.
    episodeRow(
      {
        component: routingComponentName('support-bot'), kind: 'service', subject: 'support-bot', disruption: 'model_retirement', startedAt: ago(19, 13), detect: 0, assess: 0, activate: 0, restore: 3 * HOUR + 20 * MINUTE,
        failed: 0, total: 24_000, opened: 'override', failingTargets: [], errorClasses: {},
        detectedBy: { kind: 'operator', action: 'force_failover', actor: 'operator@standby.demo', reason: 'gpt-4o answers in the wrong language since the 2024-11-20 snapshot' },
        assessedBy: { kind: 'operator', action: 'force_failover', actor: 'operator@standby.demo', reason: 'gpt-4o answers in the wrong language since the 2024-11-20 snapshot' },
        activatedBy: { kind: 'operator', action: 'force_failover', actor: 'operator@standby.demo', reason: 'gpt-4o answers in the wrong language since the 2024-11-20 snapshot' },
      },
      ids,
      'service_routing',
    ),
    // code-assistant's chain lost capacity during a drain and dropped to Degraded for six minutes.
    episodeRow(
      {
        component: routingComponentName('code-assistant'), kind: 'service', subject: 'code-assistant', disruption: 'capacity_loss', startedAt: ago(6, 15), detect: 0, activate: 450, restore: 6 * MINUTE,
        failed: 0, total: 3_100, opened: 'tier', failingTargets: [], errorClasses: {},
        detectedBy: { kind: 'tier', tier: 'degraded', actor: 'standby' }, activatedBy: { kind: 'answer', targetId: ids.target('anthropic-haiku-us-west'), servedBy: 'upstream' },
      },
      ids,
      'service_routing',
    ),
  ];
}

type EvidenceRow = Prisma.RecoveryEvidenceCreateManyInput;

/** Reports every `everyMs` from `from` to `to`, as a job would have sent them. */
function series(componentId: string, from: number, to: number, everyMs: number, make: (at: number, i: number) => Partial<EvidenceRow> & Pick<EvidenceRow, 'kind'>): EvidenceRow[] {
  const rows: EvidenceRow[] = [];
  for (let at = from, i = 0; at <= to; at += everyMs, i += 1) rows.push({ componentId, observedAt: new Date(at), receivedAt: new Date(at + 2_000), source: SOURCE, ok: true, values: {}, ...make(at, i) });
  return rows;
}

function evidence(now: number, ids: Ids): EvidenceRow[] {
  const rand = random(12);
  const from = now - 100 * DAY;
  const lag = (id: string, kind: 'replica_lag' | 'backup', everyMs: number, typicalMs: number) =>
    series(id, from, now - 4 * MINUTE, everyMs, (at) => {
      const lagMs = Math.round(typicalMs * (0.4 + rand() * 1.2));
      return { kind, copyAt: new Date(at - lagMs), continuous: true, rpoMs: lagMs, values: { lagMs } };
    });
  const daily = (id: string, kind: 'backup' | 'config_export', hour: number, sizeBytes: number, until = now) => {
    const first = Math.floor(from / DAY) * DAY + hour * HOUR;
    return series(id, first, until, DAY, (at, i) => ({ kind, copyAt: new Date(at - 20 * MINUTE), rpoMs: i === 0 ? null : DAY, values: { newestCopyAt: new Date(at - 20 * MINUTE).toISOString(), sizeBytes } }));
  };
  const restore = (id: string, at: number, restoreMs: number, sizeBytes: number, detail: string): EvidenceRow => ({
    componentId: id, kind: 'restore_test', observedAt: new Date(at), receivedAt: new Date(at + 2_000), ok: true, restoreMs, disruption: 'data_loss', source: SOURCE, values: { restoreMs, sizeBytes, detail },
  });
  const conversations = ids.component('conversation history');
  const preferences = ids.component('user preferences');
  const vectors = ids.component('vector index');
  const finetune = ids.component('fine-tuning pipeline');
  const config = ids.component('Standby configuration');
  return [
    ...lag(conversations, 'replica_lag', 30 * MINUTE, 1_500),
    ...lag(conversations, 'backup', 30 * MINUTE, 25 * SECOND),
    restore(conversations, now - 41 * DAY, 3 * MINUTE + 20 * SECOND, 38e9, 'Restored the nightly base backup and replayed WAL to a point in time on a scratch host.'),
    ...lag(preferences, 'replica_lag', HOUR, 900),
    ...lag(preferences, 'backup', HOUR, 40 * SECOND),
    restore(preferences, now - 67 * DAY, 6 * MINUTE, 4e9, 'Point-in-time restore to a scratch instance.'),
    ...daily(vectors, 'backup', 3, 12e9),
    restore(vectors, now - 22 * DAY, 11 * MINUTE, 12e9, 'Rebuilt from the nightly snapshot.'),
    // The checkpoint backup job stopped reporting 25 days ago: "no evidence", not compliant.
    ...series(finetune, from, now - 25 * DAY, 7 * DAY, (at, i) => ({ kind: 'backup', copyAt: new Date(at - HOUR), rpoMs: i === 0 ? null : 7 * DAY, values: { newestCopyAt: new Date(at - HOUR).toISOString(), sizeBytes: 140e9 } })),
    ...lag(config, 'backup', HOUR, 30 * SECOND),
    ...daily(config, 'config_export', 1, 180_000),
    restore(config, now - 30 * DAY, 45 * SECOND, 180_000, 'npm run standby -- config apply of the nightly export on a scratch Standby.'),
    // Model artifacts' copies and restore tests come from the backups demo (prisma/seed-backups.ts), through the backup jobs' own path.
  ];
}

async function changeObjective(tx: Tx, componentId: string, disruption: DisruptionKind, rtoMs: number, rpoMs: number, reason: string, by: string, at: number) {
  const objective = await tx.recoveryObjective.findUniqueOrThrow({ where: { componentId_disruption: { componentId, disruption } }, select: { id: true, version: true } });
  const version = objective.version + 1;
  await tx.recoveryObjective.update({ where: { id: objective.id }, data: { rtoMs, rpoMs, reason, updatedBy: by, updatedAt: new Date(at), version } });
  await tx.recoveryObjectiveVersion.create({ data: { objectiveId: objective.id, version, rtoMs, rpoMs, reason, changedBy: by, changedAt: new Date(at) } });
}

/** Rows per createMany: well under PostgreSQL's 32,767 parameters of one statement at some twenty columns a row. */
const ROWS_PER_STATEMENT = 1_000;

function batches<T>(rows: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** Loads the demo's recovery history once; returns false when it was already there. */
export async function seedRecoveryDemo(now = Date.now()): Promise<boolean> {
  // All or nothing, like the rest of the seed, but with room: some twenty thousand rows on a machine that may be busy.
  return db().$transaction(async (tx) => {
    const created = new Date(now - 120 * DAY);
    await syncComponentsIn(tx, created);
    if ((await tx.recoveryComponent.count({ where: { name: { in: EXTERNAL.map((e) => e.name) } } })) > 0) return false;
    for (const e of EXTERNAL) await addComponent(tx, e, SYSTEM_ACTOR, created);
    // Components made just now by the sync get the history's start as their creation, so the periods they cover include it.
    await tx.recoveryComponent.updateMany({ where: { createdAt: { gt: created } }, data: { createdAt: created } });
    await tx.recoveryObjectiveVersion.updateMany({ where: { changedAt: { gt: created } }, data: { changedAt: created } });
    await tx.recoveryObjective.updateMany({ where: { updatedAt: { gt: created } }, data: { updatedAt: created, createdAt: created } });

    const components = await tx.recoveryComponent.findMany({ select: { id: true, name: true } });
    const services = await tx.service.findMany({ select: { id: true, name: true } });
    const targets = await tx.target.findMany({ select: { id: true, name: true } });
    const lookup = (rows: { id: string; name: string }[], what: string) => (name: string) => rows.find((r) => r.name === name)?.id ?? (() => { throw new Error(`demo ${what} ${name} is missing`); })();
    const ids: Ids = { component: lookup(components, 'component'), service: lookup(services, 'service'), target: lookup(targets, 'target') };

    // Objectives a manager changed from the defaults, with their reasons.
    await changeObjective(tx, ids.component(routingComponentName('doc-summarizer')), 'provider_outage', 2 * MINUTE, 0, 'Batch summaries: callers retry, two minutes without answers costs nothing.', 'admin@standby.demo', now - 80 * DAY);
    await changeObjective(tx, ids.component(routingComponentName('doc-summarizer')), 'regional_outage', 2 * MINUTE, 0, 'Batch summaries: callers retry, two minutes without answers costs nothing.', 'admin@standby.demo', now - 80 * DAY);
    await changeObjective(tx, ids.component('vector index'), 'data_loss', HOUR, 36 * HOUR, 'Rebuilt nightly from the document store (36 h allows for one late run): anything newer is re-indexed from its source.', 'admin@standby.demo', now - 90 * DAY);
    await changeObjective(tx, ids.component('vector index'), 'regional_outage', HOUR, 36 * HOUR, 'Rebuilt nightly from the document store (36 h allows for one late run): anything newer is re-indexed from its source.', 'admin@standby.demo', now - 90 * DAY);
    await changeObjective(tx, ids.component('fine-tuning pipeline'), 'data_loss', 4 * HOUR, 8 * DAY, 'Checkpoints are backed up weekly (8 days allows for one late run); a lost week of fine-tuning is re-run from the dataset.', 'admin@standby.demo', now - 90 * DAY);
    await changeObjective(tx, ids.component('fine-tuning pipeline'), 'regional_outage', 4 * HOUR, 8 * DAY, 'Checkpoints are backed up weekly (8 days allows for one late run); a lost week of fine-tuning is re-run from the dataset.', 'admin@standby.demo', now - 90 * DAY);

    // In batches that are one statement each: Prisma splits a larger createMany into statements it
    // runs at once, which a transaction (one connection) cannot take (pg warns, and will refuse).
    for (const batch of batches(episodes(now, ids), ROWS_PER_STATEMENT)) await tx.disruptionEpisode.createMany({ data: batch });
    for (const batch of batches(evidence(now, ids), ROWS_PER_STATEMENT)) await tx.recoveryEvidence.createMany({ data: batch });
    await recordAudit(tx, SYSTEM_ACTOR, { action: 'demo.seed_recovery', entityType: 'estate', entityName: 'demo recovery history', reason: 'demo recovery history loaded (illustrative figures, source demo-seed)' });
    return true;
  }, { isolationLevel: 'ReadCommitted', timeout: 120_000, maxWait: 10_000 });
}
