import 'server-only';
// Validation and application of a configuration file. An apply is all or
// nothing: the file is checked again inside the transaction, against the
// estate as that transaction sees it, and every change plus one audit entry
// commit together. Concurrent applies queue on an advisory lock; a concurrent
// edit from a form makes the version check fail and the whole apply roll back.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { recordConfigChange } from '@/lib/config-versions/writer';
import { syncComponentsIn } from '@/lib/recovery/components';
import { requirePermission, type Actor, type SessionUser } from '@/lib/server/auth';
import { Prisma, type Tx } from '@/lib/server/db';
import { endpointHostProblem } from '@/lib/server/endpoint-policy';
import { AppError, parseInput } from '@/lib/server/errors';
import { inTransaction } from '@/lib/server/mutation';
import { percentToFraction, reasonSchema } from '@/lib/inventory/schemas';
import { computeConfigDiff, describeSummary, hasChanges, summarizeDiff, touchesChain, touchesDegradation, type ConfigChange, type DiffSummary } from './diff';
import { readEstate, type Estate, type Ref } from './estate';
import { DEFAULT_DEGRADATION, formatPath, type ConfigDoc, type ConfigProblem, type ConfigService } from './schema';
import { defineConfigSection, type SectionChange, type SectionPlan } from '@/lib/config-versions/section';
import { EXPORT_HEADER } from './export';
import { serializeConfig } from './yaml';
import { MAX_CONFIG_BYTES, parseConfigText } from './yaml';

export type ConfigValidation = { ok: false; problems: ConfigProblem[] } | { ok: true; doc: ConfigDoc; diff: ConfigChange[]; fingerprint: string };

export type ConfigApplyResult =
  | { ok: false; problems: ConfigProblem[] }
  | {
      ok: true;
      dryRun: boolean;
      /** False for a dry run, and when the file matches the estate already. */
      applied: boolean;
      diff: ConfigChange[];
      summary: DiffSummary;
      /** Identifies the estate the diff was computed against; pass it back to apply exactly that diff. */
      fingerprint: string;
    };

export const applyConfigInput = z.object({
  yaml: z.string({ error: 'Paste or upload a configuration file.' }).max(MAX_CONFIG_BYTES, 'The file is larger than 2 MB.'),
  dryRun: z.boolean().default(false),
  prune: z.boolean().default(false),
  reason: reasonSchema,
  expectedFingerprint: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});
export type ApplyConfigInput = z.input<typeof applyConfigInput>;

const fingerprintOf = (doc: ConfigDoc) => createHash('sha256').update(JSON.stringify(doc)).digest('hex');

/** Endpoints the file sets (new targets, or a new URL) that the endpoint policy refuses, as the target form would. */
function endpointProblems(estate: Estate, doc: ConfigDoc): ConfigProblem[] {
  const current = new Map(estate.doc.targets.map((t) => [t.name, t.endpointUrl]));
  return doc.targets.flatMap((target, index) => {
    const problem = current.get(target.name) === target.endpointUrl ? null : endpointHostProblem(target.endpointUrl, estate.endpointPolicy);
    return problem ? [{ path: formatPath(['targets', index, 'endpointUrl']), message: problem }] : [];
  });
}

function validateAgainst(estate: Estate, yaml: string, prune: boolean): ConfigValidation {
  const parsed = parseConfigText(yaml, estate.names, { prune });
  if (!parsed.ok) return parsed;
  const refused = endpointProblems(estate, parsed.doc);
  if (refused.length) return { ok: false, problems: refused };
  return { ok: true, doc: parsed.doc, diff: computeConfigDiff(estate.doc, parsed.doc, { prune }), fingerprint: fingerprintOf(estate.doc) };
}

/** Every problem of `yamlText`, or the parsed file and what applying it would change. Reads only. */
export async function validateConfig(yamlText: string, options: { prune?: boolean } = {}): Promise<ConfigValidation> {
  return validateAgainst(await readEstate(), yamlText, options.prune ?? false);
}

export class ConfigProblemsError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super('configuration problems');
  }
}

function assertUpdated(result: { count: number }, entity: string, name: string) {
  if (result.count === 0) {
    throw new AppError('CONFLICT', `The ${entity} ${name} was changed by someone else during the apply. Nothing was applied; validate again and retry.`);
  }
}

