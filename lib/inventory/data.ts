import 'server-only';
// Inventory reads. Each returns plain, serialisable objects with only the
// fields its page needs (no ciphertext ever leaves this module).
import { db, Prisma } from '@/lib/server/db';
import { endpointOrigin } from './schemas';
import { enabledFilter, pageOf, skipFor, type ListQuery, type Page } from '@/lib/server/pagination';

const contains = (q: string | undefined) => (q ? { contains: q, mode: 'insensitive' as const } : undefined);

export type ProviderRow = {
  id: string; name: string; kind: string; apiStyle: string; baseUrl: string | null; failureDomain: string | null;
  enabled: boolean; notes: string; version: number; targetCount: number; credentialCount: number; updatedAt: string;
};

export async function listProviders(query: ListQuery): Promise<Page<ProviderRow>> {
  const where: Prisma.ProviderWhereInput = {
    ...enabledFilter(query.status),
    ...(query.q ? { OR: [{ name: contains(query.q) }, { failureDomain: contains(query.q) }, { notes: contains(query.q) }] } : {}),
  };
  const [rows, total] = await Promise.all([
    db().provider.findMany({
      where, orderBy: { name: 'asc' }, skip: skipFor(query.page), take: 50,
      select: { id: true, name: true, kind: true, apiStyle: true, baseUrl: true, failureDomain: true, enabled: true, notes: true, version: true, updatedAt: true, _count: { select: { targets: true, credentials: true } } },
    }),
    db().provider.count({ where }),
  ]);
  return pageOf(rows.map(({ _count, updatedAt, ...row }) => ({ ...row, targetCount: _count.targets, credentialCount: _count.credentials, updatedAt: updatedAt.toISOString() })), total, query.page);
}

export type RegionRow = { id: string; code: string; name: string; location: string; enabled: boolean; version: number; targetCount: number; updatedAt: string };

export async function listRegions(query: ListQuery): Promise<Page<RegionRow>> {
  const where: Prisma.RegionWhereInput = {
    ...enabledFilter(query.status),
    ...(query.q ? { OR: [{ code: contains(query.q) }, { name: contains(query.q) }, { location: contains(query.q) }] } : {}),
  };
  const [rows, total] = await Promise.all([
    db().region.findMany({
      where, orderBy: { code: 'asc' }, skip: skipFor(query.page), take: 50,
      select: { id: true, code: true, name: true, location: true, enabled: true, version: true, updatedAt: true, _count: { select: { targets: true } } },
    }),
    db().region.count({ where }),
  ]);
  return pageOf(rows.map(({ _count, updatedAt, ...row }) => ({ ...row, targetCount: _count.targets, updatedAt: updatedAt.toISOString() })), total, query.page);
}

export type TargetRow = {
  id: string; name: string; model: string; endpointUrl: string; rpm: number; tpm: number; contextWindow: number;
  priceInPerMTok: number; priceOutPerMTok: number; qualityClass: string; enabled: boolean; version: number; updatedAt: string;
  /** The provider's published availability, 0..1; null when none is set. */
  declaredAvailability: number | null;
  breakerFailureRate: number; breakerMinimumRequests: number; breakerWindowMs: number; breakerOpenMs: number; breakerHalfOpenSuccesses: number;
  breakerConsecutiveFailures: number; probeIntervalMs: number;
  provider: { id: string; name: string; kind: string }; region: { id: string; code: string; name: string };
  credential: { id: string; name: string; hint: string } | null;
};

const targetSelect = {
  id: true, name: true, model: true, endpointUrl: true, rpm: true, tpm: true, contextWindow: true, priceInPerMTok: true, priceOutPerMTok: true,
  qualityClass: true, enabled: true, version: true, updatedAt: true, declaredAvailability: true,
  breakerFailureRate: true, breakerMinimumRequests: true, breakerWindowMs: true, breakerOpenMs: true, breakerHalfOpenSuccesses: true,
  breakerConsecutiveFailures: true, probeIntervalMs: true,
  provider: { select: { id: true, name: true, kind: true } },
  region: { select: { id: true, code: true, name: true } },
  credential: { select: { id: true, name: true, hint: true } },
} satisfies Prisma.TargetSelect;

type TargetRecord = Prisma.TargetGetPayload<{ select: typeof targetSelect }>;

function toTargetRow({ priceInPerMTok, priceOutPerMTok, updatedAt, ...row }: TargetRecord): TargetRow {
  return { ...row, priceInPerMTok: priceInPerMTok.toNumber(), priceOutPerMTok: priceOutPerMTok.toNumber(), updatedAt: updatedAt.toISOString() };
}

