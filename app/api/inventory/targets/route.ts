// GET /api/inventory/targets: the target inventory as JSON for scripts and
// dashboards (same filters as the Targets page: q, status, page, provider, region).
import { listTargets } from '@/lib/inventory/data';
import { parseListQuery } from '@/lib/server/pagination';
import { withPermission } from '@/lib/server/route';

export const dynamic = 'force-dynamic';

export const GET = withPermission('estate.read', async (request) => {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const query = parseListQuery(params);
  const uuid = /^[0-9a-f-]{36}$/i;
  const page = await listTargets({
    ...query,
    providerId: uuid.test(params.provider ?? '') ? params.provider : undefined,
    regionId: uuid.test(params.region ?? '') ? params.region : undefined,
  });
  return Response.json(page, { headers: { 'cache-control': 'no-store' } });
});
