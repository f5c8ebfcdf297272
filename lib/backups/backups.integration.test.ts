// Model backups against a real folder laid out like a Hugging Face model (a
// few hundred MB, generated here and deleted after), a broken variant missing
// its tokenizer, and an S3-compatible server started by the test, read
// through the AWS SDK: the scan's checksums agree with sha256sum, copies are
// judged against what serves, restore time against the RTO, the backup jobs'
// API, evidence in the recovery grid, and missed backups as alerts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { generateToken } from '@/lib/access/tokens';
import { getCompliance } from '@/lib/recovery/data';
import { parsePeriod } from '@/lib/recovery/period';
import { syncComponents } from '@/lib/recovery/components';
import { db } from '@/lib/server/db';
import { AppError } from '@/lib/server/errors';
import { auditEntriesFor, createTestUsers, rejectsWith, uniqueName, type TestUsers } from '@/test/fixtures';
import { generateModelFolder, removeFolder } from '../../test/hf-model';
import { startTestS3, type TestS3 } from '../../test/s3-server';
import { receiveCopy, receiveDeployed, receiveRestoreTest } from './api';
import { runBackupCommand } from './cli';
import { getBackupsOverview, getModelBackups } from './data';
import { addPart, recordCopy, setLink, syncModels, verifyCopy } from './mutations';
import { setS3Client } from './s3';
import { scanModel } from './scan';
import { evaluateBackupAlerts } from './task';
import type { Manifest } from './parts';

const DAY = 86_400_000;

let folder = '';
let broken = '';
let s3: TestS3;
let client: S3Client;
let users: TestUsers;
let target: { id: string; name: string };
let service: string;
let token: string;
let deployed: Manifest;
const regionFar = uniqueName('eu');
const regionHome = uniqueName('prem');

async function upload(dir: string, files: string[], prefix: string) {
  for (const name of files) await client.send(new PutObjectCommand({ Bucket: 'models', Key: `${prefix}/${name}`, Body: readFileSync(path.join(dir, name)) }));
}

const post = (handler: (request: Request) => Promise<Response>, body: unknown, bearer: string | null = token) =>
  handler(new Request('http://standby.test/api/v1/backups/x', { method: 'POST', headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) }, body: JSON.stringify(body) }));

async function makeToken(scopes: string[]) {
  const { token: value, prefix, tokenHash } = generateToken(randomBytes);
  await db().apiToken.create({ data: { name: uniqueName('backup-job'), prefix, tokenHash, services: [], scopes, createdBy: 'integration test' } });
  return value;
}

let files: string[] = [];

before(async () => {
  users = await createTestUsers();
  const root = mkdtempSync(path.join(tmpdir(), 'standby-model-'));
  folder = path.join(root, 'llama');
  broken = path.join(root, 'llama-no-tokenizer');
  files = generateModelFolder(folder, { shards: 4, shardBytes: 64 * 1024 * 1024 });
  generateModelFolder(broken, { shards: 1, shardBytes: 1024 * 1024, withTokenizer: false });
  s3 = await startTestS3({ pageSize: 3 });
  client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  setS3Client(client);
  await client.send(new CreateBucketCommand({ Bucket: 'models' }));

  const provider = await db().provider.create({ data: { name: uniqueName('gpu'), kind: 'self_hosted', apiStyle: 'openai_chat' } });
  await db().region.create({ data: { code: regionFar, name: 'Far region' } });
  await db().region.create({ data: { code: regionHome, name: 'Home region' } });
  const region = await db().region.findUniqueOrThrow({ where: { code: regionHome } });
  target = await db().target.create({
    data: { name: uniqueName('llama-70b'), providerId: provider.id, regionId: region.id, model: 'meta-llama/Llama-3.3-70B-Instruct', endpointUrl: 'http://10.0.0.1/v1', rpm: 600, tpm: 1e6, contextWindow: 131072, priceInPerMTok: 0, priceOutPerMTok: 0, qualityClass: 'standard' },
    select: { id: true, name: true },
  });
  service = uniqueName('assistant');
  await db().service.create({ data: { name: service, chain: { create: [{ targetId: target.id, position: 1 }] } } });
  await syncComponents();
  await syncModels();
  token = await makeToken(['backups:report']);
});

after(async () => {
  setS3Client(null);
  await s3.close();
  removeFolder(path.dirname(folder));
  await db().$disconnect();
});

