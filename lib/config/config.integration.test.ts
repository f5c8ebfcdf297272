import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { createCredential, createService, createTarget } from '@/lib/inventory/mutations';
import { db } from '@/lib/server/db';
import { createTestProviderAndRegion, createTestUser, disconnect, rejectsWith, targetInputFor, uniqueName } from '@/test/fixtures';
import { applyConfig } from './apply';
import { runConfigCommand } from './cli';
import { exportConfig } from './export';

type TestUser = Awaited<ReturnType<typeof createTestUser>>;
type Doc = {
  providers: Record<string, unknown>[];
  regions: Record<string, unknown>[];
  credentials: Record<string, unknown>[];
  targets: Record<string, unknown>[];
  services: { name: string; chain: Record<string, unknown>[]; [key: string]: unknown }[];
};

let admin: TestUser;
let operator: TestUser;
// One small estate of this file's own: a provider with a credential, a region, two targets and a service.
let mine: { provider: string; region: string; credential: string; primary: string; fallback: string; service: string; secret: string };

before(async () => {
  admin = await createTestUser('admin');
  operator = await createTestUser('operator');
  const { provider, region } = await createTestProviderAndRegion();
  const secret = `sk-live-${uniqueName('secret')}-do-not-leak`;
  const credential = await createCredential(admin, { name: uniqueName('cred'), providerId: provider.id, secret });
  // Only an admin sends a credential to a new destination (lib/inventory/mutations.ts assertCredentialDestination).
  const primary = await createTarget(admin, targetInputFor(provider.id, region.id, { credentialId: credential.id }));
  const fallback = await createTarget(operator, targetInputFor(provider.id, region.id, { qualityClass: 'economy' }));
  const service = await createService(operator, { name: uniqueName('svc'), description: 'config tests', owner: 'qa' });
  await db().chainEntry.createMany({
    data: [
      { serviceId: service.id, targetId: primary.id, position: 1, failoverOn: ['server_error', 'rate_limited'] },
      { serviceId: service.id, targetId: fallback.id, position: 2, failoverOn: [], latencyLimitMs: 8000 },
    ],
  });
  mine = { provider: provider.name, region: region.code, credential: credential.name, primary: primary.name, fallback: fallback.name, service: service.name, secret };
});
after(disconnect);

const exported = async () => parse(await exportConfig()) as Doc;
const toYaml = (doc: Doc) => stringify(doc);
const auditCount = () => db().auditLog.count();

/** Everything an apply could change, to prove that a refused one changed nothing. */
async function estateState() {
  const [providers, regions, targets, services, chain, policies, audit] = await Promise.all([
    db().provider.findMany({ orderBy: { id: 'asc' } }),
    db().region.findMany({ orderBy: { id: 'asc' } }),
    db().target.findMany({ orderBy: { id: 'asc' } }),
    db().service.findMany({ orderBy: { id: 'asc' } }),
    db().chainEntry.findMany({ orderBy: { id: 'asc' } }),
    db().degradationPolicy.findMany({ orderBy: { serviceId: 'asc' } }),
    auditCount(),
  ]);
  return JSON.stringify({ providers, regions, targets, services, chain, policies, audit });
}

describe('export', () => {
  test('names credentials but never holds a secret, and is the same text twice', async () => {
    const yaml = await exportConfig();
    assert.ok(yaml.startsWith('# Standby routing configuration'));
    assert.ok(yaml.includes(mine.credential));
    assert.ok(!yaml.includes(mine.secret) && !yaml.includes('v1.'), 'no secret and no ciphertext');
    assert.equal(await exportConfig(), yaml);
    const doc = parse(yaml) as Doc;
    const service = doc.services.find((s) => s.name === mine.service)!;
    assert.deepEqual(service.chain.map((e) => e.target), [mine.primary, mine.fallback]);
    assert.deepEqual(service.chain[0].failoverOn, ['rate_limited', 'server_error']);
    assert.equal(service.chain[1].latencyLimitMs, 8000);
  });

  test('applying the exported file is a no-op: no changes, nothing written, nothing audited', async () => {
    const state = await estateState();
    const result = await applyConfig(admin, { yaml: await exportConfig(), reason: 'round trip' });
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    assert.equal(result.applied, false);
    assert.deepEqual(result.diff, []);
    assert.equal(await estateState(), state);
  });
});

