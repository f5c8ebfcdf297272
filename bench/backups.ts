// The benchmark of issue 15 (backups and state), three parts side by side in
// one run, each against the benchmark's embedded PostgreSQL:
//
// 1. `backup scan` hashes a multi-shard model folder at least 80% as fast as
//    `sha256sum` on the same files, both on both cores (two sha256sum
//    processes, each on half the shards), files in the page cache, in
//    alternating passes.
// 2. With the conversation store on, the gateway's CPU per request stays
//    within 20% of the same process without it, and an answer is durable
//    within 1 s at the 99th percentile, at 500 requests/s (every request
//    names a conversation, four turns each, in alternating passes).
// 3. A configuration change is in the git repository within 2 s: the
//    leader's loop as it runs, after changes made through the mutations.
//
// Part of `npm run bench` (bench/run.ts starts this file as a process of its
// own) and runnable alone:
//
//   npm run bench -- backups
//   BENCH_QUICK=1 npm run bench -- backups     smaller and shorter (checks the harness; not the issue's figures)
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { generateModelFolder } from '../test/hf-model';
import { BENCH_TOKEN, machine, machineRows, ROOT, runGroup, sleep, startChild, tsNodeArgs, type Child, type Machine } from './harness';
import { writeResultsSection } from './history';
import type { OpenLoopRecord } from './loader';
import { cpuMsOf, postgresCpuMs } from './recovery';
import { benchLog, benchSecrets, int, ms, openScratchDatabase, pct } from './scratch-database';
import { median } from './stats';
import type { ConversationGatewayConfig } from './conversation-gateway';

const run = promisify(execFile);
const QUICK = process.env.BENCH_QUICK === '1';
const SHARDS = 8;
const SHARD_BYTES = (QUICK ? 32 : 160) * 1024 * 1024;
const SCAN_PASSES = QUICK ? 2 : 4;
const RATE = 500;
const TURNS = 4;
const PASSES = QUICK ? 2 : 6;
const PASS_S = QUICK ? 4 : 10;
const PRE_PASS_S = 2;
const CHANGES = QUICK ? 5 : 20;
const CHANGE_GAP_MS = 1_500;
const DATABASE = 'standby_bench_backups';
const TMP = path.join(ROOT, 'bench/.tmp');
export const BACKUPS_BEGIN = '<!-- backups:begin -->';
export const BACKUPS_END = '<!-- backups:end -->';

const t0 = Date.now();
const log = benchLog('backups');
const gbs = (bytesPerS: number) => `${(bytesPerS / 1e9).toFixed(2)} GB/s`;
const verdict = (met: boolean) => (met ? '**met**' : '**missed**');

type ScanPass = { tool: 'backup scan' | 'sha256sum'; seconds: number; bytesPerS: number };
type ConversationPass = { store: boolean; requests: number; failed: number; rps: number; gatewayUs: number; postgresUs: number; p50Ms: number | null; p99Ms: number | null; maxMs: number | null; answers: number };
type ConfigChange = { number: number; lagMs: number; commit: string | null };

export type BackupsResult = {
  machine: Machine; loadEnd: string; quick: boolean;
  folder: { files: number; bytes: number; shards: number };
  scan: ScanPass[];
  conversations: ConversationPass[];
  config: ConfigChange[];
  elapsedS: number;
};

// ---- 1. scan against sha256sum -------------------------------------------------------------

