// GET /api/live/degradation/:name: one service's tier, D, override, policy and tier
// timeline, for the degradation panel of the service page, which polls it every two seconds.
import { z } from 'zod';
import { getServiceDegradation } from '@/lib/degradation/data';
import { serviceInput } from '@/lib/inventory/schemas';
import { AppError, fieldErrorsOf } from '@/lib/server/errors';
import { withPermission } from '@/lib/server/route';

export const dynamic = 'force-dynamic';

const params = z.object({ name: serviceInput.shape.name });

export async function GET(request: Request, context: { params: Promise<{ name: string }> }): Promise<Response> {
  return withPermission('estate.read', async () => {
    const parsed = params.safeParse(await context.params);
    if (!parsed.success) throw new AppError('INVALID', 'That is not a valid service name.', fieldErrorsOf(parsed.error));
    const degradation = await getServiceDegradation(parsed.data.name);
    if (!degradation) throw new AppError('NOT_FOUND', `There is no service named '${parsed.data.name}'.`);
    return Response.json(degradation, { headers: { 'cache-control': 'no-store' } });
  })(request);
}
