import 'server-only';
// Inventory writes: each checks the caller's permission, validates its input,
// and records an audit entry in the same transaction as the change.
import { recordConfigChange } from '@/lib/config-history/writer';
import { routingSection } from '@/lib/config/apply';
import { authorized, type SessionUser } from '@/lib/server/auth';
import { endpointHostProblem, endpointPolicyOf, PRIVATE_NETWORKS_SETTING, readPrivateNetworks, type EndpointPolicy } from '@/lib/server/endpoint-policy';
import { hasPermission } from '@/lib/server/permissions';
import { encryptSecret, secretHint } from '@/lib/server/crypto';
import type { Tx } from '@/lib/server/db';
import { AppError, parseInput } from '@/lib/server/errors';
import { assertVersionMatched, describeUsers, inTransaction, withUniqueField } from '@/lib/server/mutation';
import {
  credentialInput, deleteInput, endpointOrigin, entityRef, providerInput, regionInput, rotateCredentialInput, serviceInput, targetInput, toggleInput,
} from './schemas';

type Caller = SessionUser | null;

function notFound(what: string): never {
  throw new AppError('NOT_FOUND', `This ${what} no longer exists. It may have been deleted by someone else.`);
}

// ---------------------------------------------------------------- providers

const providerSnapshot = { id: true, name: true, kind: true, apiStyle: true, baseUrl: true, failureDomain: true, enabled: true, notes: true, version: true } as const;

export async function createProvider(caller: Caller, input: unknown) {
  const actor = authorized(caller, 'inventory.write');
  const { reason, ...data } = parseInput(providerInput, input);
  return withUniqueField('name', 'A provider with this name already exists.', () =>
    inTransaction(async (tx) => {
      const created = await tx.provider.create({ data, select: providerSnapshot });
      await recordConfigChange(tx, actor, routingSection, { action: 'provider.create', entityType: 'provider', entityId: created.id, entityName: created.name, after: created, reason });
      return created;
    }),
  );
}

export async function updateProvider(caller: Caller, ref: unknown, input: unknown) {
  const actor = authorized(caller, 'inventory.write');
  const { id, version } = parseInput(entityRef, ref);
  const { reason, ...data } = parseInput(providerInput, input);
  return withUniqueField('name', 'A provider with this name already exists.', () =>
    inTransaction(async (tx) => {
      const before = (await tx.provider.findUnique({ where: { id }, select: providerSnapshot })) ?? notFound('provider');
      const { count } = await tx.provider.updateMany({ where: { id, version }, data: { ...data, version: { increment: 1 } } });
      assertVersionMatched(count, 'provider');
      const after = await tx.provider.findUniqueOrThrow({ where: { id }, select: providerSnapshot });
      await recordConfigChange(tx, actor, routingSection, { action: 'provider.update', entityType: 'provider', entityId: id, entityName: after.name, before, after, reason });
      return after;
    }),
  );
}

export async function setProviderEnabled(caller: Caller, input: unknown) {
  const actor = authorized(caller, 'inventory.write');
  const { id, version, enabled, reason } = parseInput(toggleInput, input);
  return inTransaction(async (tx) => {
    const before = (await tx.provider.findUnique({ where: { id }, select: providerSnapshot })) ?? notFound('provider');
    const { count } = await tx.provider.updateMany({ where: { id, version }, data: { enabled, version: { increment: 1 } } });
    assertVersionMatched(count, 'provider');
    const after = await tx.provider.findUniqueOrThrow({ where: { id }, select: providerSnapshot });
    await recordConfigChange(tx, actor, routingSection, { action: enabled ? 'provider.enable' : 'provider.disable', entityType: 'provider', entityId: id, entityName: after.name, before, after, reason });
    return after;
  });
}

export async function deleteProvider(caller: Caller, input: unknown) {
  const actor = authorized(caller, 'inventory.write');
  const { id, reason } = parseInput(deleteInput, input);
  return inTransaction(async (tx) => {
    const before = (await tx.provider.findUnique({ where: { id }, select: providerSnapshot })) ?? notFound('provider');
    const targets = await tx.target.findMany({ where: { providerId: id }, select: { name: true }, take: 5 });
    const credentials = await tx.credential.count({ where: { providerId: id } });
    if (targets.length > 0 || credentials > 0) {
      const targetTotal = await tx.target.count({ where: { providerId: id } });
      const uses = [targetTotal ? describeUsers(targets.map((t) => t.name), targetTotal, 'target') : null, credentials ? `${credentials} credential${credentials === 1 ? '' : 's'}` : null].filter(Boolean);
      throw new AppError('IN_USE', `Provider ${before.name} cannot be deleted: ${uses.join(' and ')} still use it. Delete or move them first, or disable the provider instead.`);
    }
    await tx.provider.delete({ where: { id } });
    await recordConfigChange(tx, actor, routingSection, { action: 'provider.delete', entityType: 'provider', entityId: id, entityName: before.name, before, reason });
  });
}

