// GET /api/live/degradation: every service's tier, D, available and required RPM
// and override, for the Degradation page, which polls it every two seconds.
import { getDegradationOverview } from '@/lib/degradation/data';
import { withPermission } from '@/lib/server/route';

export const dynamic = 'force-dynamic';

export const GET = withPermission('estate.read', async () => {
  return Response.json(await getDegradationOverview(), { headers: { 'cache-control': 'no-store' } });
});
