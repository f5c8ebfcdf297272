// Availability maths of a failover chain (DESIGN.md, "Availability"). Pure:
// the service page's panel and the what-if editor in the browser run the same
// functions, and maths.test.ts checks them against hand-computed tables.
//
// Everything is carried as unavailability (1 - A) as well as availability:
// "99.9999875%" is 1.25e-7 unavailable, and subtracting such numbers from 1
// over and over would lose the digits that matter.

export const DAY_MS = 86_400_000;
/** A month is 30 days here, as in a 30-day SLO window. */
export const MONTH_MS = 30 * DAY_MS;
export const YEAR_MS = 365 * DAY_MS;

/** One alternative of a chain: its availability (0..1) and the failure domain it belongs to. */
export type ChainMember = { name: string; domain: string; availability: number };

/** Alternatives in parallel, if independent: the chain is down only when all are down. A = 1 - Π(1 - a_i). */
export function parallelUnavailability(availabilities: readonly number[]): number {
  // No alternative at all serves nothing.
  return availabilities.reduce((product, a) => product * (1 - clamp01(a)), 1);
}

export const parallelAvailability = (availabilities: readonly number[]): number => 1 - parallelUnavailability(availabilities);

/** Components in series: all must be up. A = Π a_i. */
export const seriesAvailability = (availabilities: readonly number[]): number => 1 - seriesUnavailability(availabilities.map((a) => 1 - clamp01(a)));

/** 1 - Π(1 - u_i) from the parts' unavailabilities, through log1p/expm1 so that tiny u_i keep their digits. */
export function seriesUnavailability(unavailabilities: readonly number[]): number {
  return -Math.expm1(unavailabilities.reduce((total, u) => total + Math.log1p(-clamp01(u)), 0));
}

/**
 * Shared fate: the members of one failure domain (one provider across its
 * regions, or OpenAI and Azure OpenAI) are not independent. The model is
 * full common cause: a failure of the domain (an account suspended, a bad
 * deploy, a shared model backend) takes every member down at once, so a
 * member is down whenever a more available member is. The domain is then up
 * exactly when its best member is up: A_domain = max a_i, and redundancy
 * inside a domain adds nothing. That is the honest upper bound: the true
 * figure is not better than the best member's.
 */
export function domainAvailability(availabilities: readonly number[]): number {
  return availabilities.length === 0 ? 0 : Math.max(...availabilities.map(clamp01));
}

export type DomainResult = { domain: string; members: string[]; availability: number; unavailability: number };

/** Members grouped by failure domain, in the order each domain first appears in the chain. */
export function groupByDomain<T extends { domain: string }>(members: readonly T[]): { domain: string; members: T[] }[] {
  const groups = new Map<string, T[]>();
  for (const member of members) {
    const key = member.domain.trim().toLowerCase();
    const group = groups.get(key);
    if (group) group.push(member);
    else groups.set(key, [member]);
  }
  return [...groups.values()].map((group) => ({ domain: group[0].domain.trim(), members: group }));
}

export type Figure = { availability: number; unavailability: number };

const figure = (unavailability: number): Figure => ({ availability: 1 - unavailability, unavailability });

/**
 * The chain: each failure domain at the availability of its best member, the
 * domains in parallel. `independent` is what the same targets would give if
 * every one were its own failure domain, to show what shared fate costs.
 */
export function chainAvailability(members: readonly ChainMember[]): { domains: DomainResult[]; chain: Figure; independent: Figure } {
  const domains = groupByDomain(members).map(({ domain, members: group }) => {
    const availability = domainAvailability(group.map((m) => m.availability));
    return { domain, members: group.map((m) => m.name), availability, unavailability: 1 - availability };
  });
  return {
    domains,
    chain: figure(domains.reduce((product, d) => product * d.unavailability, 1)),
    independent: figure(parallelUnavailability(members.map((m) => m.availability))),
  };
}

/** Expected time unavailable over a period: (1 - A) × period. */
export const expectedDowntimeMs = (unavailability: number, periodMs: number): number => Math.max(0, unavailability) * periodMs;

