// GET /api/live/services/:name/steering-preview?kind=pin&targetId=…: what a
// steering action would do to the service (who serves, the capacity left, the
// tier that would follow, the services a drain touches), for the dialog that
// confirms it. A read (estate.read), so a query the page caches and refetches,
// not a server action.
import { previewServiceSteering } from '@/lib/failover/data';
import { previewSteeringQuery, toSteeringAction } from '@/lib/failover/schemas';
import { parseInput } from '@/lib/server/errors';
import { serviceReadRoute } from '../../../service-read-route';

export const dynamic = 'force-dynamic';

export const GET = serviceReadRoute((name, request) => {
  const query = new URL(request.url).searchParams;
  const parsed = parseInput(previewSteeringQuery, { kind: query.get('kind') ?? undefined, targetId: query.get('targetId') ?? undefined });
  return previewServiceSteering(name, toSteeringAction(parsed));
});
