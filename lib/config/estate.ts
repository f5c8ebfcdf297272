import 'server-only';
// The routing configuration as it is in the database, in the file's shape, with
// the ids and versions an apply needs. Reads through a transaction client when
// given one, so an apply compares against what it is about to change.
import { db, type Tx } from '@/lib/server/db';
import { sortErrorClasses, type ConfigDoc } from './schema';
import type { EstateNames } from './check';

export type Ref = { id: string; version: number };

export type Estate = {
  doc: ConfigDoc;
  names: EstateNames;
  providers: Map<string, Ref>;
  regions: Map<string, Ref>;
  targets: Map<string, Ref>;
  services: Map<string, Ref>;
  credentials: Map<string, { id: string; provider: string }>;
};

export async function readEstate(client: Tx = db()): Promise<Estate> {
  // One query at a time: inside a transaction they share one connection.
  const providers = await client.provider.findMany({ orderBy: { name: 'asc' }, select: { id: true, version: true, name: true, kind: true, apiStyle: true, baseUrl: true, failureDomain: true, notes: true, enabled: true } });
  const regions = await client.region.findMany({ orderBy: { code: 'asc' }, select: { id: true, version: true, code: true, name: true, location: true, enabled: true } });
  const credentials = await client.credential.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true, provider: { select: { name: true } } } });
  const targets = await client.target.findMany({
    orderBy: { name: 'asc' },
    select: {
      id: true, version: true, name: true, model: true, endpointUrl: true, rpm: true, tpm: true, contextWindow: true, priceInPerMTok: true, priceOutPerMTok: true,
      qualityClass: true, enabled: true, breakerFailureRate: true, breakerMinimumRequests: true, breakerWindowMs: true, breakerOpenMs: true,
      breakerHalfOpenSuccesses: true, probeIntervalMs: true,
      provider: { select: { name: true } }, region: { select: { code: true } }, credential: { select: { name: true } },
    },
  });
  const services = await client.service.findMany({
    orderBy: { name: 'asc' },
    select: {
      id: true, version: true, name: true, description: true, owner: true, enabled: true,
      chain: { orderBy: { position: 'asc' }, include: { target: { select: { name: true } } } },
    },
  });

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
      },
      probeIntervalMs: t.probeIntervalMs,
    })),
    services: services.map((s) => ({
      name: s.name,
      description: s.description,
      owner: s.owner,
      enabled: s.enabled,
      chain: s.chain.map((e) => ({
        target: e.target.name,
        failoverOn: sortErrorClasses(e.failoverOn),
        latencyLimitMs: e.latencyLimitMs,
        retries: { max: e.maxRetries, baseBackoffMs: e.baseBackoffMs, maxBackoffMs: e.maxBackoffMs },
        timeouts: { connectMs: e.connectTimeoutMs, headerMs: e.headerTimeoutMs, firstTokenMs: e.firstTokenTimeoutMs, streamIdleMs: e.streamIdleTimeoutMs, totalMs: e.totalTimeoutMs },
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
    credentials: new Map(credentials.map((c) => [c.name, { id: c.id, provider: c.provider.name }])),
  };
}
