// GET /api/live/services/:name/charts?range=1h|24h|7d|30d: a service's history
// charts (downsampled rollups and event markers) for the charts section, which
// polls it every 5 s for the last hour and less often for longer ranges.
import { z } from 'zod';
import { getServiceChartData } from '@/lib/health/chart-data';
import { CHART_RANGES } from '@/lib/health/downsample';
import { AppError, fieldErrorsOf } from '@/lib/server/errors';
import { serviceReadRoute } from '../../../service-read-route';

export const dynamic = 'force-dynamic';

const query = z.object({ range: z.enum(CHART_RANGES, { error: 'Choose a range of 1h, 24h, 7d or 30d.' }).default('24h') });

export const GET = serviceReadRoute((name, request) => {
  const parsed = query.safeParse({ range: new URL(request.url).searchParams.get('range') ?? undefined });
  if (!parsed.success) throw new AppError('INVALID', 'That is not a chart range.', fieldErrorsOf(parsed.error));
  return getServiceChartData(name, parsed.data.range);
});