export type DetectionInputs = {
  /** The breaker opens after this many failures in a row. */
  consecutiveFailures: number;
  /** The breaker's failure-rate window: with enough requests, the rate rule opens it within one window. */
  windowMs: number;
  /** Requests reaching the target per second; 0 when unknown. */
  requestsPerSecond: number;
};

/**
 * T_detect: the time for the breaker to see `consecutiveFailures` failures at
 * the request rate, and no longer than its window, past which the failure
 * rate rule has opened it. Without traffic the window is the bound.
 */
export function detectionMs({ consecutiveFailures, windowMs, requestsPerSecond }: DetectionInputs): number {
  if (!(requestsPerSecond > 0)) return windowMs;
  return Math.min((Math.max(1, consecutiveFailures) / requestsPerSecond) * 1000, windowMs);
}

export type FailoverInputs = { headerTimeoutMs: number; maxRetries: number; baseBackoffMs: number; maxBackoffMs: number };

/** The longest backoffs the retry budget allows before moving on: Σ min(max, base × 2^(i-1)) over the retries. */
export function retryBackoffMs({ maxRetries, baseBackoffMs, maxBackoffMs }: Omit<FailoverInputs, 'headerTimeoutMs'>): number {
  let total = 0;
  for (let attempt = 1; attempt <= maxRetries; attempt += 1) total += Math.min(maxBackoffMs, baseBackoffMs * 2 ** (attempt - 1));
  return total;
}

/**
 * T_failover: how long a request waits on a failed primary before the next
 * target is tried, in the worse of the two ways a primary fails: it stops
 * answering (one header timeout, after which the gateway fails over rather
 * than waiting again), or it answers with errors (the retry budget's backoffs,
 * at their ceilings).
 */
export function failoverMs(inputs: FailoverInputs): number {
  return Math.max(inputs.headerTimeoutMs, retryBackoffMs(inputs));
}

export type AvailabilityModel = {
  members: readonly ChainMember[];
  /** Standby itself (gateway and its database) is in series with the chain. */
  standbyAvailability: number;
  /** Failures of the primary per year: each one costs detection and failover time. */
  failuresPerYear: number;
  /** T_detect + T_failover. */
  perFailureMs: number;
};

export type Downtime = { perMonthMs: number; perYearMs: number };
export type Composite = Figure & Downtime;

export type AvailabilityResult = {
  domains: DomainResult[];
  /** The chain alone: domains in parallel. */
  chain: Figure;
  /** The chain if every target failed independently. */
  independent: Figure;
  /** Chain × Standby, as if failover were instant. */
  naive: Composite;
  /** The naive figure plus the detection and failover time of every failure. */
  honest: Composite & { addedPerYearMs: number };
};

const composite = (unavailability: number): Composite => ({
  ...figure(unavailability),
  perMonthMs: expectedDowntimeMs(unavailability, MONTH_MS),
  perYearMs: expectedDowntimeMs(unavailability, YEAR_MS),
});

export function evaluateAvailability(model: AvailabilityModel): AvailabilityResult {
  const { domains, chain, independent } = chainAvailability(model.members);
  const standbyUnavailability = 1 - clamp01(model.standbyAvailability);
  const naive = seriesUnavailability([chain.unavailability, standbyUnavailability]);
  // With nothing to fail over to, an outage of the only target is already all in the naive figure.
  const addedPerYearMs = model.members.length > 1 ? Math.max(0, model.failuresPerYear) * Math.max(0, model.perFailureMs) : 0;
  const honest = Math.min(1, naive + addedPerYearMs / YEAR_MS);
  return { domains, chain, independent, naive: composite(naive), honest: { ...composite(honest), addedPerYearMs } };
}

/** Failures per year from `count` seen over `spanMs` of history. */
export const annualize = (count: number, spanMs: number): number => (spanMs > 0 ? (count * YEAR_MS) / spanMs : 0);

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}
