import 'server-only';
// The health monitor (DESIGN.md, "Health monitor"): while this replica leads
// (a Postgres advisory lock, lib/server/leader.ts), it probes every target on
// the target's own interval with a real minimal completion (worker/probe.ts),
// records each result as a HealthSample and feeds it to the target's breaker,
// whose transitions every replica then shares. Probes follow the routing
// snapshot: targets added, disabled or given a new interval are picked up on
// the next snapshot change.
import { Agent, request } from 'undici';
import { countsAsBreakerFailure } from '@/lib/gateway/breaker';
import type { BreakerRegistry } from '@/lib/gateway/breaker-registry';
import type { SampleRecorder } from '@/lib/gateway/recorder';
import type { SnapshotSource } from '@/lib/gateway/snapshot';
import type { RoutingSnapshot } from '@/lib/routing/model';
import { guardedConnector, policyBoundAgents } from '@/lib/server/guarded-connect';
import { runAsLeader } from '@/lib/server/leader';
import type pg from 'pg';
import { startLeaderTasks } from '@/lib/server/leader-tasks';
import type { ReplicaTask } from './control-loops';
import { PROBE_CONNECT_TIMEOUT_MS, PROBE_MAX_BODY_BYTES, ProbeFailure, probedTargets, probeTarget, probeTimeoutMs, type ProbeFetch, type ProbeOutcome } from './probe';

export { type ProbeFetch, type ProbeResponse } from './probe';

/** The advisory lock the monitor's leader holds ('STND'); tests pass their own. */
export const HEALTH_MONITOR_LOCK_KEY = 0x53544e44;

export type HealthMonitorOptions = {
  snapshots: Pick<SnapshotSource, 'get' | 'onChange'>;
  breakers: Pick<BreakerRegistry, 'acquire' | 'report'>;
  recorder: Pick<SampleRecorder, 'record'>;
  /** This replica's name, for log lines. */
  replica: string;
  lockKey?: number;
  /** The HTTP call of a probe; the default is undici's request() with a 3 s connect timeout. */
  fetch?: ProbeFetch;
  /** How often a follower tries for leadership and the leader checks it (lib/server/leader.ts). */
  leaderRetryMs?: number;
  /** The leadership connection; the default connects to DATABASE_URL. */
  connect?: () => pg.Client;
  log?: (line: string) => void;
  /** Control loops that run only while this replica leads (lib/server/leader-tasks.ts, worker/control-loops.ts). */
  tasks?: ReplicaTask[];
};

export type HealthMonitor = { isLeader(): boolean; close(): Promise<void> };