describe('scanning a model', () => {
  test('every file hashed on every core agrees with sha256sum; the chat template and the shard index are found', async () => {
    let bytes = 0;
    deployed = await scanModel(folder, { onBytes: (n) => (bytes += n) });
    assert.deepEqual(deployed.files.map((f) => f.path).sort(), [...files].sort());
    assert.equal(bytes, deployed.files.reduce((s, f) => s + f.sizeBytes, 0));
    assert.ok(bytes > 256 * 1024 * 1024);
    const sums = execFileSync('sha256sum', files.map((f) => path.join(folder, f)), { encoding: 'utf8' }).trim().split('\n').map((line) => line.split(/\s+/)[0]);
    assert.deepEqual(files.map((name) => deployed.files.find((f) => f.path === name)!.sha256), sums);
    assert.equal(deployed.chatTemplate, 'tokenizer_config.json');
    assert.equal(deployed.shardIndex?.shards.length, 4);
  });

  test('the same model read from S3 through the AWS SDK, listed across pages, gives the same manifest', async () => {
    await upload(folder, files, 'llama/2026-12-01');
    const fromS3 = await scanModel('s3://models/llama/2026-12-01');
    assert.deepEqual(fromS3, deployed);
    assert.ok(s3.requests.filter((r) => r.url.includes('list-type=2')).length >= 4, 'the listing took several pages');
  });
});

