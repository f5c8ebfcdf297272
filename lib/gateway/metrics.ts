// The gateway's Prometheus metrics, kept in memory per replica and rendered in
// the text exposition format 0.0.4. Written by hand: seven families do not
// justify a dependency. Pure (metrics.test.ts): no I/O, no clock.
// Observations cost O(1): counters are one map update, histograms one of a
// fixed set of buckets (cumulated only when rendering). Label values are
// bounded by targets, services and the closed list of error classes; any
// other error class is counted as "other".
import { type BreakerState, TIERS, type Tier } from '@/lib/routing/enums';
import { isErrorClass } from '@/lib/routing/error-classes';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Upper bounds in seconds, shared by the latency and time-to-first-token histograms. */
export const LATENCY_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

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

export type Metrics = {
  observeAttempt(attempt: AttemptObservation): void;
  observeRequest(request: RequestObservation): void;
  setBreakerState(target: string, state: BreakerState): void;
  setActiveTarget(service: string, target: string | null): void;
  setServiceTier(service: string, tier: Tier): void;
  /** A client that went away before its request was complete (lib/server/disconnects.ts). */
  observeClientDisconnect(): void;
  /** A sign-in attempt: signed in, refused (its password was checked), or throttled (refused unchecked). */
  observeSignIn(outcome: 'signed_in' | 'refused' | 'throttled'): void;
  render(): string;
};

/** Label values: backslash, double quote and line feed escaped (exposition format 0.0.4). */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text: backslash and line feed escaped. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

type Labels = readonly (readonly [string, string])[];

function labelText(labels: Labels): string {
  return labels.length === 0 ? '' : `{${labels.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',')}}`;
}

/** One series per tuple of label values (JSON keeps values that contain separators apart). */
const keyOf = (values: readonly string[]) => JSON.stringify(values);

class Counter {
  private readonly series = new Map<string, { values: string[]; value: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
  ) {}

  inc(values: string[], by = 1): void {
    const key = keyOf(values);
    const found = this.series.get(key);
    if (found) found.value += by;
    else this.series.set(key, { values, value: by });
  }

  render(lines: string[]): void {
    lines.push(`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} counter`);
    for (const { values, value } of sortedSeries(this.series)) {
      lines.push(`${this.name}${labelText(this.labelNames.map((n, i) => [n, values[i]] as const))} ${formatSampleValue(value)}`);
    }
  }
}

class Gauge {
  private readonly series = new Map<string, { values: string[]; value: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
  ) {}

  set(values: string[], value: number): void {
    const key = keyOf(values);
    const found = this.series.get(key);
    if (found) found.value = value;
    else this.series.set(key, { values, value });
  }

  render(lines: string[]): void {
    lines.push(`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} gauge`);
    for (const { values, value } of sortedSeries(this.series)) {
      lines.push(`${this.name}${labelText(this.labelNames.map((n, i) => [n, values[i]] as const))} ${formatSampleValue(value)}`);
    }
  }
}

type HistogramSeries = { values: string[]; buckets: number[]; count: number; sumMs: number };

class Histogram {
  private readonly series = new Map<string, HistogramSeries>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    private readonly bounds: readonly number[],
  ) {}

  /** Takes milliseconds and keeps the sum in milliseconds, so rendered sums do not carry float noise from repeated /1000. */
  observeMs(values: string[], ms: number): void {
    if (!Number.isFinite(ms)) return;
    const clamped = Math.max(0, ms);
    const key = keyOf(values);
    let series = this.series.get(key);
    if (!series) {
      series = { values, buckets: new Array<number>(this.bounds.length).fill(0), count: 0, sumMs: 0 };
      this.series.set(key, series);
    }
    const seconds = clamped / 1000;
    // Bounds are few and fixed, so this scan is constant time per observation.
    const index = this.bounds.findIndex((bound) => seconds <= bound);
    if (index >= 0) series.buckets[index] += 1;
    series.count += 1;
    series.sumMs += clamped;
  }

  render(lines: string[]): void {
    lines.push(`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} histogram`);
    for (const { values, buckets, count, sumMs } of sortedSeries(this.series)) {
      const labels = this.labelNames.map((n, i) => [n, values[i]] as const);
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += buckets[i];
        lines.push(`${this.name}_bucket${labelText([...labels, ['le', formatSampleValue(bound)]])} ${cumulative}`);
      });
      lines.push(`${this.name}_bucket${labelText([...labels, ['le', '+Inf']])} ${count}`);
      lines.push(`${this.name}_sum${labelText(labels)} ${formatSampleValue(sumMs / 1000)}`);
      lines.push(`${this.name}_count${labelText(labels)} ${count}`);
    }
  }
}

