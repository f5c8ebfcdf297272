// GET /api/incidents/<INC-n or id>/timeline?view=curated&before=<cursor>: the
// timeline newest first, 200 entries a page.
import { getTimeline } from '@/lib/incidents/data';
import { AppError } from '@/lib/server/errors';
import { incidentReadRoute } from '../../incident-read-route';

export const dynamic = 'force-dynamic';

export const GET = incidentReadRoute(async (id, request) => {
  const url = new URL(request.url);
  const before = url.searchParams.get('before');
  if (before && before.length > 60) throw new AppError('INVALID', 'That is not a timeline cursor.');
  const page = await getTimeline(id, { curated: url.searchParams.get('view') === 'curated', before });
  return Response.json(page, { headers: { 'cache-control': 'no-store' } });
});