async function writeChanges(tx: Tx, estate: Estate, desired: ConfigDoc, diff: ConfigChange[]): Promise<void> {
  const kindOf = new Map(diff.map((change) => [`${change.entity}:${change.name}`, change]));
  const change = (entity: string, name: string) => kindOf.get(`${entity}:${name}`);
  const idsOf = (refs: Map<string, Ref>) => new Map([...refs].map(([name, ref]) => [name, ref.id]));
  const bump = { version: { increment: 1 } } as const;

  const providerIds = idsOf(estate.providers);
  for (const provider of desired.providers) {
    const kind = change('provider', provider.name)?.kind;
    if (kind === 'create') providerIds.set(provider.name, (await tx.provider.create({ data: provider, select: { id: true } })).id);
    if (kind === 'update') {
      const ref = estate.providers.get(provider.name)!;
      assertUpdated(await tx.provider.updateMany({ where: { id: ref.id, version: ref.version }, data: { ...provider, ...bump } }), 'provider', provider.name);
    }
  }

  const regionIds = idsOf(estate.regions);
  for (const region of desired.regions) {
    const kind = change('region', region.code)?.kind;
    if (kind === 'create') regionIds.set(region.code, (await tx.region.create({ data: region, select: { id: true } })).id);
    if (kind === 'update') {
      const ref = estate.regions.get(region.code)!;
      assertUpdated(await tx.region.updateMany({ where: { id: ref.id, version: ref.version }, data: { ...region, ...bump } }), 'region', region.code);
    }
  }

  const targetIds = idsOf(estate.targets);
  for (const target of desired.targets) {
    const kind = change('target', target.name)?.kind;
    if (kind !== 'create' && kind !== 'update') continue;
    const data = {
      name: target.name,
      providerId: providerIds.get(target.provider)!,
      regionId: regionIds.get(target.region)!,
      model: target.model,
      endpointUrl: target.endpointUrl,
      credentialId: target.credential ? estate.credentials.get(target.credential)!.id : null,
      rpm: target.rpm,
      tpm: target.tpm,
      contextWindow: target.contextWindow,
      priceInPerMTok: target.price.inPerMTok,
      priceOutPerMTok: target.price.outPerMTok,
      qualityClass: target.qualityClass,
      enabled: target.enabled,
      breakerFailureRate: target.breaker.failureRate,
      breakerMinimumRequests: target.breaker.minimumRequests,
      breakerWindowMs: target.breaker.windowMs,
      breakerOpenMs: target.breaker.openMs,
      breakerHalfOpenSuccesses: target.breaker.halfOpenSuccesses,
      breakerConsecutiveFailures: target.breaker.consecutiveFailures,
      probeIntervalMs: target.probeIntervalMs,
      declaredAvailability: target.declaredAvailability === null ? null : percentToFraction(target.declaredAvailability),
    };
    if (kind === 'create') targetIds.set(target.name, (await tx.target.create({ data, select: { id: true } })).id);
    else {
      const ref = estate.targets.get(target.name)!;
      assertUpdated(await tx.target.updateMany({ where: { id: ref.id, version: ref.version }, data: { ...data, ...bump } }), 'target', target.name);
    }
  }

  for (const { chain, slo, degradation, conversations, ...fields } of desired.services) {
    const serviceChange = change('service', fields.name);
    if (!serviceChange) continue;
    const rewriteChain = serviceChange.kind === 'create' || touchesChain(serviceChange);
    const service = {
      ...fields, sloTarget: percentToFraction(slo.target), sloWindowDays: slo.windowDays, conversationStore: conversations.store, conversationRetentionDays: conversations.retentionDays,
    };
    let serviceId: string;
    if (serviceChange.kind === 'create') {
      serviceId = (await tx.service.create({ data: service, select: { id: true } })).id;
    } else {
      const ref = estate.services.get(service.name)!;
      serviceId = ref.id;
      // A new chain is a routing change, like the chain editor's: steering based on the old one is refused.
      const data = { ...service, ...bump, ...(rewriteChain ? { routingVersion: { increment: 1 } } : {}) };
      assertUpdated(await tx.service.updateMany({ where: { id: ref.id, version: ref.version }, data }), 'service', service.name);
    }
    // A service on the defaults keeps having no policy row, as when created from a form.
    const writePolicy = serviceChange.kind === 'create' ? JSON.stringify(degradation) !== JSON.stringify(DEFAULT_DEGRADATION) : touchesDegradation(serviceChange);
    if (writePolicy) {
      // As the policy form does: the row is created with its defaults, then updated against the version read (1 for none).
      await tx.degradationPolicy.createMany({ data: [{ serviceId }], skipDuplicates: true });
      const expected = serviceChange.kind === 'create' ? 1 : (estate.policyVersions.get(fields.name) ?? 1);
      assertUpdated(
        await tx.degradationPolicy.updateMany({ where: { serviceId, version: expected }, data: { ...policyData(degradation, targetIds), ...bump } }),
        'degradation policy of service',
        fields.name,
      );
    }
    // A chain is replaced whole, as the chain editor does (positions from 1).
    if (rewriteChain) {
      await tx.chainEntry.deleteMany({ where: { serviceId } });
      await tx.chainEntry.createMany({
        data: chain.map((entry, index) => ({
          serviceId,
          targetId: targetIds.get(entry.target)!,
          position: index + 1,
          failoverOn: entry.failoverOn,
          latencyLimitMs: entry.latencyLimitMs,
          maxRetries: entry.retries.max,
          baseBackoffMs: entry.retries.baseBackoffMs,
          maxBackoffMs: entry.retries.maxBackoffMs,
          connectTimeoutMs: entry.timeouts.connectMs,
          headerTimeoutMs: entry.timeouts.headerMs,
          firstTokenTimeoutMs: entry.timeouts.firstTokenMs,
          streamIdleTimeoutMs: entry.timeouts.streamIdleMs,
          totalTimeoutMs: entry.timeouts.totalMs,
          adaptiveLimitMultiplier: entry.adaptiveLimits.multiplier,
          adaptiveLimitFloorMs: entry.adaptiveLimits.floorMs,
        })),
      });
    }
  }

  // Deletes (prune only) last and in reverse dependency order: services take
  // their chains with them, so the targets are free to go, then regions and providers.
  const deletes = (entity: ConfigChange['entity']) => diff.filter((c) => c.kind === 'delete' && c.entity === entity).map((c) => c.name);
  for (const name of deletes('service')) {
    const ref = estate.services.get(name)!;
    assertUpdated(await tx.service.deleteMany({ where: { id: ref.id, version: ref.version } }), 'service', name);
  }
  for (const name of deletes('target')) {
    const ref = estate.targets.get(name)!;
    assertUpdated(await tx.target.deleteMany({ where: { id: ref.id, version: ref.version } }), 'target', name);
  }
  for (const name of deletes('region')) {
    const ref = estate.regions.get(name)!;
    assertUpdated(await tx.region.deleteMany({ where: { id: ref.id, version: ref.version } }), 'region', name);
  }
  for (const name of deletes('provider')) {
    const ref = estate.providers.get(name)!;
    assertUpdated(await tx.provider.deleteMany({ where: { id: ref.id, version: ref.version } }), 'provider', name);
  }
}

