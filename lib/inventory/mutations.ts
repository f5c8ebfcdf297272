import 'server-only';
// Inventory writes: each checks the caller's permission and validates its
// input; entity.ts writes the row and its audit entry in one transaction.
import { requireActor, type SessionUser } from '@/lib/server/auth';
import { endpointHostProblem, endpointPolicyOf, PRIVATE_NETWORKS_SETTING, readPrivateNetworks, type EndpointPolicy } from '@/lib/server/endpoint-policy';
import { hasPermission } from '@/lib/server/permissions';
import { encryptSecret, secretHint } from '@/lib/server/crypto';
import { readAll, type Prisma, type Tx } from '@/lib/server/db';
import { AppError, parseInput } from '@/lib/server/errors';
import { describeUsers } from '@/lib/server/mutation';
import { syncComponentsIn } from '@/lib/recovery/components';
import { createEntity, deleteEntity, setEntityEnabled, updateEntity, type Entity } from './entity';
import { credentialInput, deleteInput, endpointOrigin, entityRef, providerInput, regionInput, rotateCredentialInput, serviceInput, targetInput, toggleInput } from './schemas';

type Caller = SessionUser | null;

// ---------------------------------------------------------------- providers

const providerSnapshot = { id: true, name: true, kind: true, apiStyle: true, baseUrl: true, failureDomain: true, enabled: true, notes: true, version: true } as const;

const providers: Entity<Prisma.ProviderGetPayload<{ select: typeof providerSnapshot }>> = {
  type: 'provider', table: (tx) => tx.provider as never, select: providerSnapshot, label: (p) => p.name,
  unique: { field: 'name', message: 'A provider with this name already exists.' },
};

export async function createProvider(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'inventory.write');
  const { reason, ...data } = parseInput(providerInput, input);
  return createEntity(providers, actor, data, reason);
}

export async function updateProvider(caller: Caller, ref: unknown, input: unknown) {
  const actor = requireActor(caller, 'inventory.write');
  const { reason, ...data } = parseInput(providerInput, input);
  return updateEntity(providers, actor, parseInput(entityRef, ref), data, reason);
}

export async function setProviderEnabled(caller: Caller, input: unknown) {
  return setEntityEnabled(providers, requireActor(caller, 'inventory.write'), parseInput(toggleInput, input));
}

export async function deleteProvider(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'inventory.write');
  const { id, reason } = parseInput(deleteInput, input);
  return deleteEntity(providers, actor, id, reason, async (tx, before) => {
    const targets = await tx.target.findMany({ where: { providerId: id }, select: { name: true }, take: 5 });
    const credentials = await tx.credential.count({ where: { providerId: id } });
    if (targets.length === 0 && credentials === 0) return null;
    const targetTotal = await tx.target.count({ where: { providerId: id } });
    const uses = [targetTotal ? describeUsers(targets.map((t) => t.name), targetTotal, 'target') : null, credentials ? `${credentials} credential${credentials === 1 ? '' : 's'}` : null].filter(Boolean);
    return `Provider ${before.name} cannot be deleted: ${uses.join(' and ')} still use it. Delete or move them first, or disable the provider instead.`;
  });
}

// ---------------------------------------------------------------- regions

const regionSnapshot = { id: true, code: true, name: true, location: true, enabled: true, version: true } as const;

const regions: Entity<Prisma.RegionGetPayload<{ select: typeof regionSnapshot }>> = {
  type: 'region', table: (tx) => tx.region as never, select: regionSnapshot, label: (r) => r.code,
  unique: { field: 'code', message: 'A region with this code already exists.' },
};

export async function createRegion(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'inventory.write');
  const { reason, ...data } = parseInput(regionInput, input);
  return createEntity(regions, actor, data, reason);
}

export async function updateRegion(caller: Caller, ref: unknown, input: unknown) {
  const actor = requireActor(caller, 'inventory.write');
  const { reason, ...data } = parseInput(regionInput, input);
  return updateEntity(regions, actor, parseInput(entityRef, ref), data, reason);
}

export async function setRegionEnabled(caller: Caller, input: unknown) {
  return setEntityEnabled(regions, requireActor(caller, 'inventory.write'), parseInput(toggleInput, input));
}

export async function deleteRegion(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'inventory.write');
  const { id, reason } = parseInput(deleteInput, input);
  return deleteEntity(regions, actor, id, reason, async (tx, before) => {
    const total = await tx.target.count({ where: { regionId: id } });
    if (total === 0) return null;
    const names = await tx.target.findMany({ where: { regionId: id }, select: { name: true }, take: 5 });
    return `Region ${before.code} cannot be deleted: ${describeUsers(names.map((t) => t.name), total, 'target')} run there. Move or delete them first, or disable the region instead.`;
  });
}

// ---------------------------------------------------------------- targets

