// Where a target may point, and who may send a credential where (issue 9): an
// operator cannot read credentials, so they must not be able to send one to a
// host of their choosing either, nor point a target at cloud metadata.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestProviderAndRegion, createTestUsers, disconnect, rejectsWith, targetInputFor, type TestUsers } from '@/test/fixtures';
import { db } from '@/lib/server/db';
import { AppError } from '@/lib/server/errors';
import { setPrivateNetworks } from '@/lib/settings/mutations';
import { createCredential, createRegion, createTarget, updateTarget } from './mutations';

let users: TestUsers;
before(async () => {
  users = await createTestUsers();
  await setPrivateNetworks(users.admin, { networks: '' });
});
after(disconnect);

async function fieldErrorsOf(promise: Promise<unknown>): Promise<Record<string, string[]>> {
  const error = await promise.then(() => null, (e: unknown) => e);
  assert.ok(error instanceof AppError && error.code === 'INVALID', `expected INVALID, got ${String(error)}`);
  return error.fieldErrors ?? {};
}

/** A target an admin set up with a credential, at https://api.example.com. */
async function credentialedTarget() {
  const { provider, region } = await createTestProviderAndRegion();
  const credential = await createCredential(users.admin, { name: `key-${provider.name}`, providerId: provider.id, secret: 'sk-admin-managed-secret' });
  const input = targetInputFor(provider.id, region.id, { endpointUrl: 'https://api.example.com/v1', credentialId: credential.id });
  const { id } = await createTarget(users.admin, input);
  return { id, input, credential, provider, region };
}

const endpointOf = async (id: string) => (await db().target.findUniqueOrThrow({ where: { id }, select: { endpointUrl: true, credentialId: true, version: true } }));

describe('a credentialed target', () => {
  test("an operator cannot move it to another host, port or scheme: the key would go there; nothing is written", async () => {
    const { id, input } = await credentialedTarget();
    for (const endpointUrl of ['https://attacker.example/v1', 'https://api.example.com:8443/v1', 'http://api.example.com/v1']) {
      const errors = await fieldErrorsOf(updateTarget(users.operator, { id, version: 1 }, { ...input, endpointUrl }));
      assert.match(errors.endpointUrl?.[0] ?? '', /needs an admin, because the key would be sent there/);
    }
    assert.equal((await endpointOf(id)).endpointUrl, 'https://api.example.com/v1');
  });

  test('an operator may change its path, or move it without its credential; an admin may move it anywhere', async () => {
    const { id, input, credential } = await credentialedTarget();
    await updateTarget(users.operator, { id, version: 1 }, { ...input, endpointUrl: 'https://api.example.com/v2' });
    await updateTarget(users.operator, { id, version: 2 }, { ...input, endpointUrl: 'https://other.example/v1', credentialId: null });
    assert.deepEqual(await endpointOf(id), { endpointUrl: 'https://other.example/v1', credentialId: null, version: 3 });
    await updateTarget(users.admin, { id, version: 3 }, { ...input, endpointUrl: 'https://third.example/v1', credentialId: credential.id });
    assert.deepEqual(await endpointOf(id), { endpointUrl: 'https://third.example/v1', credentialId: credential.id, version: 4 });
  });

  test('an operator may give a new target a credential only where the credential already goes', async () => {
    const { input, credential } = await credentialedTarget();
    await createTarget(users.operator, { ...input, name: `${input.name}-copy`, endpointUrl: 'https://api.example.com/v1/other-path' });
    const errors = await fieldErrorsOf(createTarget(users.operator, { ...input, name: `${input.name}-evil`, endpointUrl: 'https://attacker.example/v1' }));
    assert.match(errors.credentialId?.[0] ?? '', new RegExp(`Credential ${credential.name} is not sent to https://attacker.example by any target yet`));
    assert.equal(await db().target.count({ where: { name: `${input.name}-evil` } }), 0);
  });
});

describe('endpoints outside the public internet', () => {
  test('link-local (cloud metadata), loopback, private and unspecified addresses are refused by default, whoever saves them', async () => {
    const { provider, region } = await createTestProviderAndRegion();
    for (const endpointUrl of ['http://169.254.169.254/latest/meta-data', 'http://[fd00:ec2::254]/', 'http://127.0.0.1:8000/v1', 'http://localhost:11434/v1', 'http://10.1.2.3/v1', 'http://0.0.0.0/', 'http://metadata.google.internal/', 'http://[::ffff:169.254.169.254]/']) {
      const errors = await fieldErrorsOf(createTarget(users.admin, targetInputFor(provider.id, region.id, { endpointUrl })));
      assert.match(errors.endpointUrl?.[0] ?? '', /Admin → Settings/, endpointUrl);
    }
  });

  test('an admin names the private networks self-hosted models live on; those, and only those, are accepted', async () => {
    const { provider, region } = await createTestProviderAndRegion();
    await rejectsWith(setPrivateNetworks(users.operator, { networks: '10.20.0.0/16' }), 'FORBIDDEN');
    assert.deepEqual(Object.keys(await fieldErrorsOf(setPrivateNetworks(users.admin, { networks: '10.20.0.0/33\nnot-a-network\n0.0.0.0/0' }))), ['networks']);
    await setPrivateNetworks(users.admin, { networks: '10.20.0.0/16, fd12:3456::/48', reason: 'vLLM cluster' });
    try {
      await createTarget(users.operator, targetInputFor(provider.id, region.id, { endpointUrl: 'http://10.20.5.6:8000/v1' }));
      await createTarget(users.operator, targetInputFor(provider.id, region.id, { endpointUrl: 'http://[fd12:3456::9]:8000/v1' }));
      const errors = await fieldErrorsOf(createTarget(users.operator, targetInputFor(provider.id, region.id, { endpointUrl: 'http://10.30.0.1/v1' })));
      assert.match(errors.endpointUrl?.[0] ?? '', /10\.30\.0\.1 is private/);
      const audit = await db().auditLog.findFirstOrThrow({ where: { action: 'settings.private_networks' }, orderBy: { id: 'desc' } });
      assert.deepEqual(audit.after, { networks: ['10.20.0.0/16', 'fd12:3456::/48'] });
      assert.equal(audit.reason, 'vLLM cluster');
    } finally {
      await setPrivateNetworks(users.admin, { networks: '' });
    }
  });
});

test('a NUL character in a form field is a field error, not an internal error, and nothing is written', async () => {
  const before = await db().region.count();
  const errors = await fieldErrorsOf(createRegion(users.operator, { code: 'nul-region', name: 'Bad\u0000name', location: 'x' }));
  assert.deepEqual(Object.keys(errors), ['name']);
  assert.match(errors.name[0], /NUL character/);
  assert.equal(await db().region.count(), before);
});