/** A DegradationPolicy row's columns from the file's `degradation`, the degraded target by id. */
function policyData(degradation: ConfigService['degradation'], targetIds: Map<string, string>) {
  const { thresholds, degradedTarget, rules, ...rest } = degradation;
  return { ...rest, ...thresholds, degradedTargetId: degradedTarget ? targetIds.get(degradedTarget)! : null, rules: rules as Prisma.InputJsonValue };
}

export type AppliedInTransaction = { doc: ConfigDoc; diff: ConfigChange[]; summary: DiffSummary; applied: boolean; fingerprint: string };

/**
 * Makes the routing estate match `yaml` inside the caller's transaction (no
 * audit: the caller records its own), after the file is checked against the
 * estate as that transaction sees it. Problems throw ConfigProblemsError.
 */
export async function applyConfigIn(tx: Tx, yaml: string, options: { prune: boolean; expectedFingerprint?: string }): Promise<AppliedInTransaction> {
  await tx.$queryRaw`SELECT 1 FROM pg_advisory_xact_lock(hashtext('standby.config.apply'))`;
  const estate = await readEstate(tx);
  const result = validateAgainst(estate, yaml, options.prune);
  if (!result.ok) throw new ConfigProblemsError(result.problems);
  if (options.expectedFingerprint && options.expectedFingerprint !== result.fingerprint) {
    throw new AppError('CONFLICT', 'The routing configuration changed after this file was validated. Nothing was applied: validate again to see the current differences.');
  }
  const applied = hasChanges(result.diff);
  if (applied) await writeChanges(tx, estate, result.doc, result.diff);
  return { doc: result.doc, diff: result.diff, summary: summarizeDiff(result.diff), applied, fingerprint: result.fingerprint };
}

/** What would change, computed inside the caller's transaction. */
export async function planConfigIn(tx: Tx, yaml: string, options: { prune: boolean }): Promise<ConfigValidation> {
  return validateAgainst(await readEstate(tx), yaml, options.prune);
}

/** Translates a name created meanwhile (a unique violation) into the conflict it is. */
export function nameTakenMeanwhile(error: unknown): never {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
    throw new AppError('CONFLICT', 'Something with one of these names was created while the file was being applied. Nothing was applied: validate again and retry.');
  }
  throw error;
}