export async function listTargets(query: ListQuery & { providerId?: string; regionId?: string }): Promise<Page<TargetRow>> {
  const where: Prisma.TargetWhereInput = {
    ...enabledFilter(query.status),
    ...(query.providerId ? { providerId: query.providerId } : {}),
    ...(query.regionId ? { regionId: query.regionId } : {}),
    ...(query.q
      ? { OR: [{ name: contains(query.q) }, { model: contains(query.q) }, { provider: { name: contains(query.q) } }, { region: { code: contains(query.q) } }] }
      : {}),
  };
  const [rows, total] = await Promise.all([
    db().target.findMany({ where, orderBy: { name: 'asc' }, skip: skipFor(query.page), take: 50, select: targetSelect }),
    db().target.count({ where }),
  ]);
  return pageOf(rows.map(toTargetRow), total, query.page);
}

export async function getTarget(id: string): Promise<TargetRow | null> {
  const row = await db().target.findUnique({ where: { id }, select: targetSelect });
  return row ? toTargetRow(row) : null;
}

export type ServiceRow = {
  id: string; name: string; description: string; owner: string; enabled: boolean; version: number; updatedAt: string;
  /** The share of requests that must succeed over the window, 0..1. */
  sloTarget: number; sloWindowDays: number;
};

export async function listServices(query: ListQuery): Promise<Page<ServiceRow>> {
  const where: Prisma.ServiceWhereInput = {
    ...enabledFilter(query.status),
    ...(query.q ? { OR: [{ name: contains(query.q) }, { description: contains(query.q) }, { owner: contains(query.q) }] } : {}),
  };
  const [rows, total] = await Promise.all([
    db().service.findMany({ where, orderBy: { name: 'asc' }, skip: skipFor(query.page), take: 50, select: { id: true, name: true, description: true, owner: true, enabled: true, sloTarget: true, sloWindowDays: true, version: true, updatedAt: true } }),
    db().service.count({ where }),
  ]);
  return pageOf(rows.map(({ updatedAt, ...row }) => ({ ...row, updatedAt: updatedAt.toISOString() })), total, query.page);
}

export type CredentialRow = { id: string; name: string; hint: string; version: number; createdAt: string; rotatedAt: string | null; provider: { id: string; name: string }; targetCount: number };

export async function listCredentials(): Promise<CredentialRow[]> {
  const rows = await db().credential.findMany({
    orderBy: { name: 'asc' },
    select: { id: true, name: true, hint: true, version: true, createdAt: true, rotatedAt: true, provider: { select: { id: true, name: true } }, _count: { select: { targets: true } } },
  });
  return rows.map(({ _count, createdAt, rotatedAt, ...row }) => ({ ...row, targetCount: _count.targets, createdAt: createdAt.toISOString(), rotatedAt: rotatedAt?.toISOString() ?? null }));
}

/** Choices for target forms: every provider, region and credential, enabled or not, by name. */
/**
 * What the target form offers. `sentTo` lists the origins each credential is already sent to, and
 * `canSendCredentialsAnywhere` whether this user may pair a credential with a new one (credentials.manage):
 * the form says before saving when a change would need an admin (mutations.ts assertCredentialDestination).
 */
export async function getTargetFormOptions(canSendCredentialsAnywhere: boolean) {
  const [providers, regions, credentials] = await Promise.all([
    db().provider.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true, kind: true, enabled: true } }),
    db().region.findMany({ orderBy: { code: 'asc' }, select: { id: true, code: true, name: true, enabled: true } }),
    db().credential.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true, hint: true, providerId: true, targets: { select: { endpointUrl: true } } } }),
  ]);
  return {
    providers,
    regions,
    credentials: credentials.map(({ targets, ...credential }) => ({ ...credential, sentTo: [...new Set(targets.map((t) => endpointOrigin(t.endpointUrl)).filter((o) => o !== null))] })),
    canSendCredentialsAnywhere,
  };
}
export type TargetFormOptions = Awaited<ReturnType<typeof getTargetFormOptions>>;

export async function getProviderOptions() {
  return db().provider.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true } });
}

export async function countInventory() {
  const [providers, regions, targets, enabledTargets, services] = await Promise.all([
    db().provider.count(), db().region.count(), db().target.count(), db().target.count({ where: { enabled: true } }), db().service.count(),
  ]);
  return { providers, regions, targets, enabledTargets, services };
}
