// Standby's command line: starts the product and runs its maintenance tasks.
//   npm run demo                   embedded PostgreSQL + seeded demo estate + web server
//   npm start                      production start (migrations applied, no demo data)
//   npm run dev                    development server with the demo estate
//   npm run db:migrate | db:seed   apply migrations | seed the demo estate (idempotent)
//   npm run standby -- db          run only the embedded PostgreSQL (used by the e2e suite)
//   npm run standby -- monitor     a replica that only probes and leads the control loops (worker/index.ts)
//   npm run standby -- user create --email a@b.c --name "A" --role admin   (password from STANDBY_NEW_PASSWORD or prompt)
//   npm run standby -- config export [file] | config apply <file> [--dry-run] [--prune] [--reason "..."]
//   npm run standby -- config rebuild <repo> [--ref <commit>] [--secrets <file>] | config publish   (configuration history in git)
//   npm run standby -- backup scan <dir> --model <name> --location <url> --region <code> [--deployed]   hash a model's files and report the copy
//   npm run standby -- rollups rebuild [--days N]   recompute the chart/SLO rollups of the last N days from raw rows
// Every configuration section known to the version writer before any change is made (lib/config-versions/section.ts).
import '@/lib/config-history/sections';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { defaultEnv, launchEnv, stateDir } from '../lib/server/env';
import { loadLocalSecrets } from '../lib/server/runtime/local-secrets';
import { startEmbeddedPostgres, EmbeddedDatabaseError, type EmbeddedDatabase } from '../lib/server/runtime/embedded-postgres';
import { applyMigrations, MigrationError } from '../lib/server/runtime/migrate';
import { answerWorkers, startWorkerPool, workerCount, workerSlot } from '../lib/server/runtime/workers';

// Set by scripts/run.mjs, which runs this file compiled into .standby/build/ (so __dirname is not scripts/).
const ROOT = launchEnv().STANDBY_ROOT ?? path.resolve(__dirname, '..');
const log = (line: string) => {
  const slot = workerSlot();
  console.log(`[standby${slot === null ? '' : ` ${slot}`}] ${line}`);
};

/**
 * The simulated upstreams, compiled apart by scripts/run.mjs (.standby/build/simulator.cjs) and
 * loaded only when they are to run, so that the production server bundle holds none of them.
 */
function loadSimulator(): typeof import('../simulator/index') {
  const bundle = path.join(__dirname, 'simulator.cjs');
  if (!existsSync(bundle)) throw new Error(`The simulated upstreams were not built (${bundle}); start Standby with npm run demo, npm run dev, or STANDBY_SIMULATOR=1 npm start.`);
  // A path known only at run time: esbuild leaves this require to Node instead of bundling the simulator.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(bundle) as typeof import('../simulator/index');
}

type RunningSimulator = import('../simulator/index').RunningSimulator;

type Cleanup = () => Promise<void>;
const cleanups: Cleanup[] = [];
let shuttingDown = false;

async function shutdown(code: number): Promise<never> {
  if (!shuttingDown) {
    shuttingDown = true;
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => console.error('[standby] shutdown step failed', error));
  }
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // A worker stops when its primary tells it to (SIGTERM), after the primary has stopped taking connections:
    // a terminal's Ctrl-C reaches every process of the group at once.
    if (signal === 'SIGINT' && workerSlot() !== null) return;
    log(`${signal} received, shutting down`);
    void shutdown(0);
  });
}

async function ensureDatabase(): Promise<{ url: string; embedded: EmbeddedDatabase | null }> {
  const launch = launchEnv();
  if (launch.DATABASE_URL) return { url: launch.DATABASE_URL, embedded: null };
  const port = launch.STANDBY_PG_PORT;
  const dataDir = path.join(stateDir(), 'pg');
  log(`no DATABASE_URL: starting the embedded PostgreSQL in ${path.relative(ROOT, dataDir) || dataDir} on port ${port}`);
  const embedded = await startEmbeddedPostgres({
    dataDir,
    port,
    password: launch.STANDBY_EMBEDDED_PG_PASSWORD!,
    database: 'standby',
    log: launch.STANDBY_PG_LOG ? (line) => console.log(`[postgres] ${line}`) : undefined,
  });
  cleanups.push(async () => {
    log('stopping the embedded PostgreSQL');
    await embedded.stop();
  });
  defaultEnv({ DATABASE_URL: embedded.url });
  return { url: embedded.url, embedded };
}