async function scanPasses(): Promise<{ passes: ScanPass[]; files: number; bytes: number }> {
  const dir = path.join(TMP, 'bench-model');
  rmSync(dir, { recursive: true, force: true });
  log(`generating a model folder: ${SHARDS} shards of ${SHARD_BYTES / 1024 / 1024} MiB`);
  const names = generateModelFolder(dir, { shards: SHARDS, shardBytes: SHARD_BYTES });
  const files = names.map((n) => path.join(dir, n));
  const bytes = files.reduce((sum, f) => sum + statSync(f).size, 0);
  const { scanModel } = await import('@/lib/backups/scan');
  // Both tools read from the page cache: read everything once first.
  await run('sh', ['-c', 'cat "$@" > /dev/null', 'sh', ...files]);
  // Both cores for sha256sum too: two processes, each on every other file (shards first, by size).
  const bySize = [...files].sort((a, b) => statSync(b).size - statSync(a).size);
  const halves = [bySize.filter((_, i) => i % 2 === 0), bySize.filter((_, i) => i % 2 === 1)];
  const passes: ScanPass[] = [];
  for (let i = 0; i < SCAN_PASSES * 2; i += 1) {
    const tool = (Math.floor(i / 2) + i) % 2 === 0 ? 'backup scan' : 'sha256sum';
    const began = performance.now();
    if (tool === 'backup scan') {
      const manifest = await scanModel(dir);
      if (manifest.files.length !== files.length) throw new Error('the scan missed files');
    } else {
      await Promise.all(halves.map((half) => run('sha256sum', half, { maxBuffer: 16 * 1024 * 1024 })));
    }
    const seconds = (performance.now() - began) / 1000;
    passes.push({ tool, seconds, bytesPerS: bytes / seconds });
    log(`${tool}: ${seconds.toFixed(2)} s (${gbs(bytes / seconds)})`);
  }
  rmSync(dir, { recursive: true, force: true });
  return { passes, files: files.length, bytes };
}

// ---- 2. the conversation store at 500 requests/s ------------------------------------------------