describe('validation', () => {
  test('a file with three different errors lists all three, with paths, and writes nothing', async () => {
    const doc = await exported();
    const target = doc.targets.find((t) => t.name === mine.primary)!;
    target.rpm = -5; // a field rule
    target.region = 'no-such-region'; // an unknown reference
    doc.services.push({ ...doc.services.find((s) => s.name === mine.service)!, description: 'duplicate' }); // a duplicate name
    const state = await estateState();

    const result = await applyConfig(admin, { yaml: toYaml(doc), reason: 'should not apply' });
    assert.ok(!result.ok);
    const index = doc.targets.indexOf(target);
    assert.deepEqual(result.problems.map((p) => p.path).sort(), [`services[${doc.services.length - 1}].name`, `targets[${index}].region`, `targets[${index}].rpm`].sort());
    assert.ok(result.problems.every((p) => typeof p.line === 'number' && p.line > 0));
    assert.equal(await estateState(), state);
  });

  test('an unknown credential reference is refused, in the list and on a target', async () => {
    const doc = await exported();
    doc.credentials.push({ name: 'no-such-credential', provider: mine.provider });
    doc.targets.find((t) => t.name === mine.primary)!.credential = 'no-such-credential';
    const state = await estateState();
    const result = await applyConfig(admin, { yaml: toYaml(doc) });
    assert.ok(!result.ok);
    assert.deepEqual(result.problems.map((p) => p.path), [`credentials[${doc.credentials.length - 1}].name`]);
    assert.match(result.problems[0].message, /No credential named "no-such-credential" exists in Standby/);

    const unlisted = await exported();
    unlisted.targets.find((t) => t.name === mine.primary)!.credential = 'never-heard-of-it';
    const second = await applyConfig(admin, { yaml: toYaml(unlisted) });
    assert.ok(!second.ok);
    assert.match(second.problems[0].message, /Unknown credential "never-heard-of-it"/);
    assert.equal(await estateState(), state);
  });

  test('YAML syntax errors come back with their line numbers', async () => {
    const result = await applyConfig(admin, { yaml: 'apiVersion: standby/v1\nkind: RoutingConfig\ntargets:\n  - name: [broken\n', dryRun: true });
    assert.ok(!result.ok);
    assert.match(result.problems[0].message, /^YAML syntax/);
    assert.ok((result.problems[0].line ?? 0) >= 4);
  });
});