describe('the backup jobs\' API and what a copy is worth', () => {
  test('only a token with backups:report may report; bad manifests are refused with the field', async () => {
    assert.equal((await post(receiveCopy, {}, null)).status, 401);
    assert.equal((await post(receiveCopy, {}, await makeToken(['gateway']))).status, 403);
    const bad = await post(receiveCopy, { model: target.name, location: 's3://models/x', region: regionFar, manifest: { files: [{ path: '../etc/passwd', sha256: 'x', sizeBytes: 1 }] } });
    assert.equal(bad.status, 400);
    const body = (await bad.json()) as { error: { fieldErrors: Record<string, string[]> } };
    assert.ok(Object.keys(body.error.fieldErrors).some((k) => k.startsWith('manifest.files.0')));
    assert.equal((await post(receiveCopy, { model: 'no-such-model', location: 's3://models/x', region: regionFar, manifest: deployed })).status, 404);
  });

  test('a complete copy outside the serving region whose checksums match what serves is restorable, and is evidence in the grid', async () => {
    assert.equal((await post(receiveDeployed, { model: target.name, manifest: deployed })).status, 201);
    const response = await post(receiveCopy, { model: target.name, location: 's3://models/llama/2026-12-01', region: regionFar, manifest: deployed });
    assert.equal(response.status, 201);
    const copy = (await response.json()) as { restorable: boolean; problems: string[] };
    assert.deepEqual(copy.problems, []);
    assert.equal(copy.restorable, true);
    const evidence = await db().recoveryEvidence.findFirstOrThrow({ where: { component: { targetId: target.id }, kind: 'backup' }, orderBy: { receivedAt: 'desc' } });
    assert.equal(evidence.ok, true);
    assert.equal(evidence.source, (await db().apiToken.findFirstOrThrow({ where: { name: { startsWith: 'backup-job' } }, orderBy: { createdAt: 'asc' } })).name);
    const model = (await getBackupsOverview()).models.find((m) => m.target?.name === target.name)!;
    assert.equal(model.status.best?.region, regionFar);
    assert.equal(model.status.verdict, 'protected');
  });

  test('a location holds one copy: the same report sent five times at once, and once more later, leaves one record', async () => {
    const location = 's3://models/llama/retried';
    const statuses = await Promise.all(Array.from({ length: 5 }, () => post(receiveCopy, { model: target.name, location, region: regionFar, manifest: deployed }).then((r) => r.status)));
    assert.deepEqual(statuses, [201, 201, 201, 201, 201]);
    const takenAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000).toISOString();
    assert.equal((await post(receiveCopy, { model: target.name, location, region: regionFar, manifest: deployed, takenAt })).status, 201);
    const copies = await db().backupCopy.findMany({ where: { location }, select: { takenAt: true } });
    assert.equal(copies.length, 1);
    assert.equal(copies[0].takenAt.toISOString(), takenAt, 'the last report is the record');
    await db().backupCopy.deleteMany({ where: { location } });
  });

  test('the broken variant without its tokenizer is not restorable and says what is missing', async () => {
    const brokenFiles = generateModelFolder(broken, { shards: 1, shardBytes: 1024 * 1024, withTokenizer: false });
    await upload(broken, brokenFiles, 'llama-broken/2026-12-02');
    const manifest = await scanModel('s3://models/llama-broken/2026-12-02');
    const copy = (await (await post(receiveCopy, { model: target.name, location: 's3://models/llama-broken/2026-12-02', region: regionFar, manifest })).json()) as { restorable: boolean; problems: string[] };
    assert.equal(copy.restorable, false);
    assert.ok(copy.problems.includes('tokenizer.json missing: without its tokenizer the model produces gibberish'), copy.problems.join('\n'));
    assert.ok(copy.problems.some((p) => p.startsWith('model-00002-of-00004.safetensors missing')), 'and the shards of what serves');
    const evidence = await db().recoveryEvidence.findFirstOrThrow({ where: { component: { targetId: target.id }, kind: 'backup' }, orderBy: { receivedAt: 'desc' } });
    assert.equal(evidence.ok, false);
  });

  test('a config.json that differs from what serves is named', async () => {
    const changed = { ...deployed, files: deployed.files.map((f) => (f.path === 'config.json' ? { ...f, sha256: 'f'.repeat(64) } : f)) };
    const copy = (await (await post(receiveCopy, { model: target.name, location: `${folder}-elsewhere`, region: regionFar, manifest: changed })).json()) as { problems: string[] };
    assert.deepEqual(copy.problems, ['config.json differs from what serves']);
  });

  test('a part an admin requires must be in every copy', async () => {
    const model = await db().modelArtifact.findUniqueOrThrow({ where: { targetId: target.id } });
    await rejectsWith(addPart(users.viewer, { modelId: model.id, path: 'serving.json', kind: 'serving_args', reason: 'vLLM flags' }), 'FORBIDDEN');
    await rejectsWith(addPart(users.operator, { modelId: model.id, path: '../serving.json', kind: 'serving_args', reason: 'vLLM flags' }), 'INVALID');
    await addPart(users.operator, { modelId: model.id, path: 'serving.json', kind: 'serving_args', note: 'vLLM flags', reason: 'the engine needs its flags' });
    const view = (await getModelBackups(model.id))!;
    const copy = view.copies.find((c) => c.location === 's3://models/llama/2026-12-01')!;
    assert.equal(copy.assessment.restorable, false);
    assert.ok(copy.assessment.problems.some((p) => p.message === 'serving.json missing: serving arguments required (vLLM flags)'));
    await db().modelPart.deleteMany({ where: { modelId: model.id } });
  });

  test('reading the copy in S3 finds a shard that was deleted after the scan', async () => {
    const copy = await db().backupCopy.findFirstOrThrow({ where: { location: 's3://models/llama/2026-12-01' } });
    await client.send(new DeleteObjectCommand({ Bucket: 'models', Key: 'llama/2026-12-01/model-00002-of-00004.safetensors' }));
    await rejectsWith(verifyCopy(users.viewer, { copyId: copy.id }), 'FORBIDDEN');
    const result = await verifyCopy(users.operator, { copyId: copy.id });
    assert.deepEqual(result.problems, ['model-00002-of-00004.safetensors missing']);
    const view = (await getModelBackups(copy.modelId))!;
    assert.equal(view.copies.find((c) => c.id === copy.id)!.assessment.restorable, false);
    assert.equal(view.status.verdict, 'unprotected');
    await db().backupCopy.update({ where: { id: copy.id }, data: { verifyProblems: [] } });
  });
  test('a location Standby cannot read proves nothing: the check is refused and recorded nowhere; a bucket that is gone is recorded', async () => {
    const model = await db().modelArtifact.findUniqueOrThrow({ where: { targetId: target.id } });
    const unreachable = await recordCopy('integration test', { model: target.name, location: '/nowhere/standby-integration/copy', region: regionFar, manifest: deployed }, Date.now());
    const refused = await verifyCopy(users.operator, { copyId: unreachable.id }).then(() => null, (error: unknown) => error);
    assert.ok(refused instanceof AppError && refused.code === 'UNAVAILABLE', String(refused));
    assert.match(refused.message, /could not read \/nowhere\/standby-integration\/copy: .*Nothing was recorded/);
    const untouched = await db().backupCopy.findUniqueOrThrow({ where: { id: unreachable.id } });
    assert.equal(untouched.verifiedAt, null);
    assert.equal((await auditEntriesFor(unreachable.id)).length, 0);
    assert.equal((await getModelBackups(model.id))!.copies.find((c) => c.id === unreachable.id)!.verifyProblems, null);

    const gone = await recordCopy('integration test', { model: target.name, location: 's3://no-such-bucket/llama/2026-12-01', region: regionFar, manifest: deployed }, Date.now());
    const result = await verifyCopy(users.operator, { copyId: gone.id });
    assert.equal(result.problems.length, 1);
    assert.match(result.problems[0], /^the bucket does not exist/);
    await db().backupCopy.deleteMany({ where: { id: { in: [unreachable.id, gone.id] } } });
  });
});

