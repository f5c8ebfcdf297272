import 'server-only';
// The routing configuration as it is in the database, in the file's shape, with
// the ids and versions an apply needs. Reads through a transaction client when
// given one, so an apply compares against what it is about to change.
import { fractionToPercent } from '@/lib/inventory/schemas';
import { db, type Tx } from '@/lib/server/db';
import { endpointPolicyOf, PRIVATE_NETWORKS_SETTING, readPrivateNetworks, type EndpointPolicy } from '@/lib/server/endpoint-policy';
import { DEFAULT_DEGRADATION, sortErrorClasses, type ConfigDoc, type ConfigService } from './schema';
import type { EstateNames } from './check';

export type Ref = { id: string; version: number };

export type Estate = {
  doc: ConfigDoc;
  names: EstateNames;
  providers: Map<string, Ref>;
  regions: Map<string, Ref>;
  targets: Map<string, Ref>;
  services: Map<string, Ref>;
  /** DegradationPolicy.version by service name: 1 for a service still on the defaults (no row), as the policy form counts. */
  policyVersions: Map<string, number>;
  credentials: Map<string, { id: string; provider: string }>;
  /** Admin → Settings: the non-public networks endpoints may point at (lib/server/endpoint-policy.ts). */
  endpointPolicy: EndpointPolicy;
};

export async function readEstate(client: Tx = db()): Promise<Estate> {
  // One query at a time, each without more than one relation: inside a transaction they share one connection, and
  // Prisma loads a query's relations in parallel (pg warns of overlapping queries, and will refuse them). Names are
  // joined here from the rows already read.
  const providers = await client.provider.findMany({ orderBy: { name: 'asc' }, select: { id: true, version: true, name: true, kind: true, apiStyle: true, baseUrl: true, failureDomain: true, notes: true, enabled: true } });
  const regions = await client.region.findMany({ orderBy: { code: 'asc' }, select: { id: true, version: true, code: true, name: true, location: true, enabled: true } });
  const credentialRows = await client.credential.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true, providerId: true } });
  const targetRows = await client.target.findMany({
    orderBy: { name: 'asc' },
    select: {
      id: true, version: true, name: true, model: true, endpointUrl: true, rpm: true, tpm: true, contextWindow: true, priceInPerMTok: true, priceOutPerMTok: true,
      qualityClass: true, enabled: true, breakerFailureRate: true, breakerMinimumRequests: true, breakerWindowMs: true, breakerOpenMs: true,
      breakerHalfOpenSuccesses: true, breakerConsecutiveFailures: true, probeIntervalMs: true, declaredAvailability: true,
      providerId: true, regionId: true, credentialId: true,
    },
  });
  const privateNetworks = await client.setting.findUnique({ where: { key: PRIVATE_NETWORKS_SETTING }, select: { value: true } });
  const serviceRows = await client.service.findMany({
    orderBy: { name: 'asc' },
    select: { id: true, version: true, name: true, description: true, owner: true, enabled: true, sloTarget: true, sloWindowDays: true, conversationStore: true, conversationRetentionDays: true },
  });
  const policyRows = await client.degradationPolicy.findMany();
  const chainRows = await client.chainEntry.findMany({ orderBy: [{ serviceId: 'asc' }, { position: 'asc' }] });

  const providerName = new Map(providers.map((p) => [p.id, p.name]));
  const regionCode = new Map(regions.map((r) => [r.id, r.code]));
  const credentialName = new Map(credentialRows.map((c) => [c.id, c.name]));
  const targetName = new Map(targetRows.map((t) => [t.id, t.name]));
  const named = (map: Map<string, string>, id: string) => map.get(id) ?? id;
  const credentials = credentialRows.map((c) => ({ ...c, provider: { name: named(providerName, c.providerId) } }));
  const targets = targetRows.map((t) => ({
    ...t, provider: { name: named(providerName, t.providerId) }, region: { code: named(regionCode, t.regionId) },
    credential: t.credentialId ? { name: named(credentialName, t.credentialId) } : null,
  }));
  const policyOf = new Map(policyRows.map((p) => [p.serviceId, { ...p, degradedTarget: p.degradedTargetId ? { name: named(targetName, p.degradedTargetId) } : null }]));
  const chainOf = new Map<string, (typeof chainRows[number] & { target: { name: string } })[]>();
  for (const entry of chainRows) chainOf.set(entry.serviceId, [...(chainOf.get(entry.serviceId) ?? []), { ...entry, target: { name: named(targetName, entry.targetId) } }]);
  const services = serviceRows.map((s) => ({ ...s, degradationPolicy: policyOf.get(s.id) ?? null, chain: chainOf.get(s.id) ?? [] }));

  // Field order follows the file's (lib/config/schema.ts), so an export reads like a hand-written file.
  const doc: ConfigDoc = {
    apiVersion: 'standby/v1',
    kind: 'RoutingConfig',
    providers: providers.map((p) => ({ name: p.name, kind: p.kind, apiStyle: p.apiStyle, baseUrl: p.baseUrl, failureDomain: p.failureDomain, notes: p.notes, enabled: p.enabled })),
    regions: regions.map((r) => ({ code: r.code, name: r.name, location: r.location, enabled: r.enabled })),
    credentials: credentials.map((c) => ({ name: c.name, provider: c.provider.name })),
    targets: targets.map((t) => ({
      name: t.name,
      provider: t.provider.name,
      region: t.region.code,
      model: t.model,
      endpointUrl: t.endpointUrl,
      credential: t.credential?.name ?? null,
      rpm: t.rpm,
      tpm: t.tpm,
      contextWindow: t.contextWindow,
      price: { inPerMTok: t.priceInPerMTok.toNumber(), outPerMTok: t.priceOutPerMTok.toNumber() },
      qualityClass: t.qualityClass,
      enabled: t.enabled,
      breaker: {
        failureRate: t.breakerFailureRate,
        minimumRequests: t.breakerMinimumRequests,
        windowMs: t.breakerWindowMs,
        openMs: t.breakerOpenMs,
        halfOpenSuccesses: t.breakerHalfOpenSuccesses,
        consecutiveFailures: t.breakerConsecutiveFailures,
      },
      probeIntervalMs: t.probeIntervalMs,
      declaredAvailability: t.declaredAvailability === null ? null : fractionToPercent(t.declaredAvailability),
    })),
    services: services.map((s) => ({
      name: s.name,
      description: s.description,
      owner: s.owner,
      enabled: s.enabled,
      slo: { target: fractionToPercent(s.sloTarget), windowDays: s.sloWindowDays },
      degradation: degradationOf(s.degradationPolicy),
      conversations: { store: s.conversationStore, retentionDays: s.conversationRetentionDays },
      chain: s.chain.map((e) => ({
        target: e.target.name,
        failoverOn: sortErrorClasses(e.failoverOn),
        latencyLimitMs: e.latencyLimitMs,
        retries: { max: e.maxRetries, baseBackoffMs: e.baseBackoffMs, maxBackoffMs: e.maxBackoffMs },
        timeouts: { connectMs: e.connectTimeoutMs, headerMs: e.headerTimeoutMs, firstTokenMs: e.firstTokenTimeoutMs, streamIdleMs: e.streamIdleTimeoutMs, totalMs: e.totalTimeoutMs },
        adaptiveLimits: { multiplier: e.adaptiveLimitMultiplier, floorMs: e.adaptiveLimitFloorMs },
      })),
    })),
  };

  const refs = <T extends { id: string; version: number }>(rows: T[], key: (row: T) => string) => new Map(rows.map((row) => [key(row), { id: row.id, version: row.version }]));
  return {
    doc,
    names: {
      providers: providers.map((p) => p.name),
      regions: regions.map((r) => r.code),
      targets: targets.map((t) => t.name),
      services: services.map((s) => s.name),
      credentials: doc.credentials,
    },
    providers: refs(providers, (p) => p.name),
    regions: refs(regions, (r) => r.code),
    targets: refs(targets, (t) => t.name),
    services: refs(services, (s) => s.name),
    policyVersions: new Map(services.map((s) => [s.name, s.degradationPolicy?.version ?? 1])),
    credentials: new Map(credentials.map((c) => [c.name, { id: c.id, provider: c.provider.name }])),
    endpointPolicy: endpointPolicyOf(readPrivateNetworks(privateNetworks?.value)),
  };
}