const targetSnapshot = {
  id: true, name: true, providerId: true, regionId: true, model: true, endpointUrl: true, credentialId: true, rpm: true, tpm: true, contextWindow: true,
  priceInPerMTok: true, priceOutPerMTok: true, qualityClass: true, enabled: true, declaredAvailability: true,
  breakerFailureRate: true, breakerMinimumRequests: true, breakerWindowMs: true, breakerOpenMs: true, breakerHalfOpenSuccesses: true,
  breakerConsecutiveFailures: true, probeIntervalMs: true, version: true,
} as const;

/** A target's credential must belong to the target's provider. */
async function assertCredentialFits(tx: Tx, credentialId: string | null, providerId: string) {
  if (!credentialId) return;
  const credential = await tx.credential.findUnique({ where: { id: credentialId }, select: { providerId: true } });
  if (!credential) throw new AppError('INVALID', 'Some fields need attention.', { credentialId: ['This credential no longer exists.'] });
  if (credential.providerId !== providerId) {
    throw new AppError('INVALID', 'Some fields need attention.', { credentialId: ["This credential belongs to another provider. Choose one of this target's provider."] });
  }
}

/** Admin → Settings' private networks, as they stand in this transaction. */
export async function endpointPolicyIn(tx: Tx): Promise<EndpointPolicy> {
  const row = await tx.setting.findUnique({ where: { key: PRIVATE_NETWORKS_SETTING }, select: { value: true } });
  return endpointPolicyOf(readPrivateNetworks(row?.value));
}

/** Loopback, private, link-local (cloud metadata) and other non-public endpoints only in networks an admin allowed. */
async function assertEndpointAllowed(tx: Tx, endpointUrl: string) {
  const problem = endpointHostProblem(endpointUrl, await endpointPolicyIn(tx));
  if (problem) throw new AppError('INVALID', 'Some fields need attention.', { endpointUrl: [problem] });
}

/**
 * A target's credential is sent to the target's endpoint, so where a credential may be
 * sent is decided by those who manage credentials. Without that permission, a target may
 * pair a credential only with an origin (scheme, host and port) it is already sent to:
 * the target's own as it was, or another target's. Anything else would let the editor
 * read the key at a host they control.
 */
async function assertCredentialDestination(
  tx: Tx, caller: Caller, next: { id?: string; credentialId: string | null; endpointUrl: string }, before: { credentialId: string | null; endpointUrl: string } | null,
) {
  if (!next.credentialId || hasPermission(caller?.role, 'credentials.manage')) return;
  const origin = endpointOrigin(next.endpointUrl);
  if (before && before.credentialId === next.credentialId && endpointOrigin(before.endpointUrl) === origin) return;
  const credential = await tx.credential.findUnique({ where: { id: next.credentialId }, select: { name: true, targets: { where: next.id ? { id: { not: next.id } } : {}, select: { endpointUrl: true } } } });
  if (!credential || credential.targets.some((t) => endpointOrigin(t.endpointUrl) === origin)) return;
  if (before?.credentialId === next.credentialId) {
    throw new AppError('INVALID', 'Some fields need attention.', {
      endpointUrl: [`This target sends credential ${credential.name}: moving it to another scheme, host or port (${origin}) needs an admin, because the key would be sent there. Ask an admin, or clear the credential to move the target without it.`],
    });
  }
  throw new AppError('INVALID', 'Some fields need attention.', {
    credentialId: [`Credential ${credential.name} is not sent to ${origin} by any target yet; only an admin can send it there. Ask an admin, or leave the credential empty.`],
  });
}

async function assertReferencesExist(tx: Tx, providerId: string, regionId: string) {
  const [provider, region] = await readAll(tx, [() => tx.provider.count({ where: { id: providerId } }), () => tx.region.count({ where: { id: regionId } })]);
  const fieldErrors: Record<string, string[]> = {};
  if (!provider) fieldErrors.providerId = ['This provider no longer exists.'];
  if (!region) fieldErrors.regionId = ['This region no longer exists.'];
  if (Object.keys(fieldErrors).length) throw new AppError('INVALID', 'Some fields need attention.', fieldErrors);
}

const targets: Entity<Prisma.TargetGetPayload<{ select: typeof targetSnapshot }>> = {
  type: 'target', table: (tx) => tx.target as never, select: targetSnapshot, label: (t) => t.name,
  unique: { field: 'name', message: 'A target with this name already exists.' },
  // Its model-serving component comes (or is retired) with it, not a minute later in the leader's sync.
  afterCreateOrDelete: (tx) => syncComponentsIn(tx),
};

