// GET /api/incidents/live?incident=<id>: Server-Sent Events for one incident's
// page (new timeline entries whole, other changes as "changed"), or for the
// incidents list without `incident` (docs/decisions/011-incidents-live-timeline.md).
import { liveResponse } from '@/lib/incidents/live-hub';
import { resolveIncidentId } from '@/lib/incidents/data';
import { AppError } from '@/lib/server/errors';
import { withPermission } from '@/lib/server/route';

export const dynamic = 'force-dynamic';

export const GET = withPermission('estate.read', async (request) => {
  const url = new URL(request.url);
  const ref = url.searchParams.get('incident');
  const incidentId = ref ? await resolveIncidentId(ref) : null;
  if (ref && !incidentId) throw new AppError('NOT_FOUND', `There is no incident ${ref.slice(0, 40)}.`);
  const last = request.headers.get('last-event-id') ?? url.searchParams.get('after');
  return liveResponse(incidentId, request.signal, last && /^\d{1,19}$/.test(last) ? BigInt(last) : null);
});