async function conversationPasses(client: pg.Client): Promise<ConversationPass[]> {
  const { db } = await import('@/lib/server/db');
  const { hashToken } = await import('@/lib/access/tokens');
  const upstream = await startChild<{ port: number }>('upstream', 'bench/upstream.ts');
  const loader = await startChild('loader', 'bench/loader.ts');
  let gateway: Child<{ port: number; pid: number }> | null = null;
  try {
    const provider = await db().provider.create({ data: { name: 'bench-provider', kind: 'openai', apiStyle: 'openai_chat' }, select: { id: true } });
    const region = await db().region.create({ data: { code: 'bench-region', name: 'bench' }, select: { id: true } });
    const endpointUrl = `http://127.0.0.1:${upstream.info.port}/conversations/v1`;
    const target = await db().target.create({ data: { name: 'bench-target', providerId: provider.id, regionId: region.id, model: 'bench-model', endpointUrl, rpm: 1e6, tpm: 1e9, contextWindow: 128_000, priceInPerMTok: 0, priceOutPerMTok: 0, qualityClass: 'standard' }, select: { id: true } });
    const service = await db().service.create({ data: { name: 'bench-conversations', conversationStore: true, chain: { create: [{ targetId: target.id, position: 0, failoverOn: ['server_error'] }] } }, select: { id: true, name: true } });
    const token = await db().apiToken.create({ data: { name: 'bench', prefix: 'bench000', tokenHash: hashToken(BENCH_TOKEN), services: [], createdBy: 'bench' }, select: { id: true } });
    const config: ConversationGatewayConfig = { serviceId: service.id, serviceName: service.name, targetId: target.id, endpointUrl, tokenId: token.id };
    gateway = await startChild<{ port: number; pid: number }>('conversation gateway', 'bench/conversation-gateway.ts', {
      env: { BENCH_CONVERSATION_GATEWAY: JSON.stringify(config), DATABASE_URL: process.env.DATABASE_URL! },
      // BENCH_PROFILE=1: a CPU profile of the whole run into bench/.tmp/.
      nodeFlags: process.env.BENCH_PROFILE === '1' ? ['--cpu-prof', `--cpu-prof-dir=${TMP}`] : [],
    });
    const base = {
      url: `http://127.0.0.1:${gateway.info.port}/api/v1/chat/completions`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_TOKEN}` },
      body: JSON.stringify({ model: service.name, messages: [{ role: 'user', content: 'Say hello in five words.' }] }),
    };
    const subject = (store: boolean, pass: number) => ({ ...base, label: store ? 'store' : 'plain', ...(store ? { rotate: { header: 'x-standby-conversation', prefix: `bench-${pass}-`, every: TURNS } } : {}) });
    log(`warm-up: ${RATE} requests/s for ${PRE_PASS_S * 3} s, half of them naming conversations`);
    for (const store of [true, false]) {
      await loader.call('openLoopStart', { subject: subject(store, -1), rate: RATE });
      await sleep(PRE_PASS_S * 1_500);
      await loader.call('openLoopStop');
    }
    const passes: ConversationPass[] = [];
    for (let i = 0; i < PASSES * 2; i += 1) {
      const store = Math.floor(i / 2) % 2 === 0 ? i % 2 === 1 : i % 2 === 0;
      await loader.call('openLoopStart', { subject: subject(store, i * 2), rate: RATE });
      await sleep(PRE_PASS_S * 1_000);
      await loader.call<OpenLoopRecord[]>('openLoopStop');
      await gateway.call('flush');
      const before = { gateway: cpuMsOf(gateway.info.pid), postgres: postgresCpuMs(), served: await gateway.call<number>('served'), at: new Date() };
      await loader.call('openLoopStart', { subject: subject(store, i * 2 + 1), rate: RATE });
      await sleep(PASS_S * 1_000);
      const records = await loader.call<OpenLoopRecord[]>('openLoopStop');
      const end = new Date();
      // The writes of the pass's last answers belong to it: wait for them, then read the CPU.
      await sleep(1_000);
      const after = { gateway: cpuMsOf(gateway.info.pid), postgres: postgresCpuMs(), served: await gateway.call<number>('served') };
      const requests = after.served - before.served;
      const lag = await client.query<{ n: string; p50: number | null; p99: number | null; max: number | null }>(
        `SELECT count(*) AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY lag) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY lag) AS p99, max(lag) AS max
         FROM (SELECT extract(epoch FROM ("writtenAt" - at)) * 1000 AS lag FROM "ConversationMessage" WHERE role = 'assistant' AND at >= $1 AND at < $2) m`,
        [before.at, end],
      );
      const pass: ConversationPass = {
        store, requests, failed: records.filter((r) => r.status !== 200).length, rps: records.length / PASS_S,
        gatewayUs: ((after.gateway - before.gateway) * 1000) / requests, postgresUs: ((after.postgres - before.postgres) * 1000) / requests,
        answers: Number(lag.rows[0].n), p50Ms: lag.rows[0].p50 === null ? null : Number(lag.rows[0].p50), p99Ms: lag.rows[0].p99 === null ? null : Number(lag.rows[0].p99), maxMs: lag.rows[0].max === null ? null : Number(lag.rows[0].max),
      };
      passes.push(pass);
      const failure = records.find((r) => r.status !== 200);
      if (failure) log(`  first failure: ${failure.status} ${failure.error ?? ''}`);
      log(`pass ${i + 1} of ${PASSES * 2}, store ${store ? 'on ' : 'off'}: ${int(pass.rps)} requests/s sent, ${pass.failed} failed, gateway ${pass.gatewayUs.toFixed(0)} µs CPU per request, PostgreSQL ${pass.postgresUs.toFixed(0)} µs${store ? `; durable within ${ms(pass.p99Ms ?? NaN)} at p99 over ${int(pass.answers)} answers` : ''}`);
    }
    log(`store: ${JSON.stringify(await gateway.call('stats'))}`);
    return passes;
  } finally {
    await gateway?.stop();
    await loader.stop();
    await upstream.stop();
  }
}

// ---- 3. configuration changes into git -------------------------------------------------------

async function configChanges(): Promise<ConfigChange[]> {
  const { db } = await import('@/lib/server/db');
  await import('@/lib/config-history/sections');
  const { createService, updateService } = await import('@/lib/inventory/mutations');
  const { configHistoryTask } = await import('@/lib/config-history/publish-task');
  const { startLeaderTasks } = await import('@/lib/server/leader-tasks');
  const repo = path.join(TMP, 'bench-config.git');
  rmSync(repo, { recursive: true, force: true });
  process.env.STANDBY_CONFIG_REPO = repo;
  const { syncComponents } = await import('@/lib/recovery/components');
  const admin = await db().user.create({ data: { email: 'bench-admin@standby.bench', name: 'Bench', role: 'admin', passwordHash: 'x' }, select: { id: true, email: true, name: true, role: true } });
  // The configuration's recovery component, which the recovery loop creates in a server, receives the lag.
  await syncComponents();
  const service = await createService(admin, { name: 'bench-config', description: 'version 0', owner: 'bench', reason: 'the service the benchmark edits' });
  const loop = startLeaderTasks([configHistoryTask()], { log: (line: string) => log(`  ${line}`) });
  try {
    await sleep(3_000);
    const first = (await db().configVersion.aggregate({ _max: { number: true } }))._max.number ?? 0;
    let version = (await db().service.findUniqueOrThrow({ where: { id: service.id }, select: { version: true } })).version;
    for (let i = 1; i <= CHANGES; i += 1) {
      await updateService(admin, { id: service.id, version }, { name: 'bench-config', description: `version ${i}`, owner: 'bench', reason: `change ${i}` });
      version += 1;
      await sleep(CHANGE_GAP_MS);
    }
    await sleep(2_500);
    const rows = await db().configVersion.findMany({ where: { number: { gt: first } }, orderBy: { number: 'asc' }, select: { number: true, createdAt: true, gitAt: true, gitCommit: true } });
    const changes = rows.map((r) => ({ number: r.number, lagMs: r.gitAt ? r.gitAt.getTime() - r.createdAt.getTime() : Infinity, commit: r.gitCommit }));
    log(`configuration: ${changes.length} versions, in git after ${ms(median(changes.map((c) => c.lagMs)))} at the median, ${ms(Math.max(...changes.map((c) => c.lagMs)))} at worst`);
    return changes;
  } finally {
    await loop.stop();
    rmSync(repo, { recursive: true, force: true });
  }
}

// ---- the report -----------------------------------------------------------------------------------

const perRequest = (list: ConversationPass[], pick: (p: ConversationPass) => number) => list.reduce((sum, p) => sum + pick(p) * p.requests, 0) / list.reduce((sum, p) => sum + p.requests, 0);

export function backupsSection(r: BackupsResult): string {
  const scanRate = median(r.scan.filter((p) => p.tool === 'backup scan').map((p) => p.bytesPerS));
  const sumRate = median(r.scan.filter((p) => p.tool === 'sha256sum').map((p) => p.bytesPerS));
  const scanRatio = scanRate / sumRate;
  const on = r.conversations.filter((p) => p.store);
  const off = r.conversations.filter((p) => !p.store);
  const cpuOn = perRequest(on, (p) => p.gatewayUs);
  const cpuOff = perRequest(off, (p) => p.gatewayUs);
  const cpuRatio = cpuOn / cpuOff - 1;
  const p99 = Math.max(...on.map((p) => p.p99Ms ?? Infinity));
  const configWorst = Math.max(...r.config.map((c) => c.lagMs));
  const lines = [
    BACKUPS_BEGIN,
    '## 9. Backups and state: scanning a model, the conversation store, configuration into git (issue 15)',
    '',
    `Written by bench/backups.ts (\`npm run bench -- backups\`) on ${r.machine.date.slice(0, 10)} at ${r.machine.date.slice(11, 16)} UTC, in ${(r.elapsedS / 60).toFixed(1)} minutes.`,
    '',
    ...machineRows(r.machine),
    `| load average (1 / 5 / 15 min) | ${r.machine.load} at the start, ${r.loadEnd} at the end |`,
    '',
    ...(r.quick ? ['**BENCH_QUICK: smaller and shorter, to check the harness; not the issue\'s figures.**', ''] : []),
    '| target | result | |',
    '|---|---|---|',
    `| \`backup scan\` at least 80% as fast as \`sha256sum\`, same files, both on both cores | ${gbs(scanRate)} against ${gbs(sumRate)}: ${(scanRatio * 100).toFixed(0)}% | ${verdict(scanRatio >= 0.8)} |`,
    `| gateway CPU per request with the conversation store on within 20% of without, at ${RATE} requests/s | ${cpuOn.toFixed(0)} µs against ${cpuOff.toFixed(0)} µs: ${pct(cpuRatio)} | ${verdict(cpuRatio <= 0.2)} |`,
    `| conversation RPO (an answer's last byte to its durable write) under 1 s at the 99th percentile, at ${RATE} requests/s | worst pass ${ms(p99)} (median of passes ${ms(median(on.map((p) => p.p99Ms ?? Infinity)))}) | ${verdict(p99 < 1_000)} |`,
    `| a configuration version in the git repository within 2 s of the change | ${ms(median(r.config.map((c) => c.lagMs)))} at the median, ${ms(configWorst)} at worst over ${r.config.length} changes | ${verdict(configWorst <= 2_000)} |`,
    '',
    `**Scan.** A model folder generated as Hugging Face lays one out (test/hf-model.ts): ${r.folder.shards} safetensors shards, ${r.folder.files} files, ${(r.folder.bytes / 1e9).toFixed(2)} GB, in the page cache (read once before), so both tools hash rather than wait on the disk. \`backup scan\`'s hashing (lib/backups/scan.ts: a worker thread per core, 4 MiB reads into one buffer, Node's OpenSSL SHA-256) against two \`sha256sum\` processes each on half the shards, alternating which goes first:`,
    '',
    '| pass | tool | time | rate |',
    '|---|---|---|---|',
    ...r.scan.map((p, i) => `| ${i + 1} | ${p.tool} | ${p.seconds.toFixed(2)} s | ${gbs(p.bytesPerS)} |`),
    '',
    `**Conversation store.** The real gateway handler and conversation store in a process of their own (bench/conversation-gateway.ts), a local upstream, an open loop of ${RATE} requests/s; with the store on every request names a conversation (a new one every ${TURNS} turns, so each upstream request carries up to ${TURNS * 2 - 1} messages of history), off the same requests without the header. Passes of ${PASS_S} s alternate (off-on, on-off, …) after ${PRE_PASS_S} s of unmeasured load each. CPU is the gateway process's (user + system, from /proc), the conversation writer's encryption and batches included; PostgreSQL's is shown apart. The RPO per answer is \`writtenAt - at\` of its row (the answer's last byte to the insert of its batch, whose commit follows at once).`,
    '',
    '| pass | store | requests/s | failed | gateway CPU / request | PostgreSQL CPU / request | durable within (p50 / p99 / worst) |',
    '|---|---|---|---|---|---|---|',
    ...r.conversations.map((p, i) => `| ${i + 1} | ${p.store ? 'on' : 'off'} | ${int(p.rps)} | ${p.failed} | ${p.gatewayUs.toFixed(0)} µs | ${p.postgresUs.toFixed(0)} µs | ${p.store ? `${ms(p.p50Ms ?? NaN)} / ${ms(p.p99Ms ?? NaN)} / ${ms(p.maxMs ?? NaN)} over ${int(p.answers)} answers` : '—'} |`),
    '',
    `PostgreSQL's CPU per request: ${perRequest(on, (p) => p.postgresUs).toFixed(0)} µs with the store, ${perRequest(off, (p) => p.postgresUs).toFixed(0)} µs without (the recorder's rows in both).`,
    '',
    `**Configuration into git.** ${r.config.length} changes made through the inventory's own mutation, ${CHANGE_GAP_MS / 1000} s apart, with the leader's configuration-history loop running as it does in a server (lib/config-history/publish-task.ts: it looks for waiting versions every 250 ms and commits each with git's plumbing into a local bare repository). Lag = the commit's recording time minus the change's.`,
    '',
    `Per change (ms): ${r.config.map((c) => Math.round(c.lagMs)).join(', ')}.`,
    BACKUPS_END,
  ];
  return lines.join('\n');
}

