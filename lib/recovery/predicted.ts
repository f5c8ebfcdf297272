// What the configuration allows before anything fails (issue 12, "Predicted
// RTO from the configuration"), with the change that would meet an objective
// it cannot. Routing uses the availability maths' own detection and failover
// times (lib/availability/maths.ts), so the service page and this grid give
// one figure. Pure.
import { detectionMs, failoverMs, retryBackoffMs, type DetectionInputs, type FailoverInputs } from '@/lib/availability/maths';
import { formatSpan } from './format';

export type Fix = { change: string; predictedMs: number | null };

export type Prediction = {
  /** null when the configuration alone cannot say (no fallback, nothing reported). */
  ms: number | null;
  /** How the figure is made, in words, with its parts. */
  basis: string;
  /** Changes that would bring it within the objective, best first; empty when it already is. */
  fixes: Fix[];
  /** Nothing bounds it: no configuration of this kind can meet any objective (a chain without a fallback). */
  unbounded?: boolean;
};

export type RoutingInputs = {
  serviceName: string;
  /** Enabled targets in the chain: with one, there is nothing to fail over to. */
  enabledTargets: number;
  primaryName: string | null;
  detection: DetectionInputs;
  failover: FailoverInputs;
};

const SECOND = 1_000;

/** The largest "round" duration not above ms: whole seconds, 5 s steps from 10 s, whole minutes from 2 min. */
function roundDown(ms: number): number {
  if (ms >= 120 * SECOND) return Math.floor(ms / (60 * SECOND)) * 60 * SECOND;
  if (ms >= 10 * SECOND) return Math.floor(ms / (5 * SECOND)) * 5 * SECOND;
  return Math.floor(ms / SECOND) * SECOND;
}

/**
 * Routing: callers of a failing primary wait for the breaker to see the
 * failures (T_detect) and for a request to give up on the primary and move on
 * (T_failover: one header timeout, or the retries' backoffs): the downtime the
 * availability maths adds to every failure.
 */
export function predictRoutingRto(inputs: RoutingInputs, objectiveMs: number | null): Prediction {
  if (inputs.enabledTargets < 2) {
    return {
      ms: null,
      unbounded: true,
      basis: `${inputs.serviceName} has ${inputs.enabledTargets === 0 ? 'no enabled target' : 'one enabled target'}: when it fails, callers wait until it recovers.`,
      fixes: [{ change: `Add a fallback target from another provider to ${inputs.serviceName}'s chain.`, predictedMs: null }],
    };
  }
  const detect = detectionMs(inputs.detection);
  const failover = failoverMs(inputs.failover);
  const backoff = retryBackoffMs(inputs.failover);
  const ms = detect + failover;
  const on = inputs.primaryName ? ` on ${inputs.primaryName}` : '';
  const basis = `Detection ${formatSpan(detect)} (breaker: ${inputs.detection.consecutiveFailures} failures in a row at ${formatRate(inputs.detection.requestsPerSecond)}, or its ${formatSpan(inputs.detection.windowMs)} window) + failover ${formatSpan(failover)} (${failover === inputs.failover.headerTimeoutMs ? `header timeout${on}` : `retry backoffs${on}`}).`;
  if (objectiveMs === null || ms <= objectiveMs) return { ms, basis, fixes: [] };

  const fixes: Fix[] = [];
  // The failover part: the header timeout, unless the backoffs are longer.
  const headerRoom = objectiveMs - detect;
  if (inputs.failover.headerTimeoutMs > backoff && headerRoom > backoff) {
    const header = roundDown(headerRoom);
    if (header >= SECOND && header < inputs.failover.headerTimeoutMs) {
      fixes.push({
        change: `Lower the header timeout${on} from ${formatSpan(inputs.failover.headerTimeoutMs)} to ${formatSpan(header)} (answers slower than that will fail over: check its p99 latency first).`,
        predictedMs: detect + Math.max(header, backoff),
      });
    }
  }
  if (backoff >= inputs.failover.headerTimeoutMs && inputs.failover.maxRetries > 0) {
    const fewer = { ...inputs.failover, maxRetries: inputs.failover.maxRetries - 1 };
    fixes.push({ change: `Allow ${fewer.maxRetries} retr${fewer.maxRetries === 1 ? 'y' : 'ies'}${on} instead of ${inputs.failover.maxRetries}.`, predictedMs: detect + failoverMs(fewer) });
  }
  // The detection part: the breaker's window bounds it.
  const windowRoom = objectiveMs - failover;
  if (windowRoom >= SECOND && detect > windowRoom) {
    const window = roundDown(windowRoom);
    if (window >= SECOND && window < inputs.detection.windowMs) {
      fixes.push({ change: `Shorten the breaker window${on} from ${formatSpan(inputs.detection.windowMs)} to ${formatSpan(window)}.`, predictedMs: detectionMs({ ...inputs.detection, windowMs: window }) + failover });
    }
    if (inputs.detection.consecutiveFailures > 1) {
      const fewer = Math.max(1, Math.floor((windowRoom / SECOND) * inputs.detection.requestsPerSecond));
      if (fewer < inputs.detection.consecutiveFailures) {
        fixes.push({
          change: `Open the breaker${on} after ${fewer} failure${fewer === 1 ? '' : 's'} in a row instead of ${inputs.detection.consecutiveFailures}.`,
          predictedMs: detectionMs({ ...inputs.detection, consecutiveFailures: fewer }) + failover,
        });
      }
    }
  }
  if (fixes.length === 0) fixes.push({ change: `Lower the header timeout and the breaker thresholds${on}: together they cannot fit ${formatSpan(objectiveMs)}.`, predictedMs: null });
  return { ms, basis, fixes: fixes.sort((a, b) => (a.predictedMs ?? Infinity) - (b.predictedMs ?? Infinity)) };
}

