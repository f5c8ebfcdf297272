// The gateway's Prometheus metrics, per replica, through prom-client (the
// standard client: exposition format, escaping and histogram maths are its
// job). Each data plane has a registry of its own, so two
// in one process (tests) never share counters. Observations on the hot path
// are a counter increment and a histogram observation per attempt and one
// increment per request, the two per-request counters tallied in plain maps
// and handed to prom-client at each scrape (PendingCounts); the one-hot gauges (breaker state, active target,
// tier) are written only when their value changes. Label values are bounded by
// targets, services and the closed list of error classes; any other error
// class is counted as "other". In a pool of workers (STANDBY_WORKERS) every
// worker answers /api/metrics with the pool's sum, so a scrape reaching any of
// them sees counters that only grow (poolMetrics, decision 018).
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { TIERS, type BreakerState, type Tier } from '@/lib/routing/enums';
import { isErrorClass } from '@/lib/routing/error-classes';
import type { SignInOutcome } from '@/lib/server/data-plane-link';

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** Upper bounds in seconds, shared by the latency and time-to-first-token histograms. */
export const LATENCY_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

const BREAKER_STATES: readonly BreakerState[] = ['closed', 'open', 'half_open'];

export type AttemptObservation = {
  target: string;
  service: string;
  outcome: 'success' | 'error';
  errorClass: string | null;
  latencyMs: number;
  ttftMs: number | null;
};

export type RequestObservation = { service: string; status: number; attempts: number };

export type RecorderReading = { buffered: number; written: number; dropped: number; failedFlushes: number; threadRestarts: number };

export type Metrics = {
  observeAttempt(attempt: AttemptObservation): void;
  observeRequest(request: RequestObservation): void;
  setBreakerState(target: string, state: BreakerState): void;
  setActiveTarget(service: string, target: string | null): void;
  setServiceTier(service: string, tier: Tier): void;
  /** A client that went away before its request was complete (lib/server/disconnects.ts). */
  observeClientDisconnect(): void;
  /** A sign-in attempt: signed in, refused (its password was checked), or throttled (refused unchecked). */
  observeSignIn(outcome: SignInOutcome): void;
  /** The recorder of this replica and its writer thread, read at each scrape (buffered rows, written, dropped, failures, restarts). */
  watchRecorder(read: () => RecorderReading): void;
  /** The exposition text of every family. */
  render(): Promise<string>;
  /** In a worker of a pool: lets the primary read this registry for poolMetrics(). */
  shareWithPool(): void;
};

/**
 * Increments of a labelled counter since the last scrape, kept in nested maps by label value and added to the
 * counter when it is collected. prom-client's inc() validates and hashes its labels on every call, and these
 * counters are incremented on every request (decision 018: it showed in the gateway's CPU profile). Bounded as the
 * counter's own series are, by the label values seen.
 */
class PendingCounts<L extends string> {
  private readonly byValues = new Map<string, Map<string, Map<string, { labels: Record<L, string>; count: number }>>>();

  constructor(private readonly labelNames: readonly L[]) {}

  /** One increment of the series with these label values, in the order of labelNames. */
  add(a: string, b: string, c = ''): void {
    let second = this.byValues.get(a);
    if (!second) this.byValues.set(a, (second = new Map()));
    let third = second.get(b);
    if (!third) second.set(b, (third = new Map()));
    const entry = third.get(c);
    if (entry) entry.count += 1;
    else third.set(c, { labels: Object.fromEntries(this.labelNames.map((name, i) => [name, [a, b, c][i]])) as Record<L, string>, count: 1 });
  }

  /** Adds what was counted since the last call to `counter` (its collect(), at each scrape). */
  drainInto(counter: Counter<L>): void {
    for (const second of this.byValues.values()) {
      for (const third of second.values()) {
        for (const entry of third.values()) {
          if (entry.count > 0) counter.inc(entry.labels, entry.count);
          entry.count = 0;
        }
      }
    }
  }
}

/** A counter whose increments on the request path go through PendingCounts. */
function countedOnScrape<L extends string>(config: { name: string; help: string; labelNames: readonly L[]; registers: Registry[] }) {
  const pending = new PendingCounts(config.labelNames);
  new Counter<L>({
    ...config,
    collect() {
      pending.drainInto(this);
    },
  });
  return pending;
}

function statusLabel(status: number): string {
  return Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : 'other';
}

/** Milliseconds as the seconds a histogram takes; a negative or non-finite duration is no observation (or 0 when negative). */
const seconds = (ms: number) => Math.max(0, ms) / 1000;

