import 'server-only';
// Validation and application of a configuration file. An apply is all or
// nothing: the file is checked again inside the transaction, against the
// estate as that transaction sees it, and every change plus one audit entry
// commit together. Concurrent applies queue on an advisory lock; a concurrent
// edit from a form makes the version check fail and the whole apply roll back.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { recordAudit } from '@/lib/audit/record';
import { requirePermission, type Actor, type SessionUser } from '@/lib/server/auth';
import { Prisma, type Tx } from '@/lib/server/db';
import { endpointHostProblem } from '@/lib/server/endpoint-policy';
import { AppError, parseInput } from '@/lib/server/errors';
import { inTransaction } from '@/lib/server/mutation';
import { percentToFraction, reasonSchema } from '@/lib/inventory/schemas';
import { computeConfigDiff, describeSummary, hasChanges, summarizeDiff, touchesChain, touchesDegradation, type ConfigChange, type DiffSummary } from './diff';
import { readEstate, type Estate, type Ref } from './estate';
import { DEFAULT_DEGRADATION, formatPath, type ConfigDoc, type ConfigProblem, type ConfigService } from './schema';
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

class ProblemsFound extends Error {
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

  for (const { chain, slo, degradation, ...fields } of desired.services) {
    const serviceChange = change('service', fields.name);
    if (!serviceChange) continue;
    const rewriteChain = serviceChange.kind === 'create' || touchesChain(serviceChange);
    const service = { ...fields, sloTarget: percentToFraction(slo.target), sloWindowDays: slo.windowDays };
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

/** Applies as `actor`, who must be allowed to (or be Standby itself, for the command line). */
export async function applyConfigAs(actor: Actor, input: unknown): Promise<ConfigApplyResult> {
  const { yaml, dryRun, prune, reason, expectedFingerprint } = parseInput(applyConfigInput, input);
  if (dryRun) {
    const result = await validateConfig(yaml, { prune });
    return result.ok ? { ok: true, dryRun, applied: false, diff: result.diff, summary: summarizeDiff(result.diff), fingerprint: result.fingerprint } : result;
  }
  try {
    return await inTransaction(async (tx) => {
      await tx.$queryRaw`SELECT 1 FROM pg_advisory_xact_lock(hashtext('standby.config.apply'))`;
      const estate = await readEstate(tx);
      const result = validateAgainst(estate, yaml, prune);
      if (!result.ok) throw new ProblemsFound(result.problems);
      if (expectedFingerprint && expectedFingerprint !== result.fingerprint) {
        throw new AppError('CONFLICT', 'The routing configuration changed after this file was validated. Nothing was applied: validate again to see the current differences.');
      }
      const summary = summarizeDiff(result.diff);
      const applied = hasChanges(result.diff);
      if (applied) {
        await writeChanges(tx, estate, result.doc, result.diff);
        await recordAudit(tx, actor, {
          action: 'config.apply',
          entityType: 'config',
          entityName: 'routing',
          after: { summary: describeSummary(summary), prune, changes: result.diff.filter((c) => c.kind !== 'unmanaged') },
          reason,
        });
      }
      return { ok: true as const, dryRun, applied, diff: result.diff, summary, fingerprint: result.fingerprint };
    });
  } catch (error) {
    if (error instanceof ProblemsFound) return { ok: false, problems: error.problems };
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      throw new AppError('CONFLICT', 'Something with one of these names was created while the file was being applied. Nothing was applied: validate again and retry.');
    }
    throw error;
  }
}

export async function applyConfig(caller: SessionUser | null, input: unknown): Promise<ConfigApplyResult> {
  requirePermission(caller, 'settings.write');
  return applyConfigAs(caller, input);
}
