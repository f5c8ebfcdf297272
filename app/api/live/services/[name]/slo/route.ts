// GET /api/live/services/:name/slo: a service's SLO standing (attainment, error
// budget, burn rate per window and rule) and its burn-rate alerts, for the
// SLO panel of the service page, which polls it every ten seconds.
import { z } from 'zod';
import { getServiceSlo } from '@/lib/slo/data';
import { serviceInput } from '@/lib/inventory/schemas';
import { AppError, fieldErrorsOf } from '@/lib/server/errors';
import { withPermission } from '@/lib/server/route';

export const dynamic = 'force-dynamic';

const params = z.object({ name: serviceInput.shape.name });

export async function GET(request: Request, context: { params: Promise<{ name: string }> }): Promise<Response> {
  return withPermission('estate.read', async () => {
    const parsed = params.safeParse(await context.params);
    if (!parsed.success) throw new AppError('INVALID', 'That is not a valid service name.', fieldErrorsOf(parsed.error));
    const slo = await getServiceSlo(parsed.data.name);
    if (!slo) throw new AppError('NOT_FOUND', `There is no service named '${parsed.data.name}'.`);
    return Response.json(slo, { headers: { 'cache-control': 'no-store' } });
  })(request);
}
