// GET /api/incidents/<INC-n or id>: the incident cockpit (everything but the
// timeline), refetched by the page when the live stream says it changed.
import { getIncident } from '@/lib/incidents/data';
import { incidentReadRoute } from '../incident-read-route';

export const dynamic = 'force-dynamic';

export const GET = incidentReadRoute(async (id) => {
  const incident = await getIncident(id);
  return incident && Response.json(incident, { headers: { 'cache-control': 'no-store' } });
});
