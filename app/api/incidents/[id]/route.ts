// GET /api/incidents/<INC-n or id>: the incident cockpit (everything but the
// timeline), refetched by the page when the live stream says it changed.
import { getIncident, resolveIncidentId } from '@/lib/incidents/data';
import { AppError } from '@/lib/server/errors';
import { withPermission } from '@/lib/server/route';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

export async function GET(request: Request, context: Context): Promise<Response> {
  return withPermission('estate.read', async () => {
    const ref = (await context.params).id;
    const id = await resolveIncidentId(ref);
    const incident = id ? await getIncident(id) : null;
    if (!incident) throw new AppError('NOT_FOUND', `There is no incident ${ref.slice(0, 40)}.`);
    return Response.json(incident, { headers: { 'cache-control': 'no-store' } });
  })(request);
}