export function createMetrics(): Metrics {
  const registers = [new Registry()];
  const [registry] = registers;
  const upstreamRequests = countedOnScrape({ name: 'standby_upstream_requests_total', help: 'Attempts sent to upstream targets, by target, service and outcome.', labelNames: ['target', 'service', 'outcome'], registers });
  const upstreamErrors = new Counter({ name: 'standby_upstream_errors_total', help: 'Failed upstream attempts, by target and error class.', labelNames: ['target', 'error_class'], registers });
  const latency = new Histogram({ name: 'standby_upstream_latency_seconds', help: 'Duration of upstream attempts, from sending to the end of the answer.', labelNames: ['target'], buckets: LATENCY_BUCKETS_SECONDS, registers });
  const ttft = new Histogram({ name: 'standby_upstream_ttft_seconds', help: 'Time to the first token of streamed upstream answers.', labelNames: ['target'], buckets: LATENCY_BUCKETS_SECONDS, registers });
  const breakerState = new Gauge({ name: 'standby_breaker_state', help: "Each target's circuit breaker: 1 for its current state, 0 for the others.", labelNames: ['target', 'state'], registers, aggregator: 'max' });
  const activeTarget = new Gauge({ name: 'standby_service_active_target', help: 'The target currently serving each service: 1 for it, 0 for targets that served it before.', labelNames: ['service', 'target'], registers, aggregator: 'max' });
  const gatewayRequests = countedOnScrape({ name: 'standby_gateway_requests_total', help: 'Requests answered by the gateway, by service and HTTP status.', labelNames: ['service', 'status'], registers });
  const retriedRequests = new Counter({ name: 'standby_gateway_retried_requests_total', help: 'Gateway requests that needed more than one upstream attempt, by service.', labelNames: ['service'], registers });
  const serviceTier = new Gauge({ name: 'standby_service_tier', help: "Each service's degradation tier as this replica last applied it: 1 for the tier in force, 0 for the others.", labelNames: ['service', 'tier'], registers, aggregator: 'max' });
  const clientDisconnects = new Counter({ name: 'standby_client_disconnects_total', help: 'Clients that closed the connection before their request was complete.', registers });
  const signIns = new Counter({ name: 'standby_signin_attempts_total', help: 'Sign-in attempts on this replica: signed_in and refused had their password checked, throttled were refused unchecked.', labelNames: ['outcome'], registers });
  let recorder: (() => RecorderReading) | null = null;
  /** A counter whose value is the recorder's own count, read when scraped. */
  const recorderCounter = (name: string, help: string, key: Exclude<keyof RecorderReading, 'buffered'>) =>
    new Counter({
      name, help, registers,
      collect() {
        if (!recorder) return;
        this.reset();
        this.inc(recorder()[key]);
      },
    });
  new Gauge({
    name: 'standby_recorder_buffered_rows', help: 'Attempt, probe and request records waiting to be written to PostgreSQL.', registers,
    collect() {
      if (recorder) this.set(recorder().buffered);
    },
  });
  recorderCounter('standby_recorder_written_rows_total', 'Records written to PostgreSQL by the writer thread.', 'written');
  recorderCounter('standby_recorder_dropped_rows_total', 'Records dropped, oldest first, because more were waiting than the recorder holds (PostgreSQL unreachable for long).', 'dropped');
  recorderCounter('standby_recorder_failed_flushes_total', 'Flushes that did not write (their records were kept for the next).', 'failedFlushes');
  recorderCounter('standby_recorder_thread_restarts_total', "Times the recorder's writer thread stopped unasked and was started again.", 'threadRestarts');
  /** Targets each service has had as active, so a change can zero the previous one; and the one active now. */
  const activeBefore = new Map<string, Set<string>>();
  const activeNow = new Map<string, string | null>();
  const tierNow = new Map<string, Tier>();

  return {
    observeAttempt({ target, service, outcome, errorClass, latencyMs, ttftMs }) {
      upstreamRequests.add(target, service, outcome);
      if (outcome === 'error') upstreamErrors.inc({ target, error_class: isErrorClass(errorClass) ? errorClass : 'other' });
      if (Number.isFinite(latencyMs)) latency.observe({ target }, seconds(latencyMs));
      if (ttftMs !== null && Number.isFinite(ttftMs)) ttft.observe({ target }, seconds(ttftMs));
    },
    observeRequest({ service, status, attempts }) {
      gatewayRequests.add(service, statusLabel(status));
      if (attempts > 1) retriedRequests.inc({ service });
    },
    setBreakerState(target, state) {
      for (const candidate of BREAKER_STATES) breakerState.set({ target, state: candidate }, candidate === state ? 1 : 0);
    },
    setActiveTarget(service, target) {
      // Asked on every request: written only when it changes.
      if (activeNow.has(service) && activeNow.get(service) === target) return;
      activeNow.set(service, target);
      let seen = activeBefore.get(service);
      if (!seen) activeBefore.set(service, (seen = new Set()));
      if (target !== null) seen.add(target);
      for (const candidate of seen) activeTarget.set({ service, target: candidate }, candidate === target ? 1 : 0);
    },
    setServiceTier(service, tier) {
      if (tierNow.get(service) === tier) return;
      tierNow.set(service, tier);
      for (const candidate of TIERS) serviceTier.set({ service, tier: candidate }, candidate === tier ? 1 : 0);
    },
    observeClientDisconnect() {
      clientDisconnects.inc();
    },
    observeSignIn(outcome) {
      signIns.inc({ outcome });
    },
    watchRecorder(read) {
      recorder = read;
    },
    render: () => registry.metrics(),
    shareWithPool() {
      // Constructing one registers prom-client's reply to the primary's requests in this worker.
      new AggregatorRegistry();
      AggregatorRegistry.setRegistries([registry]);
    },
  };
}

let pool: InstanceType<typeof AggregatorRegistry> | null = null;

/**
 * In the primary of a worker pool: the metrics of every worker as one exposition (counters and histograms
 * summed; the one-hot gauges take the highest value, so a state any worker is in shows as 1).
 */
export function poolMetrics(): Promise<string> {
  pool ??= new AggregatorRegistry();
  return pool.clusterMetrics();
}
