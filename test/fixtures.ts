import 'server-only';
// Every configuration section known to the version writer before any change is made (lib/config-versions/section.ts).
import '@/lib/config-history/sections';
// Helpers for integration tests (scripts/test-database.ts gives each run its own
// database). Tests create the data they need with unique names.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { hashPassword } from '@/lib/access/passwords';
import { generateToken } from '@/lib/access/tokens';
import type { SessionUser } from '@/lib/server/auth';
import { encryptSecret } from '@/lib/server/crypto';
import { PRIVATE_NETWORKS_SETTING } from '@/lib/server/endpoint-policy';
import { AppError } from '@/lib/server/errors';
import { db, type Prisma } from '@/lib/server/db';
import { PrismaPg } from '@prisma/adapter-pg';
import { processSlot } from '@/lib/server/process-slot';
import { PrismaClient } from '@/lib/server/generated/prisma/client';
import type { Role } from '@/lib/server/generated/prisma/enums';

process.env.NEXTAUTH_SECRET ??= 'integration-tests-only-secret-0123456789abcdef';
process.env.STANDBY_ENCRYPTION_KEY ??= Buffer.alloc(32, 7).toString('base64');

export const uniqueName = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

let passwordHash: Promise<string> | null = null;

/** A user of `role` in the database, returned as the session user the actions would see. */
export async function createTestUser(role: Role, password = 'integration-password'): Promise<SessionUser & { password: string }> {
  passwordHash ??= hashPassword(password);
  const email = `${uniqueName(role)}@standby.test`;
  const user = await db().user.create({ data: { email, name: `Test ${role}`, role, passwordHash: await passwordHash }, select: { id: true, email: true, name: true, role: true } });
  return { ...user, password };
}

/** One test user of each role. */
export async function createTestUsers() {
  return {
    viewer: await createTestUser('viewer'),
    operator: await createTestUser('operator'),
    commander: await createTestUser('commander'),
    admin: await createTestUser('admin'),
  };
}
export type TestUsers = Awaited<ReturnType<typeof createTestUsers>>;

/** Asserts that `promise` rejects with the AppError `code` (FORBIDDEN, CONFLICT, …). */
export const rejectsWith = (promise: Promise<unknown>, code: string) => assert.rejects(promise, (error: unknown) => error instanceof AppError && error.code === code);

export async function createTestProviderAndRegion() {
  const provider = await db().provider.create({ data: { name: uniqueName('prov'), kind: 'openai', apiStyle: 'openai_chat' }, select: { id: true, name: true } });
  const region = await db().region.create({ data: { code: uniqueName('reg'), name: 'Test region' }, select: { id: true, code: true } });
  return { provider, region };
}

export function targetInputFor(providerId: string, regionId: string, overrides: Record<string, unknown> = {}) {
  return {
    name: uniqueName('target'), providerId, regionId, model: 'gpt-4o', endpointUrl: 'https://api.example.com/v1', credentialId: null,
    rpm: 1000, tpm: 100000, contextWindow: 128000, priceInPerMTok: 2.5, priceOutPerMTok: 10, qualityClass: 'frontier', enabled: true, ...overrides,
  };
}

/** Test upstreams listen on 127.0.0.1, which the endpoint policy refuses unless Admin → Settings allows it (as the demo does). */
export async function allowLoopbackEndpoints() {
  const value = { networks: ['127.0.0.0/8'] };
  await db().setting.upsert({ where: { key: PRIVATE_NETWORKS_SETTING }, create: { key: PRIVATE_NETWORKS_SETTING, value }, update: { value } });
}

/**
 * A service routed through the database: a primary and a secondary target on the simulated upstreams
 * served at `origin` (their models model-primary and model-secondary), its chain (`chainEntry` fields
 * on each entry), and an API token for it.
 */
export async function seedRoutedService(origin: string, prefix: string, chainEntry: Record<string, unknown> = {}) {
  await allowLoopbackEndpoints();
  const { provider, region } = await createTestProviderAndRegion();
  const credential = await db().credential.create({ data: { name: uniqueName('cred'), providerId: provider.id, ciphertext: encryptSecret(`sk-${prefix}`), hint: 'test' }, select: { id: true } });
  const targets = [];
  for (const label of ['primary', 'secondary']) {
    const name = uniqueName(`${prefix}-${label}`);
    const data = targetInputFor(provider.id, region.id, { name, model: `model-${label}`, endpointUrl: `${origin}/simulated/${name}/v1`, credentialId: credential.id });
    targets.push(await db().target.create({ data: data as Prisma.TargetUncheckedCreateInput, select: { id: true, name: true, model: true } }));
  }
  const service = await db().service.create({
    data: { name: uniqueName(`${prefix}-svc`), chain: { create: targets.map((t, position) => ({ targetId: t.id, position, ...chainEntry })) } },
    select: { id: true, name: true },
  });
  const { token, prefix: tokenPrefix, tokenHash } = generateToken(randomBytes);
  const apiToken = await db().apiToken.create({ data: { name: uniqueName(`${prefix}-token`), prefix: tokenPrefix, tokenHash, services: [service.name], createdBy: 'integration test' }, select: { id: true } });
  return { service, targets, token, tokenHash, apiToken };
}

export async function auditEntriesFor(entityId: string) {
  return db().auditLog.findMany({ where: { entityId }, orderBy: { id: 'asc' } });
}

async function asAdmin(sql: string) {
  const adminUrl = process.env.STANDBY_TEST_ADMIN_URL;
  if (!adminUrl) throw new Error('STANDBY_TEST_ADMIN_URL is not set: run integration tests with `node scripts/test.mjs integration`.');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** An empty database of its own on the test server, for tests that must not share one; call drop() when done. */
export async function createScratchDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = uniqueName(`standby_${prefix}`).replace(/-/g, '_');
  await asAdmin(`CREATE DATABASE "${name}"`);
  const url = new URL(process.env.STANDBY_TEST_ADMIN_URL!);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => asAdmin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

// The process's Prisma client lives in a process slot (lib/server/db.ts): swapped by onDatabase to work on another database.
const prismaSlot = processSlot<PrismaClient>('prisma');
const scratchClients: PrismaClient[] = [];

/** Runs `work` with db() pointing at another database (the product's code reads db() on every call). */
export async function onDatabase<T>(url: string, work: () => Promise<T>): Promise<T> {
  const previous = prismaSlot.get();
  const client = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 4 }) });
  scratchClients.push(client);
  prismaSlot.set(client);
  try {
    return await work();
  } finally {
    if (previous) prismaSlot.set(previous);
    else prismaSlot.clear();
  }
}

/** Closes the clients onDatabase opened (before a scratch database is dropped, or in after()). */
export async function disconnectScratchClients() {
  for (const client of scratchClients.splice(0)) await client.$disconnect();
}

export async function disconnect() {
  await db().$disconnect();
}
