// React Query options for the history charts (STYLE.md habit 7): one key per
// service and range, polled as often as the range's buckets can move.
import { queryOptions } from '@tanstack/react-query';
import type { ServiceChartData } from '@/lib/health/chart-data';
import { RANGE_SPECS, type ChartRange } from '@/lib/health/downsample';
import { LiveDataError } from '@/lib/health/queries';

async function fetchCharts(name: string, range: ChartRange, signal: AbortSignal): Promise<ServiceChartData> {
  let response: Response;
  try {
    response = await fetch(`/api/live/services/${encodeURIComponent(name)}/charts?range=${range}`, { signal, cache: 'no-store', headers: { accept: 'application/json' } });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new LiveDataError(0, 'Standby could not be reached.');
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const message = (body as { error?: { message?: string } } | null)?.error?.message;
    throw new LiveDataError(response.status, message ?? `Standby answered ${response.status} ${response.statusText}`.trim());
  }
  return body as ServiceChartData;
}

export const chartQueries = {
  service: (name: string, range: ChartRange) =>
    queryOptions<ServiceChartData, LiveDataError>({
      queryKey: ['health', 'service', name, 'charts', range],
      queryFn: ({ signal }) => fetchCharts(name, range, signal),
      // Keep polling through transient failures (the section says so); stop on final ones.
      refetchInterval: ({ state }) => (state.error?.isFinal ? false : RANGE_SPECS[range].refreshMs),
      retry: (failures, error) => !error.isFinal && failures < 1,
      retryDelay: 1_000,
      staleTime: RANGE_SPECS[range].refreshMs / 2,
    }),
};
