import 'server-only';
// The demand really asked of each service, from the per-minute rollups every
// recorder flush writes (lib/health/rollups.ts): the control loop turns it into
// D, and the steering and tier previews forecast the tier with the same figure.
import { db, Prisma } from '@/lib/server/db';
import { DEMAND_WINDOW_MINUTES, measuredDemandRpm } from './capacity';

const MINUTE = 60_000;

/** Requests per minute per service id (capacity.ts, measuredDemandRpm), over the last complete minutes before `now`. */
export async function measuredDemand(now: number, serviceIds?: string[]): Promise<Map<string, number>> {
  const to = new Date(Math.floor(now / MINUTE) * MINUTE);
  const from = new Date(to.getTime() - DEMAND_WINDOW_MINUTES * MINUTE);
  const lastMinute = new Date(to.getTime() - MINUTE);
  const only = serviceIds ? Prisma.sql`AND "serviceId" = ANY(${serviceIds}::uuid[])` : Prisma.empty;
  const rows = await db().$queryRaw<{ serviceId: string; window: bigint | number; last: bigint | number }[]>(Prisma.sql`
    SELECT "serviceId"::text AS "serviceId", sum(requests)::bigint AS window,
           coalesce(sum(requests) FILTER (WHERE bucket >= ${lastMinute}::timestamp), 0)::bigint AS last
    FROM "ServiceRollup"
    WHERE "resolutionSec" = 60 AND bucket >= ${from}::timestamp AND bucket < ${to}::timestamp ${only}
    GROUP BY "serviceId"`);
  return new Map(rows.map((r) => [r.serviceId, measuredDemandRpm(Number(r.last), Number(r.window))]));
}