async function migrate(url: string): Promise<void> {
  const report = await applyMigrations(url, path.join(ROOT, 'prisma/migrations'), log);
  log(report.applied.length ? `database schema up to date (${report.applied.length} migration(s) applied)` : 'database schema up to date');
}

function newestSourceMtime(dirs: string[]): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'generated' || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  for (const dir of dirs) if (existsSync(path.join(ROOT, dir))) walk(path.join(ROOT, dir));
  for (const file of ['next.config.js', 'package-lock.json', 'proxy.ts', 'instrumentation-client.ts']) newest = Math.max(newest, statSync(path.join(ROOT, file)).mtimeMs);
  return newest;
}

/** Builds the web app when there is no build, or when sources changed since the last one. */
function buildIfStale(): void {
  const buildId = path.join(ROOT, launchEnv().STANDBY_NEXT_DIST_DIR, 'BUILD_ID');
  if (existsSync(buildId) && statSync(buildId).mtimeMs >= newestSourceMtime(['app', 'components', 'lib', 'public'])) return;
  log('building the web app (next build), once per change of sources');
  const startedAt = new Date();
  const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/next/dist/bin/next'), 'build'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }, // passed on whole to the build, as a child inherits it
  });
  if (result.status !== 0) throw new Error('next build failed; see its output above');
  // A source saved while the build ran may or may not be in it: the build is dated from its start, so that such a
  // source is newer than it and the next start builds again (dated from its end, the change would be taken as built).
  utimesSync(buildId, startedAt, startedAt);
}

async function serve(mode: 'start' | 'demo' | 'dev'): Promise<void> {
  const dev = mode === 'dev';
  const { PORT: port, STANDBY_WORKERS } = launchEnv();
  defaultEnv({ NEXTAUTH_URL: `http://localhost:${port}` });
  const started = Date.now();
  // One process serves `next dev` (its compiler and hot reload are not shared across processes).
  const workers = dev ? 1 : workerCount(STANDBY_WORKERS);
  if (!dev) buildIfStale();
  const { url } = await ensureDatabase();
  await migrate(url);
  const { bootstrapFirstAdmin } = await import('../lib/access/bootstrap');
  let demoSignIns: (() => void) | null = null;
  if (mode !== 'start') {
    const { seedDemoEstate } = await import('../prisma/seed');
    const demo = await seedDemoEstate();
    demoSignIns = () => printDemoSignIns(demo.users, demo.apiToken);
  } else {
    await bootstrapFirstAdmin(log);
  }
  if (workers === 1) {
    await serveReplica(mode, url, { traffic: true });
  } else {
    // The workers inherit this environment (the database's URL, the secrets) and serve one port (lib/server/runtime/workers.ts).
    const pool = startWorkerPool({ count: workers, log });
    // /api/metrics on any worker answers for all of them.
    const { poolMetrics } = await import('../lib/gateway/metrics');
    answerWorkers('metrics', poolMetrics);
    cleanups.push(() => pool.stop());
    await pool.ready;
  }
  demoSignIns?.();
  const { env } = await import('../lib/server/env');
  log(`Standby is ready at ${env().NEXTAUTH_URL} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

/**
 * One replica at the front door: its data plane, the web app, and for the demo the simulated upstreams (every
 * worker answers /simulated/, as any may receive the request; the demo traffic is sent by one).
 */
async function serveReplica(mode: 'start' | 'demo' | 'dev', url: string, options: { traffic: boolean }): Promise<void> {
  const { PORT: port, HOST: host, STANDBY_SIMULATOR } = launchEnv();
  const { startFrontDoor } = await import('../lib/server/runtime/http-server');
  type LeanHandler = import('../lib/server/runtime/http-server').LeanHandler;
  const { startReplica } = await import('../worker/replica');
  const replica = await startReplica({ log });
  cleanups.push(() => replica.close());
  const lean: LeanHandler[] = [replica.dataPlane.handle];
  // The demo estate's simulated upstreams are served by this process, under /simulated/, from a bundle of their own (simulator/index.ts).
  let simulator: RunningSimulator | null = null;
  if (mode !== 'start' || STANDBY_SIMULATOR) {
    const { DEMO_API_TOKEN } = await import('../prisma/seed');
    simulator = loadSimulator().startSimulator({ databaseUrl: url, gatewayUrl: `http://127.0.0.1:${port}`, token: DEMO_API_TOKEN, log });
    cleanups.push(() => simulator!.close());
    lean.push(simulator.handle);
  }
  const { env } = await import('../lib/server/env');
  const { parseTrustedProxies } = await import('../lib/server/client-address');
  const proxies = parseTrustedProxies(env().STANDBY_TRUSTED_PROXIES);
  const frontDoor = await startFrontDoor({
    dir: ROOT, port, host, dev: mode === 'dev', lean, trustedProxies: proxies.ok ? proxies.trusted : undefined, onClientDisconnect: replica.dataPlane.clientDisconnected,
  });
  cleanups.push(() => frontDoor.close());
  if (options.traffic) simulator?.startTraffic();
}