// ---------------------------------------------------------------- regions

const regionSnapshot = { id: true, code: true, name: true, location: true, enabled: true, version: true } as const;

export async function createRegion(caller: Caller, input: unknown) {
  const actor = authorized(caller, 'inventory.write');
  const { reason, ...data } = parseInput(regionInput, input);
  return withUniqueField('code', 'A region with this code already exists.', () =>
    inTransaction(async (tx) => {
      const created = await tx.region.create({ data, select: regionSnapshot });
      await recordConfigChange(tx, actor, routingSection, { action: 'region.create', entityType: 'region', entityId: created.id, entityName: created.code, after: created, reason });
      return created;
    }),
  );
}

export async function updateRegion(caller: Caller, ref: unknown, input: unknown) {
  const actor = authorized(caller, 'inventory.write');
  const { id, version } = parseInput(entityRef, ref);
  const { reason, ...data } = parseInput(regionInput, input);
  return withUniqueField('code', 'A region with this code already exists.', () =>
    inTransaction(async (tx) => {
      const before = (await tx.region.findUnique({ where: { id }, select: regionSnapshot })) ?? notFound('region');
      const { count } = await tx.region.updateMany({ where: { id, version }, data: { ...data, version: { increment: 1 } } });
      assertVersionMatched(count, 'region');
      const after = await tx.region.findUniqueOrThrow({ where: { id }, select: regionSnapshot });
      await recordConfigChange(tx, actor, routingSection, { action: 'region.update', entityType: 'region', entityId: id, entityName: after.code, before, after, reason });
      return after;
    }),
  );
}

export async function setRegionEnabled(caller: Caller, input: unknown) {
  const actor = authorized(caller, 'inventory.write');
  const { id, version, enabled, reason } = parseInput(toggleInput, input);
  return inTransaction(async (tx) => {
    const before = (await tx.region.findUnique({ where: { id }, select: regionSnapshot })) ?? notFound('region');
    const { count } = await tx.region.updateMany({ where: { id, version }, data: { enabled, version: { increment: 1 } } });
    assertVersionMatched(count, 'region');
    const after = await tx.region.findUniqueOrThrow({ where: { id }, select: regionSnapshot });
    await recordConfigChange(tx, actor, routingSection, { action: enabled ? 'region.enable' : 'region.disable', entityType: 'region', entityId: id, entityName: after.code, before, after, reason });
    return after;
  });
}

