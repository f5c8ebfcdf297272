import 'server-only';
// API token administration. The token itself leaves the server exactly once,
// in the result of createApiToken; only its SHA-256 and its prefix are stored,
// and neither the token nor the hash ever reaches the audit log.
import { randomBytes } from 'node:crypto';
import { recordAudit } from '@/lib/audit/record';
import { requirePermission, type SessionUser } from '@/lib/server/auth';
import { AppError, parseInput } from '@/lib/server/errors';
import { inTransaction, withUniqueField } from '@/lib/server/mutation';
import { createApiTokenInput, revokeApiTokenInput } from './token-schemas';
import { generateToken } from './tokens';

const DAY_MS = 86_400_000;

// What the audit log may keep of a token: never `tokenHash`.
const tokenSnapshot = { id: true, name: true, prefix: true, services: true, scopes: true, createdBy: true, createdAt: true, expiresAt: true, revokedAt: true, revokedBy: true } as const;

export type CreatedApiToken = { id: string; name: string; prefix: string; token: string; services: string[]; scopes: string[]; expiresAt: string | null };

export async function createApiToken(caller: SessionUser | null, input: unknown): Promise<CreatedApiToken> {
  requirePermission(caller, 'tokens.manage');
  const { name, services, scopes, expiresInDays, reason } = parseInput(createApiTokenInput, input);
  const { token, prefix, tokenHash } = generateToken(randomBytes);
  const expiresAt = expiresInDays ? new Date(Date.now() + expiresInDays * DAY_MS) : null;
  return withUniqueField('name', 'A token with this name already exists.', () =>
    inTransaction(async (tx) => {
      if (await tx.apiToken.count({ where: { name } })) throw new AppError('INVALID', 'A token with this name already exists.', { name: ['A token with this name already exists.'] });
      const known = new Set((await tx.service.findMany({ where: { name: { in: services } }, select: { name: true } })).map((s) => s.name));
      const unknown = services.filter((service) => !known.has(service));
      if (unknown.length) throw new AppError('INVALID', 'Some fields need attention.', { services: [`No service named ${unknown.join(', ')}.`] });

      const created = await tx.apiToken.create({ data: { name, prefix, tokenHash, services, scopes, expiresAt, createdBy: caller.email }, select: tokenSnapshot });
      await recordAudit(tx, caller, { action: 'api_token.create', entityType: 'api_token', entityId: created.id, entityName: created.name, after: created, reason });
      return { id: created.id, name: created.name, prefix, token, services: created.services, scopes: created.scopes, expiresAt: created.expiresAt?.toISOString() ?? null };
    }),
  );
}

export async function revokeApiToken(caller: SessionUser | null, input: unknown) {
  requirePermission(caller, 'tokens.manage');
  const { id, reason } = parseInput(revokeApiTokenInput, input);
  return inTransaction(async (tx) => {
    const before = await tx.apiToken.findUnique({ where: { id }, select: tokenSnapshot });
    if (!before) throw new AppError('NOT_FOUND', 'This token no longer exists.');
    // Only an unrevoked token is revoked, so two admins revoking at once leave one entry.
    const { count } = await tx.apiToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date(), revokedBy: caller.email } });
    if (count === 0) throw new AppError('CONFLICT', `Token ${before.name} is already revoked.`);
    const after = await tx.apiToken.findUniqueOrThrow({ where: { id }, select: tokenSnapshot });
    await recordAudit(tx, caller, { action: 'api_token.revoke', entityType: 'api_token', entityId: id, entityName: after.name, before, after, reason });
    return { id, name: after.name, revokedAt: after.revokedAt!.toISOString() };
  });
}