export type ServingInputs = {
  targetName: string;
  detection: DetectionInputs;
  /** The breaker stays open this long before it lets a trial through. */
  openMs: number;
  halfOpenSuccesses: number;
  probeIntervalMs: number;
};

/**
 * Model serving: Standby's own share of the outage (noticing the failure, and
 * sending traffic back once the target has recovered: the breaker's open
 * time, then its half-open successes, from traffic or from probes). The
 * provider's repair time comes on top and no configuration predicts it.
 */
export function predictServingRto(inputs: ServingInputs, objectiveMs: number | null): Prediction {
  const detect = detectionMs(inputs.detection);
  const perSuccess = inputs.detection.requestsPerSecond > 0 ? Math.min(SECOND / inputs.detection.requestsPerSecond, inputs.probeIntervalMs) : inputs.probeIntervalMs;
  const back = inputs.openMs + inputs.halfOpenSuccesses * perSuccess;
  const ms = detect + back;
  const basis = `Standby's share only: detection ${formatSpan(detect)} + return after the target recovers ${formatSpan(back)} (breaker open ${formatSpan(inputs.openMs)}, then ${inputs.halfOpenSuccesses} successes). The provider's own repair time comes on top.`;
  if (objectiveMs === null || ms <= objectiveMs) return { ms, basis, fixes: [] };
  const open = roundDown(Math.max(SECOND, objectiveMs - detect - inputs.halfOpenSuccesses * perSuccess));
  return { ms, basis, fixes: [{ change: `Shorten the breaker's open time on ${inputs.targetName} from ${formatSpan(inputs.openMs)} to ${formatSpan(open)}.`, predictedMs: detect + open + inputs.halfOpenSuccesses * perSuccess }] };
}

/** One reported copy, newest last: when it was observed and the point in time it holds. */
export type CopyReport = { observedAt: number; copyAt: number | null; lagMs: number | null; restoreMs: number | null; ok: boolean; /** A replica: it copies a deletion too, so it does not count against a loss of data. */ replica?: boolean };

/**
 * Stateful components, from what they report: the RPO their copies give by
 * design (a replica's usual lag, or the usual interval between point-in-time
 * copies: the most a failure just before the next copy loses), and the RTO of
 * a restore (the last successful restore test).
 */
export function predictFromReports(componentName: string, reports: readonly CopyReport[], objective: { rtoMs: number; rpoMs: number } | null, dataLoss: boolean) {
  const lags = reports.filter((r) => r.ok && r.lagMs !== null && !(dataLoss && r.replica)).map((r) => r.lagMs!);
  const copies = reports.filter((r) => r.ok && r.copyAt !== null && r.lagMs === null).map((r) => r.copyAt!).sort((a, b) => a - b);
  const gaps = copies.slice(1).map((at, i) => at - copies[i]).filter((gap) => gap > 0);
  const restores = reports.filter((r) => r.ok && r.restoreMs !== null);

  let rpo: Prediction;
  if (lags.length > 0) {
    const ms = median(lags);
    rpo = { ms, basis: `Continuous copies usually ${formatSpan(ms)} behind (median of ${lags.length} reports).`, fixes: [] };
  } else if (gaps.length > 0) {
    const ms = median(gaps);
    rpo = { ms, basis: `A copy every ${formatSpan(ms)} (median of ${gaps.length} intervals): a failure just before the next one loses that much.`, fixes: [] };
  } else {
    rpo = { ms: null, basis: `${componentName} has reported no copies to predict from.`, fixes: [{ change: `Report ${componentName}'s backups or replica lag to POST /api/v1/recovery/evidence.`, predictedMs: null }] };
  }
  if (objective && rpo.ms !== null && rpo.ms > objective.rpoMs) {
    rpo.fixes.push(
      dataLoss || lags.length === 0
        ? { change: `Copy ${componentName} at least every ${formatSpan(objective.rpoMs)}${objective.rpoMs < 15 * 60 * SECOND ? ', or replicate it continuously' : ''}.`, predictedMs: objective.rpoMs }
        : { change: `Bring ${componentName}'s replication lag under ${formatSpan(objective.rpoMs)}.`, predictedMs: objective.rpoMs },
    );
  }

  let rto: Prediction;
  const lastRestore = restores.at(-1);
  if (lastRestore) {
    rto = { ms: lastRestore.restoreMs, basis: `The last successful restore test took ${formatSpan(lastRestore.restoreMs)}.`, fixes: [] };
    if (objective && lastRestore.restoreMs! > objective.rtoMs) {
      rto.fixes.push({ change: `Make ${componentName}'s restore faster than ${formatSpan(objective.rtoMs)} (a closer or smaller copy, more bandwidth), or keep a warm standby.`, predictedMs: null });
    }
  } else {
    rto = { ms: null, basis: `No restore of ${componentName} was timed in the last 90 days.`, fixes: [{ change: `Run a restore test of ${componentName} and report its duration.`, predictedMs: null }] };
  }
  return { rpo, rto };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const formatRate = (rps: number) => (rps >= 1 ? `${Math.round(rps).toLocaleString('en-US')} requests/s` : `${Number(rps.toPrecision(2))} requests/s`);