describe('apply', () => {
  test('a valid change applies in one transaction, bumps versions and writes one audit entry with the reason', async () => {
    const doc = await exported();
    const regionCode = uniqueName('reg');
    const newTarget = uniqueName('target');
    const newService = uniqueName('svc');
    const primary = doc.targets.find((t) => t.name === mine.primary)!;
    doc.regions.push({ code: regionCode, name: 'Config region', location: 'Frankfurt' });
    doc.targets.push({ ...primary, name: newTarget, region: regionCode, credential: undefined, rpm: 42, breaker: { failureRate: 0.2, minimumRequests: 5 } });
    primary.rpm = 2500;
    const service = doc.services.find((s) => s.name === mine.service)!;
    service.chain.reverse();
    doc.services.push({ name: newService, chain: [{ target: newTarget, failoverOn: ['overloaded'] }, { target: mine.primary, failoverOn: [] }] });
    const before = await db().target.findUniqueOrThrow({ where: { name: mine.primary }, select: { version: true } });
    const serviceBefore = await db().service.findUniqueOrThrow({ where: { name: mine.service }, select: { version: true, routingVersion: true } });

    const dry = await applyConfig(admin, { yaml: toYaml(doc), dryRun: true });
    assert.ok(dry.ok && !dry.applied);
    assert.deepEqual(dry.summary, { create: 3, update: 2, delete: 0, unmanaged: 0 });
    assert.equal(await db().region.count({ where: { code: regionCode } }), 0, 'a dry run writes nothing');

    const audits = await auditCount();
    const result = await applyConfig(admin, { yaml: toYaml(doc), reason: 'capacity plan', expectedFingerprint: dry.fingerprint });
    assert.ok(result.ok && result.applied);
    assert.deepEqual(result.summary, dry.summary);

    const updated = await db().target.findUniqueOrThrow({ where: { name: mine.primary }, select: { rpm: true, version: true } });
    assert.deepEqual(updated, { rpm: 2500, version: before.version + 1 });
    const created = await db().target.findUniqueOrThrow({ where: { name: newTarget }, select: { rpm: true, credentialId: true, breakerFailureRate: true, breakerMinimumRequests: true, breakerOpenMs: true, region: { select: { code: true } } } });
    assert.deepEqual(created, { rpm: 42, credentialId: null, breakerFailureRate: 0.2, breakerMinimumRequests: 5, breakerOpenMs: 15000, region: { code: regionCode } });
    const chainOf = async (name: string) =>
      (await db().chainEntry.findMany({ where: { service: { name } }, orderBy: { position: 'asc' }, select: { position: true, failoverOn: true, target: { select: { name: true } } } })).map((e) => [e.position, e.target.name, e.failoverOn]);
    assert.deepEqual(await chainOf(mine.service), [[1, mine.fallback, []], [2, mine.primary, ['rate_limited', 'server_error']]]);
    assert.deepEqual(await chainOf(newService), [[1, newTarget, ['overloaded']], [2, mine.primary, []]]);
    const serviceAfter = await db().service.findUniqueOrThrow({ where: { name: mine.service }, select: { version: true, routingVersion: true } });
    assert.deepEqual(serviceAfter, { version: serviceBefore.version + 1, routingVersion: serviceBefore.routingVersion + 1 });

    // The new service and target have their recovery components at once, not after the leader's next sync.
    const components = await db().recoveryComponent.findMany({
      where: { OR: [{ service: { name: newService } }, { target: { name: newTarget } }] },
      select: { kind: true, retiredAt: true, objectives: { select: { id: true } } },
    });
    assert.deepEqual(components.map((c) => c.kind).sort(), ['model_serving', 'service_routing']);
    assert.ok(components.every((c) => c.retiredAt === null && c.objectives.length > 0), 'each with its default objectives');

    // One entry for the apply, and one for the components it brought (as Standby).
    assert.equal(await auditCount(), audits + 2);
    const [sync] = await db().auditLog.findMany({ where: { action: 'recovery.components_sync' }, orderBy: { id: 'desc' }, take: 1 });
    assert.ok((sync.after as { created: string[] }).created.length >= 2);
    const [entry] = await db().auditLog.findMany({ where: { action: 'config.apply' }, orderBy: { id: 'desc' }, take: 1 });
    assert.equal(entry.actorEmail, admin.email);
    assert.equal(entry.reason, 'capacity plan');
    const after = entry.after as { summary: string; changes: { kind: string; entity: string; name: string }[] };
    assert.equal(after.summary, '3 to create, 2 to update');
    assert.ok(after.changes.some((c) => c.kind === 'update' && c.entity === 'target' && c.name === mine.primary));

    // The estate now matches the file, and its export applies as a no-op again.
    const again = await applyConfig(admin, { yaml: await exportConfig() });
    assert.ok(again.ok && !again.applied && again.diff.length === 0);
  });

  test('a failure part-way through rolls everything back', async () => {
    const doc = await exported();
    const provider = doc.providers.find((p) => p.name === mine.provider)!;
    provider.notes = 'changed by a failed apply';
    const doomed = uniqueName('doomed');
    doc.services.push({ name: doomed, chain: [] });
    // Services are written after providers: make the database refuse this one.
    await db().$executeRawUnsafe(`CREATE FUNCTION config_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.name = '${doomed}' THEN RAISE EXCEPTION 'refused by test'; END IF; RETURN NEW; END $$`);
    await db().$executeRawUnsafe('CREATE TRIGGER config_test_refuse BEFORE INSERT ON "Service" FOR EACH ROW EXECUTE FUNCTION config_test_refuse()');
    try {
      const state = await estateState();
      await assert.rejects(applyConfig(admin, { yaml: toYaml(doc), reason: 'doomed' }), /refused by test/);
      assert.equal(await estateState(), state);
      assert.equal((await db().provider.findUniqueOrThrow({ where: { name: mine.provider } })).notes, '');
    } finally {
      await db().$executeRawUnsafe('DROP TRIGGER config_test_refuse ON "Service"');
      await db().$executeRawUnsafe('DROP FUNCTION config_test_refuse()');
    }
  });

  test('a change made after validation is detected: the apply is refused whole', async () => {
    const doc = await exported();
    doc.services.find((s) => s.name === mine.service)!.owner = 'platform';
    const dry = await applyConfig(admin, { yaml: toYaml(doc), dryRun: true });
    assert.ok(dry.ok);
    await db().service.update({ where: { name: mine.service }, data: { description: 'edited meanwhile', version: { increment: 1 } } });
    const state = await estateState();
    await rejectsWith(applyConfig(admin, { yaml: toYaml(doc), expectedFingerprint: dry.fingerprint }), 'CONFLICT');
    assert.equal(await estateState(), state);
  });

  test('what the file leaves out is left alone, unless pruned', async () => {
    const doc = await exported();
    const victim = uniqueName('svc');
    await createService(operator, { name: victim });
    const kept = await applyConfig(admin, { yaml: toYaml(doc), dryRun: true });
    assert.ok(kept.ok);
    assert.deepEqual(kept.diff, [{ kind: 'unmanaged', entity: 'service', name: victim, changes: [] }]);

    const pruned = await applyConfig(admin, { yaml: toYaml(doc), prune: true, reason: 'remove stray service' });
    assert.ok(pruned.ok && pruned.applied);
    assert.deepEqual(pruned.diff, [{ kind: 'delete', entity: 'service', name: victim, changes: [] }]);
    assert.equal(await db().service.count({ where: { name: victim } }), 0);
  });
});