/** A worker of the pool: the primary has started the database, applied migrations and seeded. */
async function serveAsWorker(mode: 'start' | 'demo' | 'dev', slot: number): Promise<void> {
  const { url } = await ensureDatabase();
  await serveReplica(mode, url, { traffic: slot === 1 });
  log(`serving (pid ${process.pid})`);
}

function printDemoSignIns(users: { email: string; role: string; password: string }[], apiToken: string): void {
  log('demo estate ready. Sign in with one of:');
  for (const user of users) console.log(`    ${user.role.padEnd(10)} ${user.email.padEnd(28)} password: ${user.password}`);
  log(`demo gateway token (OpenAI SDK: baseURL ${launchEnv().NEXTAUTH_URL ?? 'http://localhost:3000'}/api/v1, model: support-bot): ${apiToken}`);
}

async function runDatabaseOnly(): Promise<void> {
  const { url } = await ensureDatabase();
  await migrate(url);
  log(`database ready: ${url.replace(/:[^:@/]+@/, ':***@')}`);
  await new Promise(() => {});
}

async function main(): Promise<void> {
  loadLocalSecrets();
  defaultEnv({ NEXT_TELEMETRY_DISABLED: '1' });
  const [command = 'start', ...args] = process.argv.slice(2);
  switch (command) {
    case 'start':
    case 'demo':
    case 'dev': {
      const slot = workerSlot();
      return slot === null ? serve(command) : serveAsWorker(command, slot);
    }
    case 'db':
      return runDatabaseOnly();
    case 'monitor': {
      const { url } = await ensureDatabase();
      await migrate(url);
      const { startMonitorProcess } = await import('../worker/index');
      const running = await startMonitorProcess();
      cleanups.push(() => running.close());
      log('health monitor process started');
      setInterval(() => {}, 60_000); // the monitor's own timers are unref'd: this process exists for them
      return new Promise(() => {});
    }
    case 'migrate': {
      const { url } = await ensureDatabase();
      await migrate(url);
      return shutdown(0);
    }
    case 'seed': {
      const { url } = await ensureDatabase();
      await migrate(url);
      const { seedDemoEstate } = await import('../prisma/seed');
      const demo = await seedDemoEstate();
      printDemoSignIns(demo.users, demo.apiToken);
      return shutdown(0);
    }
    case 'user': {
      await ensureDatabase();
      const { runUserCommand } = await import('../lib/access/cli');
      await runUserCommand(args, log);
      return shutdown(0);
    }
    case 'config': {
      const { url } = await ensureDatabase();
      if (args[0] === 'rebuild' || args[0] === 'publish') {
        // An empty Standby is a fresh database: its schema first, as a start would.
        await migrate(url);
        const { runConfigHistoryCommand } = await import('../lib/config-history/cli');
        return shutdown(await runConfigHistoryCommand(args, log));
      }
      const { runConfigCommand } = await import('../lib/config/cli');
      return shutdown(await runConfigCommand(args, log));
    }
    case 'backup': {
      const { runBackupCommand } = await import('../lib/backups/cli');
      // A scan that reports elsewhere (--to) or only writes its manifest (--out) needs no database.
      const reportToDatabase = async () => {
        if (args.includes('--to') || args.includes('--out')) return false;
        await ensureDatabase();
        return true;
      };
      return shutdown(await runBackupCommand(args, log, { reportToDatabase }));
    }
    case 'rollups': {
      await ensureDatabase();
      const { runRollupsCommand } = await import('../lib/health/rollups-cli');
      return shutdown(await runRollupsCommand(args, log));
    }
    default:
      console.error(`Unknown command '${command}'. Commands: start, demo, dev, db, monitor, migrate, seed, user, config, backup, rollups.`);
      return shutdown(2);
  }
}

main().catch(async (error: unknown) => {
  const expected = error instanceof EmbeddedDatabaseError || error instanceof MigrationError;
  console.error(`[standby] ${expected ? '' : 'failed to start: '}${error instanceof Error ? (expected ? error.message : error.stack) : String(error)}`);
  await shutdown(1);
});
