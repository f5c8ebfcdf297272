// GET /api/live/services/:name: a service's live health (per chain target, charts,
// breaker transitions, overrides) for the live panel, which polls it every two seconds.
import { z } from 'zod';
import { getServiceLive } from '@/lib/health/data';
import { serviceInput } from '@/lib/inventory/schemas';
import { AppError, fieldErrorsOf } from '@/lib/server/errors';
import { withPermission } from '@/lib/server/route';

export const dynamic = 'force-dynamic';

const params = z.object({ name: serviceInput.shape.name });

export async function GET(request: Request, context: { params: Promise<{ name: string }> }): Promise<Response> {
  return withPermission('estate.read', async () => {
    const parsed = params.safeParse(await context.params);
    if (!parsed.success) throw new AppError('INVALID', 'That is not a valid service name.', fieldErrorsOf(parsed.error));
    const live = await getServiceLive(parsed.data.name);
    if (!live) throw new AppError('NOT_FOUND', `There is no service named '${parsed.data.name}'.`);
    return Response.json(live, { headers: { 'cache-control': 'no-store' } });
  })(request);
}
