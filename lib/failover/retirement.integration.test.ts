// "Retire a model everywhere" on real PostgreSQL with the real data plane:
// one transaction takes the model out of every chain (or puts a substitute in
// its place), the gateway routes without it as soon as its snapshot reloads
// on the NOTIFY, and a revert puts the chains back exactly, unless someone
// edited them since.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDataPlane, type DataPlane } from '@/lib/gateway/runtime';
import { waitFor } from '@/test/gateway-harness';
import { db, type Prisma } from '@/lib/server/db';
import { createTestUsers, rejectsWith, seedRoutedService, targetInputFor, uniqueName, type TestUsers } from '@/test/fixtures';
import { saveChain } from './mutations';
import { previewRetirement, retireModel, revertRetirement } from './retirement';

let upstream: http.Server;
let gateway: http.Server;
let plane: DataPlane;
let origin: string;
let upstreamOrigin: string;
let users: TestUsers;

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

before(async () => {
  upstream = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } })));
  });
  upstreamOrigin = await listen(upstream);
  users = await createTestUsers();
  plane = await startDataPlane();
  gateway = http.createServer((req, res) => void plane.handle(req, res, (req.url ?? '/').split('?')[0]).then((handled) => handled || res.writeHead(404).end()));
  origin = await listen(gateway);
});

after(async () => {
  for (const server of [gateway, upstream]) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await plane.close();
  await db().$disconnect();
});

