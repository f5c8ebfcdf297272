// The one shape of the routes that read one incident by INC-n or id: a reader
// (estate.read), 404 for an unknown incident, never cached.
import { resolveIncidentId } from '@/lib/incidents/data';
import { AppError } from '@/lib/server/errors';
import { withPermission } from '@/lib/server/route';

type Context = { params: Promise<{ id: string }> };

/** A GET handler answering `read(incidentId, request)`; `read` returns null when the incident is gone. */
export function incidentReadRoute(read: (incidentId: string, request: Request) => Promise<Response | null>) {
  return async function GET(request: Request, context: Context): Promise<Response> {
    return withPermission('estate.read', async () => {
      const ref = (await context.params).id;
      const id = await resolveIncidentId(ref);
      const response = id ? await read(id, request) : null;
      if (!response) throw new AppError('NOT_FOUND', `There is no incident ${ref.slice(0, 40)}.`);
      return response;
    })(request);
  };
}
