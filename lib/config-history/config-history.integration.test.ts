// Configuration history against real PostgreSQL and a real git repository:
// every change writes a version in its own transaction; concurrent changes
// never hide each other; versions become one commit each (idempotently); a
// restore is previewed, refused when stale, audited; and the estate rebuilt
// from the repository into an empty database routes exactly as before.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { applyConfigAs } from '@/lib/config/apply';
import { exportConfig } from '@/lib/config/export';
import { saveChain } from '@/lib/failover/mutations';
import { DEFAULT_BREAKER_CONFIG } from '@/lib/routing/defaults';
import { BreakerRegistry } from '@/lib/gateway/breaker-registry';
import { createGatewayHandler } from '@/lib/gateway/handler';
import { loadSnapshot } from '@/lib/gateway/snapshot';
import type { RoutingSnapshot } from '@/lib/routing/model';
import { createCredential, createService, rotateCredential } from '@/lib/inventory/mutations';
import { syncComponentsWithHistory } from '@/lib/recovery/config-section';
import { saveObjective } from '@/lib/recovery/mutations';
import { setPrivateNetworks } from '@/lib/settings/mutations';
import { faultsSchema, NO_FAULTS, type Faults, type FaultsInput } from '@/lib/simulator/faults';
import { createSimulator } from '@/simulator/server';
import { randomBytes } from 'node:crypto';
import { generateToken } from '@/lib/access/tokens';
import { SYSTEM_ACTOR } from '@/lib/server/auth';
import { db } from '@/lib/server/db';
import { endpointPolicyOf } from '@/lib/server/endpoint-policy';
import { setEndpointPolicy } from '@/lib/server/guarded-connect';
import { applyMigrations } from '@/lib/server/runtime/migrate';
import { createScratchDatabase, createTestUsers, disconnectScratchClients, onDatabase, rejectsWith, uniqueName, type TestUsers } from '@/test/fixtures';
import { decryptSecret } from '@/lib/server/crypto';
import { runGit, repositoryOf } from './git';
import { applyConfigVersion, applyConfigVersionAs, previewConfigVersion } from './mutations';
import { ensureBaselines, publishPendingVersions, recordDrift } from './publish';
import { objectivesSection } from '@/lib/recovery/config-section';
import { runbooksSection } from '@/lib/runbooks/config-section';
import { createRunbook } from '@/lib/runbooks/mutations';

const ROOT = path.resolve(__dirname, '../..');

// ---------------------------------------------------------------- the simulated upstreams

const faults = new Map<string, Faults>();
const simulator = createSimulator({ loadFaults: (name) => faults.get(name) ?? NO_FAULTS, publishStats: false, chunkDelayMs: 1 });
const upstreams = http.createServer((req, res) => {
  if (!simulator.handle(req, res, (req.url ?? '/').split('?')[0])) res.writeHead(404).end();
});
let origin = '';
const setFault = (upstream: string, input: FaultsInput) => faults.set(upstream, faultsSchema.parse(input));

let repoDir = '';
let users: TestUsers;

