// The machine APIs' per-token limit, through the evidence route as a job calls
// it: requests past the limit in a minute get 429 with Retry-After and write
// nothing; another token is not affected; the allowance is one for every
// replica (counted in PostgreSQL), and a new minute brings a new one.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { disconnect, uniqueName } from '@/test/fixtures';
import { db } from '@/lib/server/db';
import { generateToken } from './tokens';

// Read by env() at its first use, which comes after this line (and by the other replica, which inherits it).
process.env.STANDBY_MACHINE_API_PER_MINUTE = '5';
after(disconnect);

async function evidenceToken(): Promise<{ token: string; id: string }> {
  const { token, prefix, tokenHash } = generateToken(randomBytes);
  const { id } = await db().apiToken.create({ data: { name: uniqueName('evidence-job'), prefix, tokenHash, services: [], scopes: ['recovery:evidence'], createdBy: 'integration test' }, select: { id: true } });
  return { token, id };
}

const report = (token: string) =>
  new Request('http://standby.test/api/v1/recovery/evidence', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ component: 'no such component', kind: 'backup', ok: true }),
  });

const send = async (token: string) => (await import('@/lib/recovery/evidence')).receiveEvidence(report(token));

test('a token past its requests per minute gets 429 with Retry-After; a token within its own is served', async () => {
  const [busy, quiet] = [await evidenceToken(), await evidenceToken()];
  const answers = await Promise.all(Array.from({ length: 8 }, () => send(busy.token)));
  const statuses = answers.map((a) => a.status);
  assert.equal(statuses.filter((s) => s === 429).length, 3, statuses.join(' '));
  const limited = answers.find((a) => a.status === 429)!;
  assert.ok(Number(limited.headers.get('retry-after')) >= 1 && Number(limited.headers.get('retry-after')) <= 60);
  assert.match(((await limited.json()) as { error: { message: string } }).error.message, /more than 5 requests in a minute/);
  assert.notEqual((await send(quiet.token)).status, 429, 'another token has its own allowance');
});

test('another replica (a process of its own) draws on the same allowance: what it used is not available here', async () => {
  const { token } = await evidenceToken();
  const { stdout } = await promisify(execFile)(process.execPath, ['--require', './scripts/server-only-shim.cjs', '--import', 'tsx', 'test/machine-api-replica.ts'], {
    env: { ...process.env, MACHINE_API_TOKEN: token, MACHINE_API_REQUESTS: '4' },
  });
  assert.deepEqual(stdout.trim().split(' ').map(Number).filter((s) => s === 429), [], `the other replica was served within the limit: ${stdout}`);
  const here = await Promise.all(Array.from({ length: 3 }, () => send(token)));
  assert.deepEqual(here.map((a) => a.status === 429).sort(), [false, true, true], 'one request left of five, not five more');
});

test('a new minute brings a new allowance, and Retry-After counts down to it', async () => {
  const { token, id } = await evidenceToken();
  for (let i = 0; i < 5; i += 1) assert.notEqual((await send(token)).status, 429);
  // The window began 50 s ago: 10 s are left of it.
  await db().$executeRaw`UPDATE "MachineApiWindow" SET "startsAt" = "startsAt" - interval '50 seconds' WHERE "tokenId" = ${id}::uuid`;
  const limited = await send(token);
  assert.equal(limited.status, 429);
  const wait = Number(limited.headers.get('retry-after'));
  assert.ok(wait >= 9 && wait <= 11, `retry-after ${wait}`);
  // And it is over.
  await db().$executeRaw`UPDATE "MachineApiWindow" SET "startsAt" = "startsAt" - interval '11 seconds' WHERE "tokenId" = ${id}::uuid`;
  assert.notEqual((await send(token)).status, 429);
  assert.equal((await db().machineApiWindow.findUniqueOrThrow({ where: { tokenId: id } })).count, 1, 'counted afresh');
});

test('a route that takes either of two scopes: the caller gets the scopes it holds, and a token with neither is refused naming both, using none of its allowance', async () => {
  const { authenticateMachineWithAny } = await import('./token-auth');
  const tokenWith = async (scopes: string[]) => {
    const { token, prefix, tokenHash } = generateToken(randomBytes);
    const { id } = await db().apiToken.create({ data: { name: uniqueName('either-scope'), prefix, tokenHash, services: [], scopes, createdBy: 'integration test' }, select: { id: true } });
    return { bearer: `Bearer ${token}`, id };
  };
  const gatewayOnly = await tokenWith(['gateway']);
  const caller = await authenticateMachineWithAny(gatewayOnly.bearer, ['conversations:manage', 'gateway']);
  assert.deepEqual([caller.tokenId, caller.scopes], [gatewayOnly.id, ['gateway']]);
  const both = await tokenWith(['gateway', 'conversations:manage']);
  assert.deepEqual((await authenticateMachineWithAny(both.bearer, ['conversations:manage', 'gateway'])).scopes, ['conversations:manage', 'gateway']);

  const neither = await tokenWith(['recovery:evidence']);
  await assert.rejects(authenticateMachineWithAny(neither.bearer, ['conversations:manage', 'gateway']), (error: Error & { code?: string }) =>
    error.code === 'FORBIDDEN' && /one of the scopes 'conversations:manage', 'gateway' \(it has recovery:evidence\)/.test(error.message));
  assert.equal(await db().machineApiWindow.count({ where: { tokenId: neither.id } }), 0, 'a refused token used none of its allowance');
  assert.equal(await db().machineApiWindow.count({ where: { tokenId: gatewayOnly.id } }), 1, 'an admitted one took one request');
});