describe('SLO, declared availability and degradation policy', () => {
  const policyOf = (service: string) =>
    db().degradationPolicy.findFirst({ where: { service: { name: service } }, select: { version: true, plannedRpm: true, minimalBelow: true, degradedMaxTokens: true, rules: true, queueEnabled: true, degradedTarget: { select: { name: true } } } });

  test('a service on the defaults exports them and keeps having no policy row after a no-op apply', async () => {
    const doc = await exported();
    const service = doc.services.find((s) => s.name === mine.service)!;
    assert.deepEqual(service.slo, { target: 99.9, windowDays: 30 });
    assert.equal((service.degradation as { maintenanceMessage: string }).maintenanceMessage, 'This service is in emergency maintenance. Please retry later.');
    assert.equal('degradedTarget' in (service.degradation as object), false, 'no null written');
    const result = await applyConfig(admin, { yaml: toYaml(doc) });
    assert.ok(result.ok && !result.applied);
    assert.equal(await policyOf(mine.service), null);
  });

  test('a change is written in percent-to-fraction, the degraded target by name, and exports back as written', async () => {
    const doc = await exported();
    const target = doc.targets.find((t) => t.name === mine.fallback)!;
    target.declaredAvailability = 99.95;
    (target.breaker as Record<string, unknown>).consecutiveFailures = 3;
    const service = doc.services.find((s) => s.name === mine.service)!;
    service.slo = { target: 99.5, windowDays: 28 };
    service.degradation = {
      plannedRpm: 240, thresholds: { minimalBelow: 0.3 }, degradedTarget: mine.fallback, degradedMaxTokens: 256,
      rules: [{ match: 'contains', pattern: 'refund', answer: 'Refunds take five days.' }], queueEnabled: false,
    };
    const serviceBefore = await db().service.findUniqueOrThrow({ where: { name: mine.service }, select: { version: true, routingVersion: true } });

    const result = await applyConfig(admin, { yaml: toYaml(doc), reason: 'tiers as code' });
    assert.ok(result.ok && result.applied, JSON.stringify(!result.ok && result.problems));
    assert.deepEqual(result.summary, { create: 0, update: 2, delete: 0, unmanaged: 0 });

    assert.deepEqual(await db().target.findUniqueOrThrow({ where: { name: mine.fallback }, select: { declaredAvailability: true, breakerConsecutiveFailures: true } }), { declaredAvailability: 0.9995, breakerConsecutiveFailures: 3 });
    const serviceAfter = await db().service.findUniqueOrThrow({ where: { name: mine.service }, select: { sloTarget: true, sloWindowDays: true, version: true, routingVersion: true } });
    assert.deepEqual(serviceAfter, { sloTarget: 0.995, sloWindowDays: 28, version: serviceBefore.version + 1, routingVersion: serviceBefore.routingVersion }, 'no routing change: steering stays valid');
    assert.deepEqual(await policyOf(mine.service), {
      version: 2, plannedRpm: 240, minimalBelow: 0.3, degradedMaxTokens: 256, queueEnabled: false,
      rules: [{ match: 'contains', pattern: 'refund', answer: 'Refunds take five days.' }], degradedTarget: { name: mine.fallback },
    });

    const again = parse(await exportConfig()) as Doc;
    assert.equal(again.targets.find((t) => t.name === mine.fallback)!.declaredAvailability, 99.95);
    assert.deepEqual(again.services.find((s) => s.name === mine.service)!.slo, { target: 99.5, windowDays: 28 });
    const noop = await applyConfig(admin, { yaml: await exportConfig() });
    assert.ok(noop.ok && !noop.applied && noop.diff.length === 0, JSON.stringify(noop.ok && noop.diff));

    // Left out again: back to the defaults, field by field (the row stays, with the default values).
    const reset = await exported();
    delete (reset.services.find((s) => s.name === mine.service) as Record<string, unknown>).degradation;
    const back = await applyConfig(admin, { yaml: toYaml(reset), reason: 'defaults again' });
    assert.ok(back.ok && back.applied);
    const policy = await policyOf(mine.service);
    assert.deepEqual({ ...policy, version: undefined }, { version: undefined, plannedRpm: 60, minimalBelow: 0.5, degradedMaxTokens: 512, queueEnabled: true, rules: [], degradedTarget: null });
  });

  test('a new service gets a policy row only when the file sets something other than the defaults', async () => {
    const doc = await exported();
    const plain = uniqueName('svc');
    const tuned = uniqueName('svc');
    doc.services.push({ name: plain, chain: [] }, { name: tuned, chain: [{ target: mine.primary }], degradation: { degradedTarget: mine.fallback, retryAfterSeconds: 120 } });
    const result = await applyConfig(admin, { yaml: toYaml(doc), reason: 'two new services' });
    assert.ok(result.ok && result.applied, JSON.stringify(!result.ok && result.problems));
    assert.equal(await policyOf(plain), null);
    const policy = await policyOf(tuned);
    assert.deepEqual([policy?.version, policy?.degradedTarget?.name], [2, mine.fallback]);
    assert.equal((await db().degradationPolicy.findFirstOrThrow({ where: { service: { name: tuned } } })).retryAfterSeconds, 120);
  });

  test('a policy edited from the form after validation makes the apply refuse whole', async () => {
    const doc = await exported();
    (doc.services.find((s) => s.name === mine.service)!.degradation as Record<string, unknown>).retryAfterSeconds = 90;
    const dry = await applyConfig(admin, { yaml: toYaml(doc), dryRun: true });
    assert.ok(dry.ok);
    // The policy form bumps the row's version; the service itself is untouched.
    const { id: serviceId } = await db().service.findUniqueOrThrow({ where: { name: mine.service } });
    await db().degradationPolicy.createMany({ data: [{ serviceId }], skipDuplicates: true });
    await db().degradationPolicy.update({ where: { serviceId }, data: { cacheTtlSeconds: 60, version: { increment: 1 } } });
    const state = await estateState();
    await rejectsWith(applyConfig(admin, { yaml: toYaml(doc), expectedFingerprint: dry.fingerprint }), 'CONFLICT');
    assert.equal(await estateState(), state);
  });
});

