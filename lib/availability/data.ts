import 'server-only';
// What the availability maths of a service starts from: each chain target's
// availability with where it came from (measured, declared or assumed), its
// failure domain, and the figures detection and failover time are computed
// from. The maths itself (lib/availability/maths.ts) runs on the page, so the
// what-if editor and the panel compute with one function.
import { db } from '@/lib/server/db';
import {
  ASSUMED_FAILURES_PER_YEAR, ASSUMED_REQUESTS_PER_SECOND, ASSUMED_STANDBY_AVAILABILITY, ASSUMED_TARGET_AVAILABILITY, MAX_FAILURE_HISTORY_DAYS,
  MEASUREMENT_WINDOW_DAYS, MIN_FAILURE_HISTORY_DAYS, MIN_MEASURED_SAMPLES, RATE_WINDOW_HOURS, type AvailabilitySource,
} from './assumptions';
import { annualize, DAY_MS, detectionMs, failoverMs, retryBackoffMs } from './maths';

const HOUR = 3600;

export type ChainMemberView = {
  targetId: string;
  name: string;
  position: number;
  providerName: string;
  regionCode: string;
  /** Provider.failureDomain, else the provider's name: one provider across regions is one domain. */
  domain: string;
  /** The target, its provider and its region are enabled: only those count. */
  enabled: boolean;
  availability: number;
  source: AvailabilitySource;
  /** Samples and failed samples over the measurement window. */
  samples: number;
  failures: number;
  declared: number | null;
};

export type ServiceAvailabilityView = {
  serviceName: string;
  generatedAt: string;
  windowDays: number;
  minSamples: number;
  members: ChainMemberView[];
  standby: { availability: number; source: 'assumed' };
  /** Failures of the primary a year: closed → open transitions of its breaker, annualised. */
  failures: { perYear: number; source: 'measured' | 'assumed'; primaryName: string | null; opens: number; historyDays: number };
  /** T_detect, from the primary's breaker and the service's request rate. */
  detection: { ms: number; consecutiveFailures: number; windowMs: number; requestsPerSecond: number; rateSource: 'measured' | 'assumed'; rateWindowHours: number };
  /** T_failover, from the primary's chain entry. */
  failover: { ms: number; headerTimeoutMs: number; maxRetries: number; baseBackoffMs: number; maxBackoffMs: number; backoffMs: number };
};

/** The availability inputs of a service's chain; null if no service has this name. */
export async function getServiceAvailability(serviceName: string, now = new Date()): Promise<ServiceAvailabilityView | null> {
  const service = await db().service.findUnique({
    where: { name: serviceName },
    select: {
      id: true,
      name: true,
      chain: {
        orderBy: { position: 'asc' },
        select: {
          position: true, headerTimeoutMs: true, maxRetries: true, baseBackoffMs: true, maxBackoffMs: true,
          target: {
            select: {
              id: true, name: true, enabled: true, declaredAvailability: true, createdAt: true, breakerConsecutiveFailures: true, breakerWindowMs: true,
              provider: { select: { name: true, failureDomain: true, enabled: true } },
              region: { select: { code: true, enabled: true } },
            },
          },
        },
      },
    },
  });
  if (!service) return null;

  const targetIds = service.chain.map((entry) => entry.target.id);
  const measuredSince = new Date(now.getTime() - MEASUREMENT_WINDOW_DAYS * DAY_MS);
  const rateSince = new Date(now.getTime() - RATE_WINDOW_HOURS * HOUR * 1000);
  const primary = service.chain.find((entry) => entry.target.enabled && entry.target.provider.enabled && entry.target.region.enabled) ?? null;
  const historyMs = primary ? Math.min(MAX_FAILURE_HISTORY_DAYS * DAY_MS, Math.max(0, now.getTime() - primary.target.createdAt.getTime())) : 0;

  const [rollups, traffic, opens] = await Promise.all([
    targetIds.length
      ? db().targetRollup.groupBy({
          by: ['targetId'],
          where: { targetId: { in: targetIds }, resolutionSec: HOUR, bucket: { gte: measuredSince, lte: now } },
          _sum: { samples: true, failures: true },
        })
      : Promise.resolve([]),
    db().serviceRollup.aggregate({ where: { serviceId: service.id, resolutionSec: HOUR, bucket: { gte: rateSince, lte: now } }, _sum: { requests: true } }),
    primary
      ? db().breakerTransition.count({ where: { targetId: primary.target.id, from: 'closed', to: 'open', at: { gte: new Date(now.getTime() - historyMs), lte: now } } })
      : Promise.resolve(0),
  ]);
  const measured = new Map(rollups.map((row) => [row.targetId, { samples: row._sum.samples ?? 0, failures: row._sum.failures ?? 0 }]));

  const members: ChainMemberView[] = service.chain.map(({ position, target }) => {
    const { samples, failures } = measured.get(target.id) ?? { samples: 0, failures: 0 };
    const declared = target.declaredAvailability;
    const [availability, source]: [number, AvailabilitySource] =
      samples >= MIN_MEASURED_SAMPLES ? [(samples - failures) / samples, 'measured'] : declared !== null ? [declared, 'declared'] : [ASSUMED_TARGET_AVAILABILITY, 'assumed'];
    return {
      targetId: target.id,
      name: target.name,
      position,
      providerName: target.provider.name,
      regionCode: target.region.code,
      domain: target.provider.failureDomain?.trim() || target.provider.name,
      enabled: target.enabled && target.provider.enabled && target.region.enabled,
      availability,
      source,
      samples,
      failures,
      declared,
    };
  });

  const requests = traffic._sum.requests ?? 0;
  const measuredRate = requests / (RATE_WINDOW_HOURS * HOUR);
  const requestsPerSecond = measuredRate > 0 ? measuredRate : ASSUMED_REQUESTS_PER_SECOND;
  const consecutiveFailures = primary?.target.breakerConsecutiveFailures ?? 5;
  const windowMs = primary?.target.breakerWindowMs ?? 10_000;
  const budget = {
    headerTimeoutMs: primary?.headerTimeoutMs ?? 30_000,
    maxRetries: primary?.maxRetries ?? 2,
    baseBackoffMs: primary?.baseBackoffMs ?? 200,
    maxBackoffMs: primary?.maxBackoffMs ?? 5_000,
  };
  const enoughHistory = historyMs >= MIN_FAILURE_HISTORY_DAYS * DAY_MS;

  return {
    serviceName: service.name,
    generatedAt: now.toISOString(),
    windowDays: MEASUREMENT_WINDOW_DAYS,
    minSamples: MIN_MEASURED_SAMPLES,
    members,
    standby: { availability: ASSUMED_STANDBY_AVAILABILITY, source: 'assumed' },
    failures: {
      perYear: enoughHistory ? annualize(opens, historyMs) : ASSUMED_FAILURES_PER_YEAR,
      source: enoughHistory ? 'measured' : 'assumed',
      primaryName: primary?.target.name ?? null,
      opens,
      historyDays: Math.floor(historyMs / DAY_MS),
    },
    detection: {
      ms: detectionMs({ consecutiveFailures, windowMs, requestsPerSecond }),
      consecutiveFailures,
      windowMs,
      requestsPerSecond,
      rateSource: measuredRate > 0 ? 'measured' : 'assumed',
      rateWindowHours: RATE_WINDOW_HOURS,
    },
    failover: { ms: failoverMs(budget), ...budget, backoffMs: retryBackoffMs(budget) },
  };
}