type PolicyRow = {
  plannedRpm: number; degradedBelow: number; minimalBelow: number; hysteresis: number; holdSeconds: number;
  degradedTarget: { name: string } | null; degradedMaxTokens: number; cacheTtlSeconds: number; rules: unknown; retryAfterSeconds: number; maintenanceMessage: string;
  queueEnabled: boolean; queueTtlSeconds: number;
};

const isRule = (value: unknown): value is { match: 'contains' | 'regex'; pattern: string; answer: string } =>
  typeof value === 'object' && value !== null && ['contains', 'regex'].includes((value as { match?: unknown }).match as string) &&
  typeof (value as { pattern?: unknown }).pattern === 'string' && typeof (value as { answer?: unknown }).answer === 'string';

/** A service's policy in the file's shape; a service without a row has the defaults, as the gateway gives it. */
function degradationOf(policy: PolicyRow | null): ConfigService['degradation'] {
  if (!policy) return structuredClone(DEFAULT_DEGRADATION);
  return {
    plannedRpm: policy.plannedRpm,
    thresholds: { degradedBelow: policy.degradedBelow, minimalBelow: policy.minimalBelow, hysteresis: policy.hysteresis, holdSeconds: policy.holdSeconds },
    degradedTarget: policy.degradedTarget?.name ?? null,
    degradedMaxTokens: policy.degradedMaxTokens,
    cacheTtlSeconds: policy.cacheTtlSeconds,
    // Fields in the file's order, so a rule written in another order is not a change.
    rules: (Array.isArray(policy.rules) ? policy.rules : []).filter(isRule).map(({ match, pattern, answer }) => ({ match, pattern, answer })),
    retryAfterSeconds: policy.retryAfterSeconds,
    maintenanceMessage: policy.maintenanceMessage,
    queueEnabled: policy.queueEnabled,
    queueTtlSeconds: policy.queueTtlSeconds,
  };
}
