// Process plumbing shared by the benchmark's orchestrator (bench/run.ts) and
// its helper processes: each helper is its own Node process (so the load
// generator never shares an event loop with a server) and answers commands
// over the IPC channel. Children exit when the orchestrator goes away.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { BreakerConfig } from '@/lib/routing/model';

// A helper runs compiled into bench/.tmp/build/ (see startChild), so its __dirname is not bench/.
export const ROOT = process.env.STANDBY_ROOT ?? path.resolve(__dirname, '..');
const SHIM = path.join(ROOT, 'scripts/server-only-shim.cjs');

/** Wall-clock epoch milliseconds with sub-millisecond precision, comparable across processes on one machine. */
export const now = () => performance.timeOrigin + performance.now();

/** The API token the benchmark's gateway accepts (a throwaway, valid only in that process's in-memory snapshot). */
export const BENCH_TOKEN = 'sbk_bench000_BenchmarkTokenForLocalUseOnly000';

/** What bench/gateway.ts routes: services, each a chain of targets on the bench upstream. */
export type GatewayConfig = {
  services: { name: string; chain: { target: string; endpointUrl: string }[] }[];
  breaker?: Partial<BreakerConfig>;
  /** Limits that follow each target's measured latency on every chain step (lib/routing/adaptive-limits.ts); absent: fixed. */
  adaptiveLimits?: { multiplier: number; floorMs: number };
};

export type Machine = { cpu: string; cores: number; memory: string; node: string; os?: string; load: string; date: string };

/** This machine, its load average and the time, for a report's header. */
export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    date: new Date().toISOString(),
    load: os.loadavg().map((l) => l.toFixed(2)).join(' / '),
  };
}

/** The first rows of a report's machine table (the load rows differ per report). */
export function machineRows(m: Machine): string[] {
  return ['| machine | |', '|---|---|', `| CPU | ${m.cpu} |`, `| cores | ${m.cores} |`, `| memory | ${m.memory} |`, `| Node | ${m.node} |`, ...(m.os ? [`| OS | ${m.os} |`] : [])];
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type Request = { id: number; cmd: string; args: unknown };
type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
type Ready = { type: 'ready'; info: unknown };

// ---- child side -------------------------------------------------------------

export type Handlers = Record<string, (args: never) => unknown>;

/** Serves `handlers` over IPC and tells the parent it is ready with `info`; `onDisconnect` runs before exiting when the parent goes. */
export function serveIpc(handlers: Handlers, info: unknown = {}, onDisconnect: () => Promise<void> = async () => {}): void {
  if (!process.send) throw new Error('this helper must be started by bench/run.ts (it needs an IPC channel)');
  process.on('message', async (message: Request) => {
    const handler = handlers[message.cmd] as ((args: unknown) => unknown) | undefined;
    let reply: Reply;
    try {
      if (!handler) throw new Error(`unknown command ${message.cmd}`);
      reply = { id: message.id, ok: true, result: await handler(message.args) };
    } catch (error) {
      reply = { id: message.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    }
    process.send?.(reply);
  });
  // The orchestrator is gone (finished, crashed or killed): never linger.
  process.on('disconnect', () => {
    void onDisconnect()
      .catch((error) => console.error(error))
      .finally(() => process.exit(0));
  });
  process.send({ type: 'ready', info } satisfies Ready);
}

// ---- parent side ------------------------------------------------------------

export type Child<Info = unknown> = {
  name: string;
  process: ChildProcess;
  info: Info;
  call<T = unknown>(cmd: string, args?: unknown): Promise<T>;
  /** Closes the IPC channel (the child exits by itself) and kills it if it is still there after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
};

const running = new Set<ChildProcess>();
const runningGroups = new Set<number>();

/** Kills every helper still running; called on exit, on a signal and on a crash. */
export function killAll(): void {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  for (const pid of runningGroups) {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
}

let cleanupInstalled = false;
function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      console.error(`\n[bench] ${signal}: stopping helpers`);
      killAll();
      process.exit(130);
    });
  }
}

/** Node flags to run a TypeScript orchestration script through tsx (the helpers that serve run compiled: see built()). */
export function tsNodeArgs(file: string, extra: string[] = []): string[] {
  return [...extra, '--require', SHIM, '--import', 'tsx', path.join(ROOT, file)];
}

const builds = new Map<string, Promise<string>>();

/**
 * A helper's TypeScript compiled the way scripts/run.mjs compiles Standby's own processes
 * (scripts/build-server.mjs), so that the gateway is measured as it runs in production.
 */