/** undici's request() over one keep-alive pool; the whole body is read, at most PROBE_MAX_BODY_BYTES. */
export function createProbeFetch(): { fetch: ProbeFetch; close: () => Promise<void> } {
  // The endpoint policy's connector: a probe carries the target's credential, so it goes only where the gateway may.
  const agents = policyBoundAgents(() => new Agent({ connect: guardedConnector(PROBE_CONNECT_TIMEOUT_MS) }));
  const fetch: ProbeFetch = async (upstream, signal) => {
    const response = await request(upstream.url, { method: upstream.method, headers: upstream.headers, body: upstream.body, dispatcher: agents.get('probes'), signal });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > PROBE_MAX_BODY_BYTES) {
        response.body.destroy();
        throw new ProbeFailure('malformed_response', `the answer exceeded ${PROBE_MAX_BODY_BYTES} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    return { statusCode: response.statusCode, body: Buffer.concat(chunks).toString('utf8') };
  };
  return { fetch, close: agents.close };
}

type ProbingDeps = Required<Pick<HealthMonitorOptions, 'snapshots' | 'breakers' | 'recorder' | 'fetch' | 'log'>>;

type Slot = { intervalMs: number; timer: NodeJS.Timeout | null };

/** Probes while leading; stop() cancels every timer, aborts probes in flight and waits for them. */
export function startProbing({ snapshots, breakers, recorder, fetch, log }: ProbingDeps): { stop: () => Promise<void> } {
  const slots = new Map<string, Slot>();
  const inFlight = new Map<string, Promise<void>>();
  /** 'ok' or the error class of the latest probe, to log changes rather than probes. */
  const health = new Map<string, string>();
  const stopped = new AbortController();

  const nameOf = (targetId: string) => snapshots.get()?.targets.get(targetId)?.name ?? targetId;

  const noteHealth = (targetId: string, outcome: ProbeOutcome) => {
    const state = outcome.ok ? 'ok' : (outcome.errorClass ?? 'failed');
    const previous = health.get(targetId) ?? 'ok';
    health.set(targetId, state);
    if (state === previous) return;
    if (outcome.ok) log(`health monitor: target ${nameOf(targetId)} answers probes again (${outcome.latencyMs} ms)`);
    else log(`health monitor: target ${nameOf(targetId)} fails probes: ${state}${outcome.detail ? ` (${outcome.detail})` : ''}`);
  };

  const probeOnce = async (targetId: string, intervalMs: number) => {
    const target = snapshots.get()?.targets.get(targetId);
    if (!target?.enabled) return;
    const acquiredAt = Date.now();
    // OPEN: skip this round; HALF_OPEN: acquire admits a limited number of probes, which then decide.
    if (!breakers.acquire(targetId, acquiredAt)) return;
    const outcome = await probeTarget(target, fetch, stopped.signal, probeTimeoutMs(intervalMs));
    // Leadership ended mid-probe: the breaker's slot is reclaimed by its own timeout (breaker.ts tryAcquire).
    if (!outcome || stopped.signal.aborted) return;
    recorder.record({
      targetId, serviceId: null, source: 'probe', at: acquiredAt, ok: outcome.ok, errorClass: outcome.errorClass, statusCode: outcome.statusCode,
      latencyMs: outcome.latencyMs, ttftMs: null, requestId: null, attempt: null, promptTokens: outcome.promptTokens, completionTokens: outcome.completionTokens,
    });
    breakers.report(targetId, outcome.ok || (outcome.errorClass !== null && !countsAsBreakerFailure(outcome.errorClass)), acquiredAt);
    noteHealth(targetId, outcome);
  };

  const schedule = (targetId: string, slot: Slot, delayMs: number) => {
    slot.timer = setTimeout(() => {
      slot.timer = null;
      void run(targetId, slot);
    }, delayMs);
    slot.timer.unref();
  };

  const run = async (targetId: string, slot: Slot) => {
    const startedAt = Date.now();
    // A slot replaced while its probe ran (target disabled and enabled again) must not start a second one.
    if (!inFlight.has(targetId)) {
      const probe = probeOnce(targetId, slot.intervalMs)
        .catch((error: unknown) => log(`health monitor: probing ${nameOf(targetId)} failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => inFlight.delete(targetId));
      inFlight.set(targetId, probe);
      await probe;
    }
    if (stopped.signal.aborted || slots.get(targetId) !== slot || slot.timer) return;
    schedule(targetId, slot, Math.max(0, slot.intervalMs - (Date.now() - startedAt)));
  };

  const sync = (snapshot: RoutingSnapshot | null) => {
    if (stopped.signal.aborted || !snapshot) return;
    try {
      const wanted = probedTargets(snapshot);
      for (const [targetId, slot] of slots) {
        if (wanted.has(targetId)) continue;
        if (slot.timer) clearTimeout(slot.timer);
        slots.delete(targetId);
        health.delete(targetId);
      }
      for (const [targetId, intervalMs] of wanted) {
        const slot = slots.get(targetId);
        if (!slot) {
          const created: Slot = { intervalMs, timer: null };
          slots.set(targetId, created);
          // A random start within the first interval spreads probes of many targets out.
          schedule(targetId, created, Math.random() * intervalMs);
        } else if (slot.intervalMs !== intervalMs) {
          slot.intervalMs = intervalMs;
          // A probe in flight schedules the next one itself, with the new interval.
          if (slot.timer) {
            clearTimeout(slot.timer);
            schedule(targetId, slot, Math.random() * intervalMs);
          }
        }
      }
    } catch (error) {
      log(`health monitor: could not follow the routing snapshot: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const unsubscribe = snapshots.onChange(sync);
  sync(snapshots.get());

  return {
    stop: async () => {
      stopped.abort();
      unsubscribe();
      for (const slot of slots.values()) if (slot.timer) clearTimeout(slot.timer);
      slots.clear();
      await Promise.allSettled([...inFlight.values()]);
    },
  };
}

/**
 * Starts competing for the monitor's leadership at once; probes only while
 * leading. Never throws: failed probes become samples, lost connections
 * become a new attempt at leadership.
 */
export function startHealthMonitor(options: HealthMonitorOptions): HealthMonitor {
  const log = options.log ?? ((line: string) => console.log(`[standby] ${line}`));
  const ownFetch = options.fetch ? null : createProbeFetch();
  const fetch = options.fetch ?? ownFetch!.fetch;
  const leadership = runAsLeader(options.lockKey ?? HEALTH_MONITOR_LOCK_KEY, {
    retryMs: options.leaderRetryMs,
    connect: options.connect,
    log: (line) => log(`health monitor (${options.replica}): ${line}`),
    onLeader: () => {
      const probing = startProbing({ snapshots: options.snapshots, breakers: options.breakers, recorder: options.recorder, fetch, log });
      const tasks = startLeaderTasks(options.tasks ?? [], { snapshots: options.snapshots, log });
      return async () => {
        await Promise.all([probing.stop(), tasks.stop()]);
      };
    },
  });
  let closing: Promise<void> | null = null;
  return {
    isLeader: () => leadership.isLeader(),
    close: () =>
      (closing ??= (async () => {
        await leadership.close();
        await ownFetch?.close();
      })()),
  };
}
