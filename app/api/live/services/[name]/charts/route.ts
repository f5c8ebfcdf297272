// GET /api/live/services/:name/charts?range=1h|24h|7d|30d: a service's history
// charts (downsampled rollups and event markers) for the charts section, which
// polls it every 5 s for the last hour and less often for longer ranges.
import { z } from 'zod';
import { getServiceChartData } from '@/lib/health/chart-data';
import { CHART_RANGES } from '@/lib/health/downsample';
import { serviceInput } from '@/lib/inventory/schemas';
import { AppError, fieldErrorsOf } from '@/lib/server/errors';
import { withPermission } from '@/lib/server/route';

export const dynamic = 'force-dynamic';

const params = z.object({ name: serviceInput.shape.name });
const query = z.object({ range: z.enum(CHART_RANGES, { error: 'Choose a range of 1h, 24h, 7d or 30d.' }).default('24h') });

export async function GET(request: Request, context: { params: Promise<{ name: string }> }): Promise<Response> {
  return withPermission('estate.read', async () => {
    const parsedParams = params.safeParse(await context.params);
    if (!parsedParams.success) throw new AppError('INVALID', 'That is not a valid service name.', fieldErrorsOf(parsedParams.error));
    const range = new URL(request.url).searchParams.get('range');
    const parsedQuery = query.safeParse({ range: range ?? undefined });
    if (!parsedQuery.success) throw new AppError('INVALID', 'That is not a chart range.', fieldErrorsOf(parsedQuery.error));
    const data = await getServiceChartData(parsedParams.data.name, parsedQuery.data.range);
    if (!data) throw new AppError('NOT_FOUND', `There is no service named '${parsedParams.data.name}'.`);
    return Response.json(data, { headers: { 'cache-control': 'no-store' } });
  })(request);
}
