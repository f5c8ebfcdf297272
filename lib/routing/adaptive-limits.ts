// Time limits that follow a target's measured latency (issue 16). A chain step
// may ask for its first-token limit (streams) and its header limit (complete
// answers) to be a multiple of the target's recent p99, kept between the step's
// floor and its fixed limit, which stays the ceiling. The fixed limit applies
// while the target has too little history, while the step does not ask for it,
// and (lib/gateway/route.ts) when no later step could take the request over.
// Pure: the gateway keeps the samples per replica (LatencyHistory below), the
// chain editor reads the same statistic from the recorded attempts.

/** What a chain step asks: null multiplier for fixed limits. */
export type AdaptiveLimitSetting = { multiplier: number | null; floorMs: number };

export const ADAPTIVE_LIMIT_DEFAULTS = { multiplier: 4, floorMs: 1_000 } as const;

/** Successful attempts needed before a limit follows them; the most recent this many are kept per target. */
export const ADAPTIVE_MIN_SAMPLES = 20;
export const ADAPTIVE_WINDOW_SAMPLES = 200;
/** Older samples are forgotten, so a target that became slower gets its fixed limit back within this time. */
export const ADAPTIVE_MAX_AGE_MS = 10 * 60_000;

/** Which wait a sample measures: time to first token of a stream, or the whole of a complete answer (its headers). */
export type LatencyKind = 'first_token' | 'complete';

/**
 * fixed: the step asks for fixed limits; history_short: it asks, but the target has too few recent samples;
 * measured: the multiple of p99; last_resort: it asks, but no later step could take the request, so the fixed limit.
 */
export type LimitBasis = 'fixed' | 'history_short' | 'measured' | 'last_resort';
export const LIMIT_BASES = ['fixed', 'history_short', 'measured', 'last_resort'] as const satisfies readonly LimitBasis[];

export type LatencyStats = { p99Ms: number; samples: number };

export type LimitInForce = { ms: number; basis: LimitBasis; p99Ms: number | null; samples: number };

/** The q-quantile of ascending `sorted` (nearest rank). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export function limitInForce(fixedMs: number, setting: AdaptiveLimitSetting, stats: LatencyStats | null): LimitInForce {
  if (setting.multiplier === null) return { ms: fixedMs, basis: 'fixed', p99Ms: stats?.p99Ms ?? null, samples: stats?.samples ?? 0 };
  if (!stats || stats.samples < ADAPTIVE_MIN_SAMPLES) return { ms: fixedMs, basis: 'history_short', p99Ms: stats?.p99Ms ?? null, samples: stats?.samples ?? 0 };
  const ms = Math.min(fixedMs, Math.max(setting.floorMs, Math.round(setting.multiplier * stats.p99Ms)));
  return { ms, basis: 'measured', p99Ms: stats.p99Ms, samples: stats.samples };
}

/** One line for the chain editor and the attempt records: the limit, and why. */
export function describeLimit(limit: LimitInForce, setting: AdaptiveLimitSetting, what: string): string {
  const seconds = (ms: number) => (ms >= 10_000 ? `${Math.round(ms / 1000)} s` : ms >= 1_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
  switch (limit.basis) {
    case 'fixed':
      return `${what} ${seconds(limit.ms)}, fixed`;
    case 'last_resort':
      return `${what} ${seconds(limit.ms)}, fixed: no later step could take the request`;
    case 'history_short':
      return `${what} ${seconds(limit.ms)}, fixed until ${ADAPTIVE_MIN_SAMPLES} successful attempts in ${ADAPTIVE_MAX_AGE_MS / 60_000} min (${limit.samples} so far)`;
    case 'measured': {
      const raw = Math.round((setting.multiplier ?? 0) * (limit.p99Ms ?? 0));
      const bound = raw < limit.ms ? ', the floor' : raw > limit.ms ? ', the ceiling' : '';
      return `${what} ${seconds(limit.ms)}: ${setting.multiplier} × p99 ${seconds(limit.p99Ms ?? 0)} over ${limit.samples} attempts${bound}`;
    }
  }
}

/** The most recent samples of one target and kind: a ring, its p99 recomputed at most once per `cacheMs`. */
class SampleRing {
  private readonly values = new Float64Array(ADAPTIVE_WINDOW_SAMPLES);
  private readonly times = new Float64Array(ADAPTIVE_WINDOW_SAMPLES);
  private next = 0;
  private size = 0;
  private cached: LatencyStats | null = null;
  private cachedAt = -Infinity;
  private addedSince = 0;

  add(ms: number, at: number): void {
    this.addedSince += 1;
    this.values[this.next] = ms;
    this.times[this.next] = at;
    this.next = (this.next + 1) % ADAPTIVE_WINDOW_SAMPLES;
    if (this.size < ADAPTIVE_WINDOW_SAMPLES) this.size += 1;
  }

  stats(now: number, cacheMs: number): LatencyStats | null {
    // While the history is short every new sample counts (and costs little): the limit follows as soon as there is enough.
    const short = (this.cached?.samples ?? 0) < ADAPTIVE_MIN_SAMPLES;
    if (now - this.cachedAt < cacheMs && !(short && this.addedSince > 0)) return this.cached;
    this.addedSince = 0;
    const recent: number[] = [];
    for (let i = 0; i < this.size; i += 1) if (now - this.times[i] <= ADAPTIVE_MAX_AGE_MS) recent.push(this.values[i]);
    recent.sort((a, b) => a - b);
    this.cached = recent.length ? { p99Ms: quantile(recent, 0.99), samples: recent.length } : null;
    this.cachedAt = now;
    return this.cached;
  }
}

/**
 * A replica's recent successful attempts per target: record() is O(1) on the
 * request path, stats() sorts at most ADAPTIVE_WINDOW_SAMPLES numbers once per
 * `cacheMs` per target and kind.
 */
export class LatencyHistory {
  private readonly rings: Record<LatencyKind, Map<string, SampleRing>> = { first_token: new Map(), complete: new Map() };
  constructor(private readonly cacheMs = 1_000) {}

  record(targetId: string, kind: LatencyKind, ms: number, at: number): void {
    const rings = this.rings[kind];
    let ring = rings.get(targetId);
    if (!ring) rings.set(targetId, (ring = new SampleRing()));
    ring.add(ms, at);
  }

  stats(targetId: string, kind: LatencyKind, now: number): LatencyStats | null {
    return this.rings[kind].get(targetId)?.stats(now, this.cacheMs) ?? null;
  }
}
