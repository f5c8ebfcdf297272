// GET /api/live/health: every target's breaker, last probe and five-minute success
// rate and p95, with the latest breaker transitions, for the Health page's live view.
import { getHealthOverview } from '@/lib/health/data';
import { withPermission } from '@/lib/server/route';

export const dynamic = 'force-dynamic';

export const GET = withPermission('estate.read', async () => {
  return Response.json(await getHealthOverview(), { headers: { 'cache-control': 'no-store' } });
});
