import 'server-only';
// Machine APIs outside the gateway (evidence reports, backup reports)
// authenticate a bearer token here: it must exist, be neither revoked nor
// expired, and carry the scope the route needs (scopes.ts). The gateway does
// not come here: it looks tokens up in its in-memory snapshot. Each token
// may make STANDBY_MACHINE_API_PER_MINUTE requests a minute, counted in
// PostgreSQL (MachineApiWindow) so that every replica and worker shares it.
import { db } from '@/lib/server/db';
import { env } from '@/lib/server/env';
import { AppError } from '@/lib/server/errors';
import { tokenHasScope, type TokenScope } from './scopes';
import { hashToken, parseBearer } from './tokens';

export type MachineCaller = { tokenId: string; tokenName: string };

/**
 * Takes one request from the token's allowance for its current minute (a fixed window from its first request), by
 * the database's clock: null when allowed, else the milliseconds until the window ends. One upsert, so requests in
 * parallel on any number of replicas are each counted once (the row's lock orders them).
 */
async function takeFromAllowance(tokenId: string, limit: number): Promise<number | null> {
  const [window] = await db().$queryRaw<{ count: number; retryAfterMs: number }[]>`
    WITH clock AS (SELECT clock_timestamp()::timestamp(3) AS at)
    INSERT INTO "MachineApiWindow" AS w ("tokenId", "startsAt", "count")
    SELECT ${tokenId}::uuid, clock.at, 1 FROM clock
    ON CONFLICT ("tokenId") DO UPDATE SET
      "startsAt" = CASE WHEN w."startsAt" <= EXCLUDED."startsAt" - interval '1 minute' THEN EXCLUDED."startsAt" ELSE w."startsAt" END,
      -- Kept just past the limit: a refused request needs no exact count.
      "count" = CASE WHEN w."startsAt" <= EXCLUDED."startsAt" - interval '1 minute' THEN 1 ELSE LEAST(w."count" + 1, ${limit + 1}::int) END
    RETURNING "count", (EXTRACT(EPOCH FROM ("startsAt" + interval '1 minute' - (SELECT at FROM clock))) * 1000)::float8 AS "retryAfterMs"`;
  return window.count <= limit ? null : window.retryAfterMs;
}

type MachineToken = { id: string; name: string; scopes: string[]; revokedAt: Date | null; expiresAt: Date | null };

/** The bearer's token, when it exists and is neither revoked nor expired. */
async function validToken(authorization: string | null, now: Date): Promise<MachineToken> {
  const bearer = parseBearer(authorization);
  if (!bearer) throw new AppError('UNAUTHENTICATED', 'Send an API token as "Authorization: Bearer sbk_…" (Admin → API tokens).');
  const token = await db().apiToken.findUnique({ where: { tokenHash: hashToken(bearer) }, select: { id: true, name: true, scopes: true, revokedAt: true, expiresAt: true } });
  if (!token || token.revokedAt) throw new AppError('UNAUTHENTICATED', 'This API token is not valid, or has been revoked.');
  if (token.expiresAt && token.expiresAt <= now) throw new AppError('UNAUTHENTICATED', `This API token expired on ${token.expiresAt.toISOString().slice(0, 10)}.`);
  return token;
}

/** Takes the request from a good token's allowance (so a request refused before uses none) and notes its use. */
async function admit(token: MachineToken, now: Date): Promise<MachineCaller> {
  const perMinute = env().STANDBY_MACHINE_API_PER_MINUTE;
  const retryAfterMs = await takeFromAllowance(token.id, perMinute);
  if (retryAfterMs !== null) {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    throw new AppError('RATE_LIMITED', `This API token made more than ${perMinute} requests in a minute. Try again in ${seconds} s.`, undefined, seconds);
  }
  // Never moved back: a slower request of the same token may finish later.
  await db().apiToken.updateMany({ where: { id: token.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: now } }] }, data: { lastUsedAt: now } });
  return { tokenId: token.id, tokenName: token.name };
}

const held = (token: MachineToken) => token.scopes.join(', ') || 'none';

export async function authenticateMachine(authorization: string | null, scope: TokenScope, now = new Date()): Promise<MachineCaller> {
  const token = await validToken(authorization, now);
  if (!tokenHasScope(token, scope)) throw new AppError('FORBIDDEN', `This API token may not do this: it needs the '${scope}' scope (it has ${held(token)}). An admin can create one with it under Admin → API tokens.`);
  return admit(token, now);
}

/** A machine caller holding at least one of `scopes`, with the scopes it holds (one route, two kinds of caller): one lookup of the token. */
export async function authenticateMachineWithAny(authorization: string | null, scopes: readonly TokenScope[], now = new Date()): Promise<MachineCaller & { scopes: TokenScope[] }> {
  const token = await validToken(authorization, now);
  const granted = scopes.filter((scope) => tokenHasScope(token, scope));
  if (granted.length === 0) {
    throw new AppError('FORBIDDEN', `This API token may not do this: it needs one of the scopes ${scopes.map((s) => `'${s}'`).join(', ')} (it has ${held(token)}). An admin can create one with it under Admin → API tokens.`);
  }
  return { ...(await admit(token, now)), scopes: granted };
}
