// React Query options for the history charts (STYLE.md habit 7): one key per
// service and range, polled as often as the range's buckets can move.
import { queryOptions } from '@tanstack/react-query';
import type { ServiceChartData } from '@/lib/health/chart-data';
import { RANGE_SPECS, type ChartRange } from '@/lib/health/downsample';
import { fetchLive, pollLive, type LiveDataError } from '@/lib/shared/live-data';

export const chartQueries = {
  service: (name: string, range: ChartRange) =>
    queryOptions<ServiceChartData, LiveDataError>({
      queryKey: ['health', 'service', name, 'charts', range],
      queryFn: ({ signal }) => fetchLive<ServiceChartData>(`/api/live/services/${encodeURIComponent(name)}/charts?range=${range}`, signal),
      ...pollLive(RANGE_SPECS[range].refreshMs),
    }),
};