/** Series in a stable order (by label values), so successive scrapes diff cleanly. */
function sortedSeries<T extends { values: string[] }>(series: Map<string, T>): T[] {
  return [...series.values()].sort((a, b) => {
    for (let i = 0; i < a.values.length; i += 1) {
      if (a.values[i] !== b.values[i]) return a.values[i] < b.values[i] ? -1 : 1;
    }
    return 0;
  });
}

function statusLabel(status: number): string {
  return Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : 'other';
}

export function createMetrics(): Metrics {
  const upstreamRequests = new Counter('standby_upstream_requests_total', 'Attempts sent to upstream targets, by target, service and outcome.', ['target', 'service', 'outcome']);
  const upstreamErrors = new Counter('standby_upstream_errors_total', 'Failed upstream attempts, by target and error class.', ['target', 'error_class']);
  const latency = new Histogram('standby_upstream_latency_seconds', 'Duration of upstream attempts, from sending to the end of the answer.', ['target'], LATENCY_BUCKETS_SECONDS);
  const ttft = new Histogram('standby_upstream_ttft_seconds', 'Time to the first token of streamed upstream answers.', ['target'], LATENCY_BUCKETS_SECONDS);
  const breakerState = new Gauge('standby_breaker_state', "Each target's circuit breaker: 1 for its current state, 0 for the others.", ['target', 'state']);
  const activeTarget = new Gauge('standby_service_active_target', 'The target currently serving each service: 1 for it, 0 for targets that served it before.', ['service', 'target']);
  const gatewayRequests = new Counter('standby_gateway_requests_total', 'Requests answered by the gateway, by service and HTTP status.', ['service', 'status']);
  const retriedRequests = new Counter('standby_gateway_retried_requests_total', 'Gateway requests that needed more than one upstream attempt, by service.', ['service']);
  const serviceTier = new Gauge('standby_service_tier', "Each service's degradation tier as this replica last applied it: 1 for the tier in force, 0 for the others.", ['service', 'tier']);
  const clientDisconnects = new Counter('standby_client_disconnects_total', 'Clients that closed the connection before their request was complete.', []);
  clientDisconnects.inc([], 0);
  const signIns = new Counter('standby_signin_attempts_total', 'Sign-in attempts on this replica: signed_in and refused had their password checked, throttled were refused unchecked.', ['outcome']);
  /** Targets each service has had as active, so a change can zero the previous one. */
  const activeBefore = new Map<string, Set<string>>();

  return {
    observeAttempt({ target, service, outcome, errorClass, latencyMs, ttftMs }) {
      upstreamRequests.inc([target, service, outcome]);
      if (outcome === 'error') upstreamErrors.inc([target, isErrorClass(errorClass) ? errorClass : 'other']);
      latency.observeMs([target], latencyMs);
      if (ttftMs !== null) ttft.observeMs([target], ttftMs);
    },
    observeRequest({ service, status, attempts }) {
      gatewayRequests.inc([service, statusLabel(status)]);
      if (attempts > 1) retriedRequests.inc([service]);
    },
    setBreakerState(target, state) {
      for (const candidate of BREAKER_STATES) breakerState.set([target, candidate], candidate === state ? 1 : 0);
    },
    setActiveTarget(service, target) {
      let seen = activeBefore.get(service);
      if (!seen) activeBefore.set(service, (seen = new Set()));
      if (target !== null) seen.add(target);
      for (const candidate of seen) activeTarget.set([service, candidate], candidate === target ? 1 : 0);
    },
    setServiceTier(service, tier) {
      for (const candidate of TIERS) serviceTier.set([service, candidate], candidate === tier ? 1 : 0);
    },
    observeClientDisconnect() {
      clientDisconnects.inc([]);
    },
    observeSignIn(outcome) {
      signIns.inc([outcome]);
    },
    render() {
      const lines: string[] = [];
      for (const family of [upstreamRequests, upstreamErrors, latency, ttft, breakerState, activeTarget, gatewayRequests, retriedRequests, serviceTier, clientDisconnects, signIns]) family.render(lines);
      return `${lines.join('\n')}\n`;
    },
  };
}