/** Applies as `actor`, who must be allowed to (or be Standby itself, for the command line). */
export async function applyConfigAs(actor: Actor, input: unknown): Promise<ConfigApplyResult> {
  const { yaml, dryRun, prune, reason, expectedFingerprint } = parseInput(applyConfigInput, input);
  if (dryRun) {
    const result = await validateConfig(yaml, { prune });
    return result.ok ? { ok: true, dryRun, applied: false, diff: result.diff, summary: summarizeDiff(result.diff), fingerprint: result.fingerprint } : result;
  }
  try {
    return await inTransaction(async (tx) => {
      const result = await applyConfigIn(tx, yaml, { prune, expectedFingerprint });
      if (result.applied) {
        // Services and targets the file adds or deletes get (or retire) their recovery components in the apply
        // itself (and the objectives' version of it), not a minute later in the leader's sync, as a restore does.
        await syncComponentsIn(tx);
        await recordConfigChange(tx, actor, routingSection, {
          action: 'config.apply',
          entityType: 'config',
          entityName: 'routing',
          after: { summary: describeSummary(result.summary), prune, changes: result.diff.filter((c) => c.kind !== 'unmanaged') },
          reason,
          summary: `routing file applied: ${describeSummary(result.summary)}`,
        });
      }
      return { ok: true as const, dryRun, applied: result.applied, diff: result.diff, summary: result.summary, fingerprint: result.fingerprint };
    });
  } catch (error) {
    if (error instanceof ConfigProblemsError) return { ok: false, problems: error.problems };
    return nameTakenMeanwhile(error);
  }
}

export async function applyConfig(caller: SessionUser | null, input: unknown): Promise<ConfigApplyResult> {
  requirePermission(caller, 'settings.write');
  return applyConfigAs(caller, input);
}

// ---------------------------------------------------------------- configuration history

const asSectionChanges = (diff: readonly ConfigChange[]): SectionChange[] => diff.filter((c) => c.kind !== 'unmanaged').map((c) => ({ ...c }));

/** Services whose first target changes, and what is created or deleted, in the words a preview shows. */
function routingImpact(current: ConfigDoc, diff: readonly ConfigChange[], desired: ConfigDoc): string[] {
  const impact: string[] = [];
  const before = new Map(current.services.map((s) => [s.name, s]));
  for (const change of diff) {
    if (change.entity === 'service' && change.kind === 'delete') impact.push(`Service ${change.name} is deleted: its callers get 404 model_not_found.`);
    if (change.entity === 'target' && change.kind === 'delete') impact.push(`Target ${change.name} is deleted.`);
    if (change.entity === 'service' && change.kind === 'create') impact.push(`Service ${change.name} is created.`);
    if (change.entity === 'service' && change.kind === 'update' && touchesChain(change)) {
      const was = before.get(change.name)?.chain.map((e) => e.target) ?? [];
      const now = desired.services.find((s) => s.name === change.name)?.chain.map((e) => e.target) ?? [];
      impact.push(was[0] === now[0] ? `${change.name}'s chain becomes ${now.join(' → ') || '(empty)'}; its first target stays ${now[0] ?? 'none'}.` : `${change.name}'s traffic moves from ${was[0] ?? 'nothing'} to ${now[0] ?? 'nothing'} (chain ${now.join(' → ') || 'empty'}).`);
    }
    if (change.entity === 'service' && change.kind === 'update' && touchesDegradation(change)) impact.push(`${change.name}'s degradation policy changes.`);
  }
  return impact;
}

async function planRouting(tx: Tx, text: string): Promise<SectionPlan> {
  const estate = await readEstate(tx);
  const result = validateAgainst(estate, text, true);
  if (!result.ok) return { ok: false, problems: result.problems };
  return { ok: true, changes: asSectionChanges(result.diff), impact: routingImpact(estate.doc, result.diff, result.doc) };
}

/**
 * Routing (providers, regions, credentials by name, targets, services with
 * their chains and degradation policies) as the export writes it. A version
 * is the whole file, so restoring one prunes what was created since.
 */
export const routingSection = defineConfigSection({
  key: 'routing',
  file: 'routing.yaml',
  title: 'Routing',
  order: 20,
  read: async (tx) => serializeConfig((await readEstate(tx)).doc, EXPORT_HEADER),
  plan: planRouting,
  apply: async (tx, _actor, text) => {
    const plan = await planRouting(tx, text);
    if (!plan.ok) return plan;
    await applyConfigIn(tx, text, { prune: true });
    return plan;
  },
});