before(async () => {
  await new Promise<void>((resolve) => upstreams.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(upstreams.address() as AddressInfo).port}`;
  repoDir = mkdtempSync(path.join(tmpdir(), 'standby-config-history-'));
  users = await createTestUsers();
  setEndpointPolicy(endpointPolicyOf(['127.0.0.0/8']));
});

after(async () => {
  simulator.close();
  upstreams.closeAllConnections();
  await new Promise<void>((resolve) => upstreams.close(() => resolve()));
  rmSync(repoDir, { recursive: true, force: true });
  await disconnectScratchClients();
  await db().$disconnect();
});

const versionsOf = (section: string) => db().configVersion.findMany({ where: { section }, orderBy: { number: 'asc' } });
const newest = async (section: string) => (await versionsOf(section)).at(-1)!;

// ---------------------------------------------------------------- versions in the shared test database

describe('every change writes a version in its own transaction', () => {
  test('routing, degradation and objectives changes each become a version with who, why and when; an unchanged file does not', async () => {
    await ensureBaselines();
    await recordDrift();
    const before = (await newest('routing')).number;
    const { admin, operator } = users;
    const credential = await createCredential(admin, { name: uniqueName('hist-cred'), providerId: (await db().provider.create({ data: { name: uniqueName('hist-prov'), kind: 'openai', apiStyle: 'openai_chat' } })).id, secret: 'sk-history-0001' });
    const service = await createService(operator, { name: uniqueName('hist-svc'), description: 'history', owner: 'qa', reason: 'a service for the history test' });
    const created = await newest('routing');
    assert.ok(created.number > before);
    assert.equal(created.action, 'service.create');
    assert.equal(created.actorEmail, operator.email);
    assert.equal(created.reason, 'a service for the history test');
    assert.match(created.summary, /service .*hist-svc.*created/);
    assert.ok(created.content.includes(service.name), 'the version holds the whole routing file, the new service included');

    // A rotated secret leaves the file as it was: no version.
    const count = await db().configVersion.count();
    await rotateCredential(admin, { id: credential.id, version: 1 }, { secret: 'sk-history-0002', reason: 'rotation' });
    assert.equal(await db().configVersion.count(), count);

    await syncComponentsWithHistory();
    const component = await db().recoveryComponent.findFirstOrThrow({ where: { serviceId: service.id, kind: 'service_routing' }, select: { id: true, objectives: { where: { disruption: 'provider_outage' }, select: { version: true } } } });
    await saveObjective(admin, { componentId: component.id, disruption: 'provider_outage', expectedVersion: component.objectives[0].version, rtoSeconds: 20, rpoSeconds: 0, reason: 'callers time out at 25 s' });
    const objectives = await newest('objectives');
    assert.equal(objectives.action, 'recovery.objective_update');
    assert.match(objectives.content, /rtoMs: 20000/);
    assert.match(objectives.content, /callers time out at 25 s/);
  });

  test('two changes committed at the same moment: the later version holds both', async () => {
    const names = [uniqueName('race-a'), uniqueName('race-b')];
    await Promise.all(names.map((name) => createService(users.operator, { name, description: '', owner: '', reason: 'race' })));
    const latest = await newest('routing');
    for (const name of names) assert.ok(latest.content.includes(`name: ${name}`), `${name} is in the newest routing version`);
    const numbers = (await versionsOf('routing')).map((v) => v.number);
    assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b));
  });

  test('a refused change writes no version', async () => {
    const count = await db().configVersion.count();
    await rejectsWith(createService(users.viewer, { name: uniqueName('nope'), description: '', owner: '', reason: 'viewer' }), 'FORBIDDEN');
    assert.equal(await db().configVersion.count(), count);
  });
});

describe('versions in git', () => {
  test('one commit per version, oldest first, with who and why; publishing again commits nothing; a crash after the commit is not committed twice', async () => {
    const repo = repositoryOf(path.join(repoDir, 'shared.git'));
    const result = await publishPendingVersions(repo);
    assert.equal(result.error, null);
    const total = await db().configVersion.count();
    assert.equal(result.written.length, total);
    const log = (await runGit(['log', '--format=%s%x09%ae', 'refs/heads/main'], { gitDir: repo.gitDir })).trim().split('\n');
    assert.equal(log.length, total);
    assert.match(log[log.length - 1], /^v1 /, 'the first commit is version 1');
    // The objective changed above (services created since also wrote objectives versions: their routing components).
    const objectives = await db().configVersion.findFirstOrThrow({ where: { section: 'objectives', action: 'recovery.objective_update' }, orderBy: { number: 'desc' } });
    const message = await runGit(['log', '-1', '--format=%B', objectives.gitCommit!], { gitDir: repo.gitDir });
    assert.match(message, /Why: callers time out at 25 s/);
    assert.match(message, new RegExp(`Standby-Version: ${objectives.number}`));
    const files = (await runGit(['ls-tree', '--name-only', 'refs/heads/main'], { gitDir: repo.gitDir })).trim().split('\n');
    assert.deepEqual(files, ['README.md', 'objectives.yaml', 'routing.yaml', 'runbooks.yaml', 'settings.yaml']);
    assert.equal(await runGit(['show', `refs/heads/main:routing.yaml`], { gitDir: repo.gitDir }), (await newest('routing')).content);

    assert.deepEqual((await publishPendingVersions(repo)).written, []);

    // The database lost the last commit's id (a crash between the commit and the update): it is found, not made again.
    const last = await db().configVersion.findFirstOrThrow({ orderBy: { number: 'desc' } });
    await db().configVersion.update({ where: { id: last.id }, data: { gitCommit: null, gitAt: null } });
    const again = await publishPendingVersions(repo);
    assert.deepEqual(again.written.map((w) => w.commit), [last.gitCommit]);
    assert.equal((await runGit(['rev-list', '--count', 'refs/heads/main'], { gitDir: repo.gitDir })).trim(), String(total));
  });

  test('a remote (any URL git pushes to) gets each commit pushed from a mirror in the state folder', async () => {
    const remote = path.join(repoDir, 'remote.git');
    await runGit(['init', '--bare', '--quiet', '--initial-branch=main', remote]);
    const repo = repositoryOf(`file://${remote}`, 'main', path.join(repoDir, 'state'));
    assert.equal(repo.remote, true);
    await db().configVersion.updateMany({ data: { gitCommit: null, gitAt: null } });
    const result = await publishPendingVersions(repo);
    assert.equal(result.error, null);
    const pushed = (await runGit(['rev-list', '--count', 'refs/heads/main'], { gitDir: remote })).trim();
    assert.equal(pushed, String(result.written.length));
    assert.equal((await runGit(['rev-parse', 'refs/heads/main'], { gitDir: remote })).trim(), result.written.at(-1)!.commit);
    assert.ok(repo.gitDir.startsWith(path.join(repoDir, 'state')), 'commits are made in a mirror in the state folder');
  });

  test('a repository that cannot be written keeps the versions waiting and says why', async () => {
    await createService(users.operator, { name: uniqueName('waiting'), description: '', owner: '', reason: 'wait' });
    const blocked = path.join(repoDir, 'not-a-dir');
    writeFileSync(blocked, 'a file where the repository should be');
    const result = await publishPendingVersions(repositoryOf(path.join(blocked, 'repo.git')));
    assert.ok(result.error);
    assert.equal(result.pending, 2, 'the routing version and the objectives version of its new routing component');
    assert.ok((await newest('routing')).gitError);
  });
});

