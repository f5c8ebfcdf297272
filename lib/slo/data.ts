import 'server-only';
// SLO reads: request counts per burn window and per SLO window, from
// ServiceRollup only (never RequestRecord, which holds a row per request and
// would make a 30-day window scan millions of rows). Which buckets make up each
// window, and how exact its edges are, is lib/slo/windows.ts. Times are passed
// as parameters, never SQL now(): the columns are UTC timestamps without zone.
import { db, Prisma } from '@/lib/server/db';
import { type AlertSeverity, type CountsByWindow, type WindowCounts } from './burn-rate';
import { sloStatus, type SloStatus } from './status';
import { planWindows, sloSpan } from './windows';

export type ServiceWindowCounts = { windows: CountsByWindow; slo: WindowCounts };

type CountsRow = {
  serviceId: string;
  r5m: number; f5m: number; r30m: number; f30m: number; r1h: number; f1h: number; r6h: number; f6h: number; r3d: number; f3d: number; rSlo: number; fSlo: number;
};

const MINUTE = 60;
const HOUR = 3600;
const EMPTY: ServiceWindowCounts = {
  windows: { '5m': { requests: 0, failures: 0 }, '30m': { requests: 0, failures: 0 }, '1h': { requests: 0, failures: 0 }, '6h': { requests: 0, failures: 0 }, '3d': { requests: 0, failures: 0 } },
  slo: { requests: 0, failures: 0 },
};

/**
 * Requests and failures of each service over every burn window and its own SLO
 * window, in one statement. Per service (LATERAL, so the planner cannot swap
 * it for a scan of every service's rows), four ranges of the rollup primary
 * key (serviceId, resolutionSec, bucket) are summed where they are read: the
 * recent minutes (every short window, and the hour in progress of the long
 * ones), the minutes of each long window's partial oldest hour, and the hour
 * rows. The cost follows the number of buckets (about 1,200 per service for
 * 30 days), not of requests, and no bucket is counted twice in a window.
 */
export async function readWindowCounts(services: { id: string; sloWindowDays: number }[], now: Date): Promise<Map<string, ServiceWindowCounts>> {
  const result = new Map<string, ServiceWindowCounts>(services.map((s) => [s.id, structuredClone(EMPTY)]));
  if (services.length === 0) return result;
  const { short, threeDays, recentFrom } = planWindows(now);
  const slo = services.map((s) => sloSpan(now, s.sloWindowDays));
  // The hour in progress starts at the same time for every long window.
  const currentHour = threeDays.hourTo;
  const sums = (name: string, condition: Prisma.Sql) =>
    Prisma.sql`coalesce(sum(requests) FILTER (WHERE ${condition}), 0)::float8 AS ${Prisma.raw(`"r${name}"`)}, coalesce(sum(failures) FILTER (WHERE ${condition}), 0)::float8 AS ${Prisma.raw(`"f${name}"`)}`;
  const total = Prisma.sql`coalesce(sum(requests), 0)::float8 AS r, coalesce(sum(failures), 0)::float8 AS f`;

  const rows = await db().$queryRaw<CountsRow[]>`
    SELECT s.id AS "serviceId",
      m."r5m", m."f5m", m."r30m", m."f30m", m."r1h", m."f1h", m."r6h", m."f6h",
      e3.r + h."r3d" + m."rNow" AS "r3d", e3.f + h."f3d" + m."fNow" AS "f3d",
      es.r + h."rSlo" + m."rNow" AS "rSlo", es.f + h."fSlo" + m."fNow" AS "fSlo"
    FROM unnest(${services.map((x) => x.id)}::uuid[], ${slo.map((x) => x.minuteFrom)}::timestamp[], ${slo.map((x) => x.hourFrom)}::timestamp[])
      AS s(id, slo_minute_from, slo_hour_from)
    CROSS JOIN LATERAL (
      SELECT
        ${sums('5m', Prisma.sql`bucket >= ${short['5m'].minuteFrom}::timestamp`)},
        ${sums('30m', Prisma.sql`bucket >= ${short['30m'].minuteFrom}::timestamp`)},
        ${sums('1h', Prisma.sql`bucket >= ${short['1h'].minuteFrom}::timestamp`)},
        ${sums('6h', Prisma.sql`bucket >= ${short['6h'].minuteFrom}::timestamp`)},
        ${sums('Now', Prisma.sql`bucket >= ${currentHour}::timestamp`)}
      FROM "ServiceRollup"
      WHERE "serviceId" = s.id AND "resolutionSec" = ${MINUTE} AND bucket >= ${recentFrom}::timestamp AND bucket <= ${now}::timestamp
    ) m
    CROSS JOIN LATERAL (
      SELECT ${total} FROM "ServiceRollup"
      WHERE "serviceId" = s.id AND "resolutionSec" = ${MINUTE} AND bucket >= ${threeDays.minuteFrom}::timestamp AND bucket < ${threeDays.hourFrom}::timestamp
    ) e3
    CROSS JOIN LATERAL (
      SELECT ${total} FROM "ServiceRollup"
      WHERE "serviceId" = s.id AND "resolutionSec" = ${MINUTE} AND bucket >= s.slo_minute_from AND bucket < s.slo_hour_from
    ) es
    CROSS JOIN LATERAL (
      SELECT
        ${sums('3d', Prisma.sql`bucket >= ${threeDays.hourFrom}::timestamp`)},
        ${sums('Slo', Prisma.sql`bucket >= s.slo_hour_from`)}
      FROM "ServiceRollup"
      WHERE "serviceId" = s.id AND "resolutionSec" = ${HOUR} AND bucket >= least(s.slo_hour_from, ${threeDays.hourFrom}::timestamp) AND bucket < ${currentHour}::timestamp
    ) h`;

  for (const row of rows) {
    result.set(row.serviceId, {
      windows: {
        '5m': { requests: row.r5m, failures: row.f5m },
        '30m': { requests: row.r30m, failures: row.f30m },
        '1h': { requests: row.r1h, failures: row.f1h },
        '6h': { requests: row.r6h, failures: row.f6h },
        '3d': { requests: row.r3d, failures: row.f3d },
      },
      slo: { requests: row.rSlo, failures: row.fSlo },
    });
  }
  return result;
}