async function ask(seeded: Awaited<ReturnType<typeof seedRoutedService>>) {
  const response = await fetch(`${origin}/api/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${seeded.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: seeded.service.name, messages: [{ role: 'user', content: 'hi' }] }),
  });
  await response.arrayBuffer();
  return response.headers.get('x-standby-target');
}

/** Two services sharing an unsafe model as primary, and a safe target to put in its place. */
async function estate() {
  const a = await seedRoutedService(upstreamOrigin, 'retire-a');
  const b = await seedRoutedService(upstreamOrigin, 'retire-b');
  const model = uniqueName('unsafe-model');
  await db().target.updateMany({ where: { id: { in: [a.targets[0].id, b.targets[0].id] } }, data: { model } });
  const provider = await db().target.findUniqueOrThrow({ where: { id: a.targets[1].id }, select: { providerId: true, regionId: true, credentialId: true } });
  const name = uniqueName('safe');
  const substitute = await db().target.create({
    data: targetInputFor(provider.providerId, provider.regionId, { name, model: 'safe-model', endpointUrl: `${upstreamOrigin}/simulated/${name}/v1`, credentialId: provider.credentialId }) as Prisma.TargetUncheckedCreateInput,
    select: { id: true, name: true },
  });
  await db().degradationPolicy.create({ data: { serviceId: a.service.id, degradedTargetId: a.targets[0].id } });
  await waitFor('both services in the snapshot', () => [a, b].every((s) => plane.snapshots.get()?.services.has(s.service.name) && plane.snapshots.get()?.tokens.has(s.tokenHash)), 10_000);
  return { a, b, model, substitute };
}

const chainOf = async (serviceId: string) => (await db().chainEntry.findMany({ where: { serviceId }, orderBy: { position: 'asc' }, select: { targetId: true, maxRetries: true } })).map((e) => e.targetId);

test('a model leaves every chain at once for its substitute; the gateway routes to the substitute; a revert puts everything back', async () => {
  const { a, b, model, substitute } = await estate();
  assert.equal(await ask(a), a.targets[0].name);
  const preview = await previewRetirement({ model, substituteTargetId: substitute.id });
  assert.equal(preview.refusal, null);
  assert.deepEqual(preview.services.map((s) => [s.serviceName, s.after]).sort(), [[a.service.name, [substitute.name, a.targets[1].name]], [b.service.name, [substitute.name, b.targets[1].name]]].sort());
  assert.deepEqual(preview.degradedTargets, [{ serviceName: a.service.name, from: a.targets[0].name, to: substitute.name }]);

  await rejectsWith(retireModel(users.viewer, { model, substituteTargetId: substitute.id, reason: 'unsafe answers' }), 'FORBIDDEN');
  const versionsBefore = await db().service.findMany({ where: { id: { in: [a.service.id, b.service.id] } }, select: { id: true, version: true, routingVersion: true } });
  const result = await retireModel(users.commander, { model, substituteTargetId: substitute.id, reason: 'unsafe answers since 10:02' });
  assert.deepEqual(await chainOf(a.service.id), [substitute.id, a.targets[1].id]);
  assert.deepEqual(await chainOf(b.service.id), [substitute.id, b.targets[1].id]);
  assert.equal((await db().degradationPolicy.findUniqueOrThrow({ where: { serviceId: a.service.id } })).degradedTargetId, substitute.id, 'the Degraded tier no longer tries the retired model first');
  for (const s of await db().service.findMany({ where: { id: { in: [a.service.id, b.service.id] } }, select: { id: true, version: true, routingVersion: true } })) {
    const was = versionsBefore.find((v) => v.id === s.id)!;
    assert.equal(s.version, was.version + 1, 'chain editors open elsewhere are stale');
    assert.equal(s.routingVersion, was.routingVersion + 1, 'steering previews are stale');
  }
  const audit = await db().auditLog.findFirstOrThrow({ where: { action: 'routing.retire_model', entityName: model } });
  assert.equal(audit.reason, 'unsafe answers since 10:02');
  await waitFor('the substitute serving in the gateway', async () => (await ask(a)) === substitute.name && (await ask(b)) === substitute.name, 10_000, 50);

  const reverted = await revertRetirement(users.commander, { retirementId: result.retirementId, reason: 'provider fixed it' });
  assert.deepEqual(reverted.services.sort(), [a.service.name, b.service.name].sort());
  assert.deepEqual(await chainOf(a.service.id), [a.targets[0].id, a.targets[1].id]);
  assert.equal((await db().degradationPolicy.findUniqueOrThrow({ where: { serviceId: a.service.id } })).degradedTargetId, a.targets[0].id);
  await waitFor('the model serving again', async () => (await ask(a)) === a.targets[0].name, 10_000, 50);
  await rejectsWith(revertRetirement(users.commander, { retirementId: result.retirementId, reason: 'twice' }), 'CONFLICT');
});

test('a revert refuses a chain edited since, naming it; a retirement that would empty a chain is refused without a substitute', async () => {
  const { a, b, model, substitute } = await estate();
  const result = await retireModel(users.operator, { targetId: b.targets[0].id, reason: 'only b' });
  assert.deepEqual(result.services, [b.service.name]);
  assert.deepEqual(await chainOf(a.service.id), [a.targets[0].id, a.targets[1].id], 'retiring one target leaves the other target of the model alone');
  const { version } = await db().service.findUniqueOrThrow({ where: { id: b.service.id }, select: { version: true } });
  await saveChain(users.operator, { serviceId: b.service.id, version, entries: [{ targetId: b.targets[1].id, failoverOn: [], maxRetries: 1, baseBackoffMs: 100, maxBackoffMs: 1000, connectTimeoutMs: 1000, headerTimeoutMs: 1000, firstTokenTimeoutMs: 1000, streamIdleTimeoutMs: 1000, totalTimeoutMs: 5000 }], reason: 'tuned' });
  await assert.rejects(revertRetirement(users.operator, { retirementId: result.retirementId, reason: 'undo' }), new RegExp(`The chain of ${b.service.name} was changed`));

  // b's chain is now only its secondary: retiring that without a substitute would leave b with nothing.
  const preview = await previewRetirement({ targetId: b.targets[1].id });
  assert.match(preview.refusal ?? '', new RegExp(`${b.service.name} would be left with no target`));
  await rejectsWith(retireModel(users.operator, { targetId: b.targets[1].id, reason: 'empty it' }), 'INVALID');
  await rejectsWith(retireModel(users.operator, { model, substituteTargetId: substitute.id, reason: '' }), 'INVALID');
});
