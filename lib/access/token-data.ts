import 'server-only';
// Reads of API tokens. The hash never leaves this module except through
// listActiveApiTokens, which is for the gateway's in-memory lookup.
import { db } from '@/lib/server/db';
import { tokenStatus, type TokenStatus } from './tokens';

export type ApiTokenRow = {
  id: string;
  name: string;
  prefix: string;
  /** Service names it may call; empty: every service. */
  services: string[];
  /** What it may do (lib/access/scopes.ts). */
  scopes: string[];
  createdAt: string;
  createdBy: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  status: TokenStatus;
};

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** Every token, the usable ones first, newest first within each group. */
export async function listApiTokens(now = Date.now()): Promise<ApiTokenRow[]> {
  const rows = await db().apiToken.findMany({
    orderBy: [{ createdAt: 'desc' }, { name: 'asc' }],
    select: { id: true, name: true, prefix: true, services: true, scopes: true, createdAt: true, createdBy: true, lastUsedAt: true, expiresAt: true, revokedAt: true, revokedBy: true },
  });
  const order: Record<TokenStatus, number> = { active: 0, expired: 1, revoked: 2 };
  return rows
    .map((row) => ({
      ...row,
      createdAt: row.createdAt.toISOString(),
      lastUsedAt: iso(row.lastUsedAt),
      expiresAt: iso(row.expiresAt),
      revokedAt: iso(row.revokedAt),
      status: tokenStatus(row, now),
    }))
    .sort((a, b) => order[a.status] - order[b.status]);
}

/** Service names a token can be limited to, for the form. */
export async function getTokenFormOptions() {
  const services = await db().service.findMany({ orderBy: { name: 'asc' }, select: { name: true, enabled: true } });
  return { services };
}

/** Tokens that are neither revoked nor expired, keyed by the SHA-256 (hashToken) the gateway looks them up by. */
export async function listActiveApiTokens(now = new Date()) {
  const rows = await db().apiToken.findMany({
    where: { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
    select: { id: true, name: true, tokenHash: true, services: true, expiresAt: true },
  });
  return rows.map((row) => ({ ...row, expiresAt: row.expiresAt?.getTime() ?? null }));
}