function built(file: string): Promise<string> {
  let entry = builds.get(file);
  if (!entry) {
    // Imported by path when first needed: the helpers bundle this module, and must not bundle the builder with it.
    const builder = path.join(ROOT, 'scripts/build-server.mjs');
    entry = (import(builder) as Promise<typeof import('../scripts/build-server.mjs')>).then(({ buildServer }) =>
      buildServer(file, path.join('bench/.tmp/build', `${path.basename(file, '.ts')}.cjs`)),
    );
    builds.set(file, entry);
  }
  return entry;
}

/** Starts a TypeScript helper with an IPC channel and waits until it says it is ready. */
export async function startChild<Info = unknown>(
  name: string,
  file: string,
  options: { env?: Record<string, string>; nodeFlags?: string[]; readyTimeoutMs?: number; ownGroup?: boolean } = {},
): Promise<Child<Info>> {
  installCleanup();
  const proc = spawn(process.execPath, [...(options.nodeFlags ?? []), '--require', SHIM, await built(file)], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, STANDBY_ROOT: ROOT, ...options.env },
    // A helper that starts processes of its own (PostgreSQL) gets a process group, so that an
    // interrupted run stops them with it (SIGTERM to the group) instead of orphaning them.
    detached: options.ownGroup ?? false,
  });
  if (options.ownGroup && proc.pid !== undefined) runningGroups.add(proc.pid);
  else running.add(proc);
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let exited = false;
  const info = await new Promise<Info>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${options.readyTimeoutMs ?? 30_000} ms`)), options.readyTimeoutMs ?? 30_000);
    proc.on('message', (message: Ready | Reply) => {
      if ('type' in message && message.type === 'ready') {
        clearTimeout(timer);
        resolve(message.info as Info);
        return;
      }
      const reply = message as Reply;
      const waiter = pending.get(reply.id);
      if (!waiter) return;
      pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.result);
      else waiter.reject(new Error(`${name}: ${reply.error}`));
    });
    proc.on('exit', (code, signal) => {
      exited = true;
      running.delete(proc);
      if (proc.pid !== undefined) runningGroups.delete(proc.pid);
      clearTimeout(timer);
      const error = new Error(`${name} exited (${signal ?? code})`);
      reject(error);
      for (const waiter of pending.values()) waiter.reject(error);
      pending.clear();
    });
  });
  return {
    name,
    process: proc,
    info,
    call<T>(cmd: string, args?: unknown) {
      if (exited) return Promise.reject(new Error(`${name} is not running`));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        proc.send({ id, cmd, args } satisfies Request);
      });
    },
    async stop(graceMs = 3_000) {
      if (exited) return;
      const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.disconnect();
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** Starts a plain (non-TypeScript, no IPC) server process whose output goes to `logFile`; it is killed with the others on exit. */
export function startProcess(command: string, args: string[], options: { env?: Record<string, string>; logFile: string }): ChildProcess {
  installCleanup();
  const log = openSync(options.logFile, 'w');
  const proc = spawn(command, args, { cwd: ROOT, stdio: ['ignore', log, log], env: { ...process.env, ...options.env } });
  closeSync(log);
  running.add(proc);
  proc.on('exit', () => running.delete(proc));
  return proc;
}

/** Stops a process started here and waits for it to go. */
export async function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 3_000);
  await gone;
  clearTimeout(timer);
}

/** Runs a command in its own process group (so it and whatever it starts can be stopped together); resolves with its exit code. */
export function runGroup(command: string, args: string[], env: Record<string, string> = {}, timeoutMs = 180_000): Promise<number> {
  installCleanup();
  const proc = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env }, detached: true });
  const pid = proc.pid;
  if (pid !== undefined) runningGroups.add(pid);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      console.error(`[bench] ${path.basename(args.at(-1) ?? command)} took longer than ${timeoutMs / 1000} s: stopping it`);
      if (pid !== undefined) process.kill(-pid, 'SIGTERM');
    }, timeoutMs);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (pid !== undefined) runningGroups.delete(pid);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

/** Runs `main` when `file` is the script node was started with, and exits with its outcome. */
export function runWhenMain(file: string, label: string, main: () => Promise<void>): void {
  if (!process.argv[1] || path.resolve(process.argv[1]) !== path.resolve(file)) return;
  main()
    .then(() => process.exit(0))
    .catch((error) => {
      console.error(`[${label}] failed:`, error);
      process.exit(1);
    });
}
