// The figures the availability maths falls back on when Standby has not
// measured something, each shown on the page as an assumption. Pure: the
// what-if editor in the browser starts from the same values.

/** Per-target availability is measured over this many days of TargetRollup. */
export const MEASUREMENT_WINDOW_DAYS = 30;

/**
 * Below this many samples (probes and gateway attempts) in the window a
 * measured figure is not used: one failure in fewer than 1,000 samples moves
 * it by more than 0.1 point, so it could not tell 99.9% from 99%.
 */
export const MIN_MEASURED_SAMPLES = 1_000;

/** A target with too little history and no declared SLA: a typical published API availability. */
export const ASSUMED_TARGET_AVAILABILITY = 0.995;

/** Standby itself (gateway replicas and PostgreSQL) in series with the chain. */
export const ASSUMED_STANDBY_AVAILABILITY = 0.9995;

/** Failures of the primary a year when its breaker history is too short to count them: about one a month. */
export const ASSUMED_FAILURES_PER_YEAR = 12;

/** Breaker history shorter than this is not extrapolated to a year. */
export const MIN_FAILURE_HISTORY_DAYS = 7;

/** Breaker opens are counted over at most this much history. */
export const MAX_FAILURE_HISTORY_DAYS = 365;

/** The request rate detection time is computed at when the service had no traffic in the last day. */
export const ASSUMED_REQUESTS_PER_SECOND = 1;

/** The request rate is the average over this many hours. */
export const RATE_WINDOW_HOURS = 24;

export type AvailabilitySource = 'measured' | 'declared' | 'assumed';
