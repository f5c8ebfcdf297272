// GET /api/live/overview: every service's tier, serving target, SLO standing and
// burn rate, open breakers and the last hour's changes, for the Overview page,
// which polls it every five seconds.
import { getOverview } from '@/lib/overview/data';
import { withPermission } from '@/lib/server/route';

export const dynamic = 'force-dynamic';

export const GET = withPermission('estate.read', async () => {
  return Response.json(await getOverview(), { headers: { 'cache-control': 'no-store' } });
});
