// GET /api/incidents/<INC-n or id>/timeline?view=curated&before=<cursor>: the
// timeline newest first, 200 entries a page.
import { getTimeline, resolveIncidentId } from '@/lib/incidents/data';
import { AppError } from '@/lib/server/errors';
import { withPermission } from '@/lib/server/route';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

export async function GET(request: Request, context: Context): Promise<Response> {
  return withPermission('estate.read', async () => {
    const ref = (await context.params).id;
    const id = await resolveIncidentId(ref);
    if (!id) throw new AppError('NOT_FOUND', `There is no incident ${ref.slice(0, 40)}.`);
    const url = new URL(request.url);
    const before = url.searchParams.get('before');
    if (before && before.length > 60) throw new AppError('INVALID', 'That is not a timeline cursor.');
    const page = await getTimeline(id, { curated: url.searchParams.get('view') === 'curated', before });
    return Response.json(page, { headers: { 'cache-control': 'no-store' } });
  })(request);
}