export function runBackupsBench(): Promise<number> {
  return runGroup(process.execPath, tsNodeArgs('bench/backups.ts'), {}, 30 * 60_000);
}

async function main() {
  benchSecrets();
  mkdirSync(TMP, { recursive: true });
  const host = machine();
  log(`${host.cpu}, ${host.cores} cores, ${host.memory}; load average ${host.load}${QUICK ? ' (QUICK: not the issue\'s figures)' : ''}`);
  const scan = await scanPasses();
  const database = await openScratchDatabase(DATABASE);
  try {
    log(`the conversation store at ${RATE} requests/s, ${PASSES * 2} passes of ${PASS_S} s`);
    const conversations = await conversationPasses(database.client);
    log(`configuration: ${CHANGES} changes, ${CHANGE_GAP_MS / 1000} s apart`);
    const config = await configChanges();
    const result: BackupsResult = {
      machine: host, loadEnd: os.loadavg().map((l) => l.toFixed(2)).join(' / '), quick: QUICK,
      folder: { files: scan.files, bytes: scan.bytes, shards: SHARDS }, scan: scan.passes, conversations, config, elapsedS: (Date.now() - t0) / 1000,
    };
    writeResultsSection(backupsSection(result), BACKUPS_BEGIN, BACKUPS_END);
    log('wrote the backups section of bench/RESULTS.md');
  } finally {
    await database.close();
    for (const entry of readdirSync(TMP)) if (entry.startsWith('bench-model') || entry === 'bench-config.git') rmSync(path.join(TMP, entry), { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(__filename)) {
  main()
    .then(() => process.exit(0))
    .catch((error) => {
      console.error('[bench backups] failed:', error);
      process.exit(1);
    });
}