describe('who may apply', () => {
  test('a non-admin is refused, even for a dry run, and nothing is written', async () => {
    const doc = await exported();
    doc.targets.find((t) => t.name === mine.primary)!.rpm = 7;
    const state = await estateState();
    await rejectsWith(applyConfig(operator, { yaml: toYaml(doc) }), 'FORBIDDEN');
    await rejectsWith(applyConfig(operator, { yaml: toYaml(doc), dryRun: true }), 'FORBIDDEN');
    await rejectsWith(applyConfig(null, { yaml: toYaml(doc) }), 'UNAUTHENTICATED');
    assert.equal(await estateState(), state);
  });
});

describe('command line', () => {
  test('export writes a file; apply --dry-run prints the diff; a broken file exits 1 listing its problems', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'standby-config-'));
    const lines: string[] = [];
    const errors: string[] = [];
    const log = (line: string) => lines.push(line);
    const original = { error: console.error, log: console.log };
    console.error = (line: string) => errors.push(line);
    console.log = (line: string) => lines.push(line);
    try {
      const file = path.join(dir, 'routing.yaml');
      assert.equal(await runConfigCommand(['export', file], log), 0);
      const doc = parse(readFileSync(file, 'utf8')) as Doc;
      doc.targets.find((t) => t.name === mine.primary)!.tpm = 123_456;
      writeFileSync(file, toYaml(doc));
      assert.equal(await runConfigCommand(['apply', file, '--dry-run'], log), 0);
      assert.ok(lines.some((line) => line === `~ update    target ${mine.primary}`), lines.join('\n'));
      assert.ok(lines.some((line) => /tpm: \d+ → 123456/.test(line)));
      assert.ok(lines.some((line) => line.startsWith('dry run, nothing written: 1 to update')));
      assert.notEqual((await db().target.findUniqueOrThrow({ where: { name: mine.primary } })).tpm, 123_456);

      doc.targets.find((t) => t.name === mine.primary)!.region = 'nowhere';
      doc.targets.find((t) => t.name === mine.fallback)!.model = '';
      writeFileSync(file, toYaml(doc));
      assert.equal(await runConfigCommand(['apply', file], log), 1);
      assert.equal(errors.length, 2, errors.join('\n'));
      assert.ok(errors.every((line) => line.includes(`${file}:`)));
      assert.equal(await runConfigCommand(['apply'], log), 2);
    } finally {
      Object.assign(console, original);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