export type AlertView = {
  id: string;
  severity: AlertSeverity;
  rule: string;
  openedAt: string;
  lastSeenAt: string;
  resolvedAt: string | null;
  longBurn: number;
  shortBurn: number;
};

const ALERT_SELECT = { id: true, serviceId: true, severity: true, rule: true, openedAt: true, lastSeenAt: true, resolvedAt: true, longBurn: true, shortBurn: true } as const;

type AlertRow = { id: string; severity: AlertSeverity; rule: string; openedAt: Date; lastSeenAt: Date; resolvedAt: Date | null; longBurn: number; shortBurn: number };
const toAlertView = (a: AlertRow): AlertView => ({
  id: a.id, severity: a.severity, rule: a.rule, openedAt: a.openedAt.toISOString(), lastSeenAt: a.lastSeenAt.toISOString(),
  resolvedAt: a.resolvedAt?.toISOString() ?? null, longBurn: a.longBurn, shortBurn: a.shortBurn,
});

export type ServiceSlo = {
  generatedAt: string;
  service: { id: string; name: string };
  status: SloStatus;
  /** Alerts still open, most urgent first. */
  openAlerts: AlertView[];
  /** The latest resolved alerts, newest first. */
  recentAlerts: AlertView[];
};

const RECENT_ALERTS = 10;

/** The SLO section of a service page; null if no service has this name. */
export async function getServiceSlo(serviceName: string, now = new Date()): Promise<ServiceSlo | null> {
  const service = await db().service.findUnique({ where: { name: serviceName }, select: { id: true, name: true, sloTarget: true, sloWindowDays: true } });
  if (!service) return null;
  const [counts, open, recent] = await Promise.all([
    readWindowCounts([service], now),
    db().alertEvent.findMany({ where: { serviceId: service.id, kind: 'burn_rate', resolvedAt: null }, orderBy: [{ severity: 'asc' }, { openedAt: 'desc' }], select: ALERT_SELECT }),
    db().alertEvent.findMany({ where: { serviceId: service.id, kind: 'burn_rate', resolvedAt: { not: null } }, orderBy: { resolvedAt: 'desc' }, take: RECENT_ALERTS, select: ALERT_SELECT }),
  ]);
  const { windows, slo } = counts.get(service.id) ?? EMPTY;
  return {
    generatedAt: now.toISOString(),
    service: { id: service.id, name: service.name },
    status: sloStatus({ sloTarget: service.sloTarget, windowDays: service.sloWindowDays, windows, slo }),
    openAlerts: open.map(toAlertView),
    recentAlerts: recent.map(toAlertView),
  };
}

export type ServiceSloSummary = { status: SloStatus; openAlerts: AlertView[] };

/** SLO standing and open alerts of the given services (the overview's), with two statements whatever their number. */
export async function getSloSummaries(services: { id: string; sloTarget: number; sloWindowDays: number }[], now = new Date()): Promise<Map<string, ServiceSloSummary>> {
  const [counts, open] = await Promise.all([
    readWindowCounts(services, now),
    db().alertEvent.findMany({
      where: { serviceId: { in: services.map((s) => s.id) }, kind: 'burn_rate', resolvedAt: null },
      orderBy: [{ severity: 'asc' }, { openedAt: 'desc' }],
      select: ALERT_SELECT,
    }),
  ]);
  return new Map(
    services.map((service) => {
      const { windows, slo } = counts.get(service.id) ?? EMPTY;
      return [
        service.id,
        {
          status: sloStatus({ sloTarget: service.sloTarget, windowDays: service.sloWindowDays, windows, slo }),
          openAlerts: open.filter((a) => a.serviceId === service.id).map(toAlertView),
        },
      ];
    }),
  );
}