export async function deleteRegion(caller: Caller, input: unknown) {
  const actor = authorized(caller, 'inventory.write');
  const { id, reason } = parseInput(deleteInput, input);
  return inTransaction(async (tx) => {
    const before = (await tx.region.findUnique({ where: { id }, select: regionSnapshot })) ?? notFound('region');
    const total = await tx.target.count({ where: { regionId: id } });
    if (total > 0) {
      const names = await tx.target.findMany({ where: { regionId: id }, select: { name: true }, take: 5 });
      throw new AppError('IN_USE', `Region ${before.code} cannot be deleted: ${describeUsers(names.map((t) => t.name), total, 'target')} run there. Move or delete them first, or disable the region instead.`);
    }
    await tx.region.delete({ where: { id } });
    await recordConfigChange(tx, actor, routingSection, { action: 'region.delete', entityType: 'region', entityId: id, entityName: before.code, before, reason });
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
  const [provider, region] = await Promise.all([tx.provider.count({ where: { id: providerId } }), tx.region.count({ where: { id: regionId } })]);
  const fieldErrors: Record<string, string[]> = {};
  if (!provider) fieldErrors.providerId = ['This provider no longer exists.'];
  if (!region) fieldErrors.regionId = ['This region no longer exists.'];
  if (Object.keys(fieldErrors).length) throw new AppError('INVALID', 'Some fields need attention.', fieldErrors);
}

export async function createTarget(caller: Caller, input: unknown) {
  const actor = authorized(caller, 'inventory.write');
  const { reason, ...data } = parseInput(targetInput, input);
  return withUniqueField('name', 'A target with this name already exists.', () =>
    inTransaction(async (tx) => {
      await assertReferencesExist(tx, data.providerId, data.regionId);
      await assertCredentialFits(tx, data.credentialId, data.providerId);
      await assertEndpointAllowed(tx, data.endpointUrl);
      await assertCredentialDestination(tx, caller, data, null);
      const created = await tx.target.create({ data, select: targetSnapshot });
      await recordConfigChange(tx, actor, routingSection, { action: 'target.create', entityType: 'target', entityId: created.id, entityName: created.name, after: created, reason });
      return { id: created.id, name: created.name };
    }),
  );
}

export async function updateTarget(caller: Caller, ref: unknown, input: unknown) {
  const actor = authorized(caller, 'inventory.write');
  const { id, version } = parseInput(entityRef, ref);
  const { reason, ...data } = parseInput(targetInput, input);
  return withUniqueField('name', 'A target with this name already exists.', () =>
    inTransaction(async (tx) => {
      const before = (await tx.target.findUnique({ where: { id }, select: targetSnapshot })) ?? notFound('target');
      await assertReferencesExist(tx, data.providerId, data.regionId);
      await assertCredentialFits(tx, data.credentialId, data.providerId);
      if (data.endpointUrl !== before.endpointUrl) await assertEndpointAllowed(tx, data.endpointUrl);
      await assertCredentialDestination(tx, caller, { id, ...data }, before);
      const { count } = await tx.target.updateMany({ where: { id, version }, data: { ...data, version: { increment: 1 } } });
      assertVersionMatched(count, 'target');
      const after = await tx.target.findUniqueOrThrow({ where: { id }, select: targetSnapshot });
      await recordConfigChange(tx, actor, routingSection, { action: 'target.update', entityType: 'target', entityId: id, entityName: after.name, before, after, reason });
      return { id, name: after.name, version: after.version };
    }),
  );
}

export async function setTargetEnabled(caller: Caller, input: unknown) {
  const actor = authorized(caller, 'inventory.write');
  const { id, version, enabled, reason } = parseInput(toggleInput, input);
  return inTransaction(async (tx) => {
    const before = (await tx.target.findUnique({ where: { id }, select: targetSnapshot })) ?? notFound('target');
    const { count } = await tx.target.updateMany({ where: { id, version }, data: { enabled, version: { increment: 1 } } });
    assertVersionMatched(count, 'target');
    const after = await tx.target.findUniqueOrThrow({ where: { id }, select: targetSnapshot });
    await recordConfigChange(tx, actor, routingSection, { action: enabled ? 'target.enable' : 'target.disable', entityType: 'target', entityId: id, entityName: after.name, before, after, reason });
    return { id, enabled };
  });
}

export async function deleteTarget(caller: Caller, input: unknown) {
  const actor = authorized(caller, 'inventory.write');
  const { id, reason } = parseInput(deleteInput, input);
  return inTransaction(async (tx) => {
    const before = (await tx.target.findUnique({ where: { id }, select: targetSnapshot })) ?? notFound('target');
    await tx.target.delete({ where: { id } });
    await recordConfigChange(tx, actor, routingSection, { action: 'target.delete', entityType: 'target', entityId: id, entityName: before.name, before, reason });
  });
}

// ---------------------------------------------------------------- services

const serviceSnapshot = { id: true, name: true, description: true, owner: true, enabled: true, sloTarget: true, sloWindowDays: true, version: true } as const;

export async function createService(caller: Caller, input: unknown) {
  const actor = authorized(caller, 'inventory.write');
  const { reason, ...data } = parseInput(serviceInput, input);
  return withUniqueField('name', 'A service with this name already exists.', () =>
    inTransaction(async (tx) => {
      const created = await tx.service.create({ data, select: serviceSnapshot });
      await recordConfigChange(tx, actor, routingSection, { action: 'service.create', entityType: 'service', entityId: created.id, entityName: created.name, after: created, reason });
      return created;
    }),
  );
}

export async function updateService(caller: Caller, ref: unknown, input: unknown) {
  const actor = authorized(caller, 'inventory.write');
  const { id, version } = parseInput(entityRef, ref);
  const { reason, ...data } = parseInput(serviceInput, input);
  return withUniqueField('name', 'A service with this name already exists.', () =>
    inTransaction(async (tx) => {
      const before = (await tx.service.findUnique({ where: { id }, select: serviceSnapshot })) ?? notFound('service');
      const { count } = await tx.service.updateMany({ where: { id, version }, data: { ...data, version: { increment: 1 } } });
      assertVersionMatched(count, 'service');
      const after = await tx.service.findUniqueOrThrow({ where: { id }, select: serviceSnapshot });
      await recordConfigChange(tx, actor, routingSection, { action: 'service.update', entityType: 'service', entityId: id, entityName: after.name, before, after, reason });
      return after;
    }),
  );
}

export async function setServiceEnabled(caller: Caller, input: unknown) {
  const actor = authorized(caller, 'inventory.write');
  const { id, version, enabled, reason } = parseInput(toggleInput, input);
  return inTransaction(async (tx) => {
    const before = (await tx.service.findUnique({ where: { id }, select: serviceSnapshot })) ?? notFound('service');
    const { count } = await tx.service.updateMany({ where: { id, version }, data: { enabled, version: { increment: 1 } } });
    assertVersionMatched(count, 'service');
    const after = await tx.service.findUniqueOrThrow({ where: { id }, select: serviceSnapshot });
    await recordConfigChange(tx, actor, routingSection, { action: enabled ? 'service.enable' : 'service.disable', entityType: 'service', entityId: id, entityName: after.name, before, after, reason });
    return after;
  });
}

export async function deleteService(caller: Caller, input: unknown) {
  const actor = authorized(caller, 'inventory.write');
  const { id, reason } = parseInput(deleteInput, input);
  return inTransaction(async (tx) => {
    const before = (await tx.service.findUnique({ where: { id }, select: serviceSnapshot })) ?? notFound('service');
    await tx.service.delete({ where: { id } });
    await recordConfigChange(tx, actor, routingSection, { action: 'service.delete', entityType: 'service', entityId: id, entityName: before.name, before, reason });
  });
}

// ---------------------------------------------------------------- credentials (admin)

const credentialSnapshot = { id: true, name: true, providerId: true, hint: true, version: true, rotatedAt: true } as const;

export async function createCredential(caller: Caller, input: unknown) {
  const actor = authorized(caller, 'credentials.manage');
  const { reason, secret, ...data } = parseInput(credentialInput, input);
  return withUniqueField('name', 'A credential with this name already exists.', () =>
    inTransaction(async (tx) => {
      const provider = await tx.provider.count({ where: { id: data.providerId } });
      if (!provider) throw new AppError('INVALID', 'Some fields need attention.', { providerId: ['This provider no longer exists.'] });
      const created = await tx.credential.create({ data: { ...data, ciphertext: encryptSecret(secret), hint: secretHint(secret) }, select: credentialSnapshot });
      await recordConfigChange(tx, actor, routingSection, { action: 'credential.create', entityType: 'credential', entityId: created.id, entityName: created.name, after: created, reason });
      return created;
    }),
  );
}

export async function rotateCredential(caller: Caller, ref: unknown, input: unknown) {
  const actor = authorized(caller, 'credentials.manage');
  const { id, version } = parseInput(entityRef, ref);
  const { secret, reason } = parseInput(rotateCredentialInput, input);
  return inTransaction(async (tx) => {
    const before = (await tx.credential.findUnique({ where: { id }, select: credentialSnapshot })) ?? notFound('credential');
    const { count } = await tx.credential.updateMany({
      where: { id, version },
      data: { ciphertext: encryptSecret(secret), hint: secretHint(secret), rotatedAt: new Date(), version: { increment: 1 } },
    });
    assertVersionMatched(count, 'credential');
    const after = await tx.credential.findUniqueOrThrow({ where: { id }, select: credentialSnapshot });
    await recordConfigChange(tx, actor, routingSection, { action: 'credential.rotate', entityType: 'credential', entityId: id, entityName: after.name, before, after, reason });
    return after;
  });
}

export async function deleteCredential(caller: Caller, input: unknown) {
  const actor = authorized(caller, 'credentials.manage');
  const { id, reason } = parseInput(deleteInput, input);
  return inTransaction(async (tx) => {
    const before = (await tx.credential.findUnique({ where: { id }, select: credentialSnapshot })) ?? notFound('credential');
    const total = await tx.target.count({ where: { credentialId: id } });
    if (total > 0) {
      const names = await tx.target.findMany({ where: { credentialId: id }, select: { name: true }, take: 5 });
      throw new AppError('IN_USE', `Credential ${before.name} cannot be deleted: ${describeUsers(names.map((t) => t.name), total, 'target')} authenticate with it. Give them another credential first.`);
    }
    await tx.credential.delete({ where: { id } });
    await recordConfigChange(tx, actor, routingSection, { action: 'credential.delete', entityType: 'credential', entityId: id, entityName: before.name, before, reason });
  });
}