describe('restore time against the RTO', () => {
  test('a slow link makes the estimate exceed the RTO, with the fixes named; a timed restore replaces the estimate and is evidence', async () => {
    await rejectsWith(setLink(users.viewer, { fromRegion: regionFar, toRegion: regionHome, gbps: 0.001, expectedVersion: 0, reason: 'slow link' }), 'FORBIDDEN');
    await setLink(users.operator, { fromRegion: regionFar, toRegion: regionHome, gbps: 0.001, expectedVersion: 0, reason: 'a 1 Mbit/s link to test' });
    await rejectsWith(setLink(users.admin, { fromRegion: regionFar, toRegion: regionHome, gbps: 1, expectedVersion: 0, reason: 'stale' }), 'CONFLICT');
    const model = (await getBackupsOverview()).models.find((m) => m.target?.name === target.name)!;
    assert.equal(model.status.restoreBasis, 'estimate');
    assert.equal(model.status.best?.estimate.bandwidth.source, 'declared');
    assert.ok(model.status.ratio! > 5, `ratio ${model.status.ratio}`);
    assert.equal(model.status.verdict, 'at_risk');
    assert.ok(model.status.fixes.some((f) => f.change.startsWith(`Keep a pre-staged replica of ${model.name} in ${regionHome}`)));
    assert.ok(model.status.fixes.some((f) => f.change.startsWith(`Raise the bandwidth from ${regionFar} to ${regionHome} from 1 Mbit/s`)));

    const copy = await db().backupCopy.findFirstOrThrow({ where: { location: 's3://models/llama/2026-12-01' } });
    assert.equal((await post(receiveRestoreTest, { model: target.name, copyId: copy.id, transferMs: 8_000, loadMs: 50_000, detail: 'restored on a scratch GPU host' })).status, 201);
    const after = (await getModelBackups(model.id))!;
    assert.equal(after.status.restoreBasis, 'restore_test');
    assert.equal(after.status.restoreMs, 58_000);
    assert.equal(after.status.verdict, 'protected');
    const cells = (await getCompliance(parsePeriod('90d', Date.now())!)).components.find((c) => c.targetName === target.name)!.cells;
    assert.equal(cells.data_loss?.rto.worstMs, 58_000, 'the grid measures the model\'s RTO from the timed restore');
  });
});

describe('the command line and missed backups', () => {
  test('backup scan reports the copy, and a missed backup raises an alert on the service until a copy arrives', async () => {
    const lines: string[] = [];
    const code = await runBackupCommand(['scan', folder, '--model', target.name, '--location', `file://${folder}`, '--region', regionFar], (line) => lines.push(line), { reportToDatabase: async () => true });
    assert.equal(code, 0, lines.join('\n'));
    assert.ok(lines.some((l) => /hashed 12 files/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /recorded: restorable/.test(l)), lines.join('\n'));
    assert.equal(await runBackupCommand(['scan', folder], () => {}, { reportToDatabase: async () => true }), 2);
    const out = path.join(path.dirname(folder), 'manifest.json');
    assert.equal(await runBackupCommand(['scan', broken, '--model', target.name, '--region', regionFar, '--out', out], () => {}, { reportToDatabase: async () => false }), 0);
    assert.ok((JSON.parse(readFileSync(out, 'utf8')) as Manifest).files.some((f) => f.path === 'config.json'));
    writeFileSync(out, '');

    const serviceId = (await db().service.findUniqueOrThrow({ where: { name: service } })).id;
    const later = Date.now() + 2 * DAY;
    const raised = await evaluateBackupAlerts(later);
    assert.ok(raised.opened.some((name) => name === target.name || name.startsWith(target.name)));
    const alert = await db().alertEvent.findFirstOrThrow({ where: { serviceId, kind: 'backup_missed', resolvedAt: null } });
    assert.match(JSON.stringify(alert.details), /no restorable copy/);
    await recordCopy('integration test', { model: target.name, location: 's3://models/llama/2026-12-03', region: regionFar, manifest: deployed }, later);
    await evaluateBackupAlerts(later);
    assert.ok((await db().alertEvent.findUniqueOrThrow({ where: { id: alert.id } })).resolvedAt);
  });
});