export async function createTarget(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'inventory.write');
  const { reason, ...data } = parseInput(targetInput, input);
  const created = await createEntity(targets, actor, data, reason, async (tx) => {
    await assertReferencesExist(tx, data.providerId, data.regionId);
    await assertCredentialFits(tx, data.credentialId, data.providerId);
    await assertEndpointAllowed(tx, data.endpointUrl);
    await assertCredentialDestination(tx, caller, data, null);
  });
  return { id: created.id, name: created.name };
}

export async function updateTarget(caller: Caller, ref: unknown, input: unknown) {
  const actor = requireActor(caller, 'inventory.write');
  const { id, version } = parseInput(entityRef, ref);
  const { reason, ...data } = parseInput(targetInput, input);
  const after = await updateEntity(targets, actor, { id, version }, data, reason, {
    check: async (tx, before) => {
      await assertReferencesExist(tx, data.providerId, data.regionId);
      await assertCredentialFits(tx, data.credentialId, data.providerId);
      if (data.endpointUrl !== before.endpointUrl) await assertEndpointAllowed(tx, data.endpointUrl);
      await assertCredentialDestination(tx, caller, { id, ...data }, before);
    },
  });
  return { id, name: after.name, version: after.version };
}

export async function setTargetEnabled(caller: Caller, input: unknown) {
  const parsed = parseInput(toggleInput, input);
  await setEntityEnabled(targets, requireActor(caller, 'inventory.write'), parsed);
  return { id: parsed.id, enabled: parsed.enabled };
}

export async function deleteTarget(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'inventory.write');
  const { id, reason } = parseInput(deleteInput, input);
  return deleteEntity(targets, actor, id, reason);
}

// ---------------------------------------------------------------- services

const serviceSnapshot = { id: true, name: true, description: true, owner: true, enabled: true, sloTarget: true, sloWindowDays: true, version: true } as const;

const services: Entity<Prisma.ServiceGetPayload<{ select: typeof serviceSnapshot }>> = {
  type: 'service', table: (tx) => tx.service as never, select: serviceSnapshot, label: (x) => x.name,
  unique: { field: 'name', message: 'A service with this name already exists.' },
  // Its routing component comes (or is retired) with it, not a minute later in the leader's sync.
  afterCreateOrDelete: (tx) => syncComponentsIn(tx),
};

export async function createService(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'inventory.write');
  const { reason, ...data } = parseInput(serviceInput, input);
  return createEntity(services, actor, data, reason);
}

export async function updateService(caller: Caller, ref: unknown, input: unknown) {
  const actor = requireActor(caller, 'inventory.write');
  const { reason, ...data } = parseInput(serviceInput, input);
  return updateEntity(services, actor, parseInput(entityRef, ref), data, reason);
}

export async function setServiceEnabled(caller: Caller, input: unknown) {
  return setEntityEnabled(services, requireActor(caller, 'inventory.write'), parseInput(toggleInput, input));
}

export async function deleteService(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'inventory.write');
  const { id, reason } = parseInput(deleteInput, input);
  return deleteEntity(services, actor, id, reason);
}

// ---------------------------------------------------------------- credentials (admin)

const credentialSnapshot = { id: true, name: true, providerId: true, hint: true, version: true, rotatedAt: true } as const;

const credentials: Entity<Prisma.CredentialGetPayload<{ select: typeof credentialSnapshot }>> = {
  type: 'credential', table: (tx) => tx.credential as never, select: credentialSnapshot, label: (c) => c.name,
  unique: { field: 'name', message: 'A credential with this name already exists.' },
};

export async function createCredential(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'credentials.manage');
  const { reason, secret, ...data } = parseInput(credentialInput, input);
  return createEntity(credentials, actor, { ...data, ciphertext: encryptSecret(secret), hint: secretHint(secret) }, reason, async (tx) => {
    const provider = await tx.provider.count({ where: { id: data.providerId } });
    if (!provider) throw new AppError('INVALID', 'Some fields need attention.', { providerId: ['This provider no longer exists.'] });
  });
}

export async function rotateCredential(caller: Caller, ref: unknown, input: unknown) {
  const actor = requireActor(caller, 'credentials.manage');
  const { secret, reason } = parseInput(rotateCredentialInput, input);
  return updateEntity(credentials, actor, parseInput(entityRef, ref), { ciphertext: encryptSecret(secret), hint: secretHint(secret), rotatedAt: new Date() }, reason, { action: 'rotate' });
}

export async function deleteCredential(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'credentials.manage');
  const { id, reason } = parseInput(deleteInput, input);
  return deleteEntity(credentials, actor, id, reason, async (tx, before) => {
    const total = await tx.target.count({ where: { credentialId: id } });
    if (total === 0) return null;
    const names = await tx.target.findMany({ where: { credentialId: id }, select: { name: true }, take: 5 });
    return `Credential ${before.name} cannot be deleted: ${describeUsers(names.map((t) => t.name), total, 'target')} authenticate with it. Give them another credential first.`;
  });
}