// ---------------------------------------------------------------- restore and rebuild, in databases of their own

type Outcome = { service: string; fault: string; status: number; target: string | null; attempts: string | null; tier: string | null };

/** The same requests through a real gateway on `snapshot`: a healthy chain, then each service's first target failing. */
async function routeScenario(snapshot: RoutingSnapshot): Promise<Outcome[]> {
  const { token, tokenHash } = generateToken(randomBytes);
  snapshot.tokens.set(tokenHash, { id: '00000000-0000-4000-8000-000000000001', name: 'scenario', services: [], expiresAt: null });
  const breakers = new BreakerRegistry('scenario', (id) => snapshot.targets.get(id)?.breaker ?? DEFAULT_BREAKER_CONFIG, async () => {});
  const handle = createGatewayHandler({ snapshot: () => snapshot, breakers, recorder: { record() {}, recordRequest() {}, tokenUsed() {} }, random: () => 0.5 });
  const server = http.createServer((req, res) => void handle(req, res, (req.url ?? '/').split('?')[0]));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const gateway = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const outcomes: Outcome[] = [];
  try {
    for (const service of [...snapshot.services.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      const first = snapshot.targets.get(service.chain[0]?.targetId ?? '');
      const upstream = first ? /\/simulated\/([^/]+)\//.exec(first.endpointUrl)?.[1] : undefined;
      for (const fault of ['none', 'first target returns 503'] as const) {
        faults.clear();
        if (fault !== 'none' && upstream) setFault(upstream, { errorRate: 1, errorStatus: 503 });
        const response = await fetch(`${gateway}/api/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: service.name, messages: [{ role: 'user', content: 'Which target answers?' }], max_tokens: 16 }),
        });
        await response.text();
        outcomes.push({ service: service.name, fault, status: response.status, target: response.headers.get('x-standby-target'), attempts: response.headers.get('x-standby-attempts'), tier: response.headers.get('x-standby-tier') });
      }
    }
  } finally {
    faults.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return outcomes;
}

/** Routing as the gateway sees it, by names (ids differ between databases). */
function routingByName(snapshot: RoutingSnapshot) {
  const nameOf = (id: string | null) => (id ? (snapshot.targets.get(id)?.name ?? id) : null);
  return {
    targets: [...snapshot.targets.values()].map(({ id: _id, ...t }) => t).sort((a, b) => a.name.localeCompare(b.name)),
    services: [...snapshot.services.values()]
      .map((s) => ({
        name: s.name, enabled: s.enabled,
        chain: s.chain.map(({ targetId, ...e }) => ({ ...e, target: nameOf(targetId) })),
        policy: { ...s.degradation.policy, degradedTargetId: nameOf(s.degradation.policy.degradedTargetId) },
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    privateNetworks: snapshot.privateNetworks,
  };
}

const estateYaml = (o: { chat: string[]; batch: string[]; maxTokens: number }) => `
apiVersion: standby/v1
kind: RoutingConfig
providers:
  - { name: openai, kind: openai, apiStyle: openai_chat, failureDomain: openai }
  - { name: anthropic, kind: anthropic, apiStyle: anthropic_messages, failureDomain: anthropic }
  - { name: gpu-pool, kind: self_hosted, apiStyle: openai_chat, failureDomain: own-gpu }
regions:
  - { code: us-east, name: US East }
  - { code: on-prem, name: On premises }
credentials:
  - { name: openai-key, provider: openai }
  - { name: anthropic-key, provider: anthropic }
targets:
  - { name: gpt-us, provider: openai, region: us-east, model: gpt-4o, endpointUrl: "${origin}/simulated/openai-a/v1", credential: openai-key, rpm: 6000, tpm: 1000000, contextWindow: 128000, price: { inPerMTok: 2.5, outPerMTok: 10 }, qualityClass: frontier }
  - { name: claude-us, provider: anthropic, region: us-east, model: claude-sonnet, endpointUrl: "${origin}/simulated/anthropic-b/v1", credential: anthropic-key, rpm: 4000, tpm: 1000000, contextWindow: 200000, price: { inPerMTok: 3, outPerMTok: 15 }, qualityClass: frontier, breaker: { consecutiveFailures: 3 } }
  - { name: llama-prem, provider: gpu-pool, region: on-prem, model: llama-70b, endpointUrl: "${origin}/simulated/vllm-c/v1", rpm: 600, tpm: 400000, contextWindow: 131072, price: { inPerMTok: 0, outPerMTok: 0 }, qualityClass: standard }
services:
  - name: chat
    degradation: { degradedTarget: llama-prem, degradedMaxTokens: ${o.maxTokens}, thresholds: { degradedBelow: 0.9, minimalBelow: 0.4 } }
    conversations: { store: true, retentionDays: 14 }
    chain: [${o.chat.map((t) => `{ target: ${t}, failoverOn: [server_error, rate_limited, overloaded], retries: { max: 1, baseBackoffMs: 10, maxBackoffMs: 50 } }`).join(', ')}]
  - name: batch
    chain: [${o.batch.map((t) => `{ target: ${t}, failoverOn: [server_error], retries: { max: 0, baseBackoffMs: 10, maxBackoffMs: 50 } }`).join(', ')}]
`;

/** Runs the real command line: `npm run standby -- config rebuild …` against `url`. */
function rebuildCommand(url: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--require', path.join(ROOT, 'scripts/server-only-shim.cjs'), '--import', 'tsx', path.join(ROOT, 'scripts/standby.ts'), 'config', 'rebuild', ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: url, STANDBY_STATE_DIR: repoDir, STANDBY_ROOT: ROOT },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

describe('restore and rebuild', () => {
  test('the estate rebuilt from the repository into an empty database routes exactly as before, and a restore brings a version back', { timeout: 180_000 }, async () => {
    const source = await createScratchDatabase('history_src');
    const empty = await createScratchDatabase('history_empty');
    const repo = repositoryOf(path.join(repoDir, 'estate.git'));
    try {
      await applyMigrations(source.url, path.join(ROOT, 'prisma/migrations'));
      const { admin, operator, viewer } = await onDatabase(source.url, async () => {
        const people = await createTestUsers();
        await setPrivateNetworks(people.admin, { networks: '127.0.0.0/8', reason: 'the simulated upstreams run on loopback' });
        const [openai, anthropic] = await Promise.all([
          db().provider.create({ data: { name: 'openai', kind: 'openai', apiStyle: 'openai_chat', failureDomain: 'openai' } }),
          db().provider.create({ data: { name: 'anthropic', kind: 'anthropic', apiStyle: 'anthropic_messages', failureDomain: 'anthropic' } }),
        ]);
        await createCredential(people.admin, { name: 'openai-key', providerId: openai.id, secret: 'sk-openai-rebuild-0001' });
        await createCredential(people.admin, { name: 'anthropic-key', providerId: anthropic.id, secret: 'sk-ant-rebuild-0002' });
        const applied = await applyConfigAs(people.admin, { yaml: estateYaml({ chat: ['gpt-us', 'claude-us', 'llama-prem'], batch: ['llama-prem', 'gpt-us'], maxTokens: 256 }), reason: 'the estate as code' });
        assert.ok(applied.ok, JSON.stringify(applied));
        await syncComponentsWithHistory();
        const component = await db().recoveryComponent.findFirstOrThrow({ where: { name: 'chat routing' }, select: { id: true } });
        await saveObjective(people.admin, { componentId: component.id, disruption: 'provider_outage', expectedVersion: 1, rtoSeconds: 15, rpoSeconds: 0, reason: 'chat users leave after 15 s' });
        // A runbook naming a service and a target: the rebuilt database has other ids, the file names them.
        const chat = await db().service.findUniqueOrThrow({ where: { name: 'chat' }, select: { id: true } });
        const claude = await db().target.findUniqueOrThrow({ where: { name: 'claude-us' }, select: { id: true } });
        await createRunbook(people.commander, { name: 'Chat provider outage', failureMode: 'provider_outage', serviceIds: [chat.id], steps: [{ key: 'pin', kind: 'action', title: 'Pin chat to Claude', params: { action: 'pin', serviceId: chat.id, targetId: claude.id } }] });
        return people;
      });

      // Version V: what the estate is now, and how the gateway routes it.
      const atV = await onDatabase(source.url, async () => ({
        version: await db().configVersion.findFirstOrThrow({ orderBy: { number: 'desc' }, select: { id: true, number: true } }),
        routing: await exportConfig(),
        objectives: await db().$transaction((tx) => objectivesSection.read(tx)),
        runbooks: await db().$transaction((tx) => runbooksSection.read(tx)),
        snapshot: routingByName(await loadSnapshot()),
        outcomes: await routeScenario(await loadSnapshot()),
      }));
      assert.deepEqual(atV.outcomes.filter((o) => o.service === 'chat').map((o) => [o.status, o.target]), [[200, 'gpt-us'], [200, 'claude-us']], 'chat fails over from gpt-us to claude-us');

      // Later changes: the chain reordered through the chain editor, and the policy through the file.
      await onDatabase(source.url, async () => {
        const chat = await db().service.findUniqueOrThrow({ where: { name: 'chat' }, select: { id: true, version: true, chain: { orderBy: { position: 'asc' }, omit: { id: true, serviceId: true, position: true } } } });
        const [gpt, claude, llama] = chat.chain;
        await saveChain(operator, { serviceId: chat.id, version: chat.version, entries: [claude, gpt, llama], reason: 'Anthropic first while OpenAI is slow' });
        const published = await publishPendingVersions(repo);
        assert.equal(published.error, null);
        assert.ok(published.written.length >= 5);
      });

      // Rebuild version V from git into the empty database with the real command.
      const commitOfV = await onDatabase(source.url, async () => (await db().configVersion.findFirstOrThrow({ where: { number: atV.version.number } })).gitCommit!);
      const secrets = path.join(repoDir, 'rebuild-secrets.env');
      writeFileSync(secrets, 'openai-key=sk-openai-rebuild-0001\n# a comment\nanthropic-key="sk-ant-rebuild-0002"\n');
      const refused = await rebuildCommand(empty.url, [repo.gitDir, '--ref', commitOfV]);
      assert.equal(refused.code, 1, refused.output);
      assert.match(refused.output, /No secret for .*openai-key \(set STANDBY_CREDENTIAL_OPENAI_KEY/);
      const rebuilt = await rebuildCommand(empty.url, [repo.gitDir, '--ref', commitOfV, '--secrets', secrets]);
      assert.equal(rebuilt.code, 0, rebuilt.output);

      await onDatabase(empty.url, async () => {
        assert.equal(await exportConfig(), atV.routing, 'the routing file is byte for byte the one of version V');
        assert.equal(await db().$transaction((tx) => objectivesSection.read(tx)), atV.objectives);
        assert.ok(!/serviceId|targetId/.test(atV.runbooks) && /service: chat/.test(atV.runbooks) && /target: claude-us/.test(atV.runbooks), atV.runbooks);
        assert.equal(await db().$transaction((tx) => runbooksSection.read(tx)), atV.runbooks, 'the runbooks are rebuilt, their steps naming the new ids');
        const snapshot = await loadSnapshot();
        assert.deepEqual(routingByName(snapshot), atV.snapshot);
        assert.deepEqual(await routeScenario(snapshot), atV.outcomes, 'the gateway routes exactly as before');
        assert.equal(decryptSecret((await db().credential.findUniqueOrThrow({ where: { name: 'anthropic-key' } })).ciphertext), 'sk-ant-rebuild-0002');
        const audit = await db().auditLog.findFirstOrThrow({ where: { action: 'config.rebuild' } });
        assert.match(audit.reason ?? '', new RegExp(commitOfV.slice(0, 12)));
      });
      const twice = await rebuildCommand(empty.url, [repo.gitDir, '--secrets', secrets]);
      assert.equal(twice.code, 1);
      assert.match(twice.output, /not empty/);

      // Restore version V in the source estate, from the page's path: preview, refusals, then the restore.
      await onDatabase(source.url, async () => {
        const preview = await previewConfigVersion(viewer, atV.version.id);
        const routing = preview.sections.find((s) => s.key === 'routing')!;
        assert.equal(routing.unchanged, false);
        assert.ok(routing.impact.some((line) => /chat's traffic moves from claude-us to gpt-us/.test(line)), routing.impact.join('\n'));
        await rejectsWith(applyConfigVersion(viewer, atV.version.id, 'viewer tries', preview.fingerprint), 'FORBIDDEN');
        await rejectsWith(applyConfigVersion(operator, atV.version.id, 'operator tries', preview.fingerprint), 'FORBIDDEN');
        await applyConfigAs(SYSTEM_ACTOR, { yaml: estateYaml({ chat: ['claude-us', 'gpt-us', 'llama-prem'], batch: ['llama-prem', 'gpt-us'], maxTokens: 128 }), reason: 'policy change after the preview' });
        await rejectsWith(applyConfigVersion(admin, atV.version.id, 'stale preview', preview.fingerprint), 'CONFLICT');
        const fresh = await previewConfigVersion(admin, atV.version.id);
        const restored = await applyConfigVersion(admin, atV.version.id, 'back to the reviewed configuration', fresh.fingerprint);
        assert.equal(restored.restored, atV.version.number);
        assert.equal(await exportConfig(), atV.routing);
        assert.deepEqual(await routeScenario(await loadSnapshot()), atV.outcomes);
        const written = await db().configVersion.findMany({ where: { number: { in: restored.versions } } });
        assert.ok(written.every((v) => v.restoredFrom === atV.version.number && v.action === 'config.restore' && v.actorEmail === admin.email));
        const audit = await db().auditLog.findFirstOrThrow({ where: { action: 'config.restore' }, orderBy: { id: 'desc' } });
        assert.equal(audit.reason, 'back to the reviewed configuration');
        await rejectsWith(applyConfigVersionAs(admin, { versionId: atV.version.id, reason: 'again' }), 'INVALID');
      });
    } finally {
      await source.drop();
      await empty.drop();
    }
  });
});
