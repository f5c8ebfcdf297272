// React Query options for the live health views (STYLE.md habit 7): one factory,
// so panels and invalidations after steering actions share the same keys.
import { queryOptions } from '@tanstack/react-query';
import { fetchLive, LIVE_REFRESH_MS, pollLive, type LiveDataError } from '@/lib/shared/live-data';
import type { HealthOverview, ServiceLive } from './data';

const live = pollLive(LIVE_REFRESH_MS);

export const healthQueries = {
  all: () => ['health'] as const,
  serviceLive: (name: string) =>
    queryOptions<ServiceLive, LiveDataError>({
      queryKey: ['health', 'service', name],
      queryFn: ({ signal }) => fetchLive<ServiceLive>(`/api/live/services/${encodeURIComponent(name)}`, signal),
      ...live,
    }),
  overview: () =>
    queryOptions<HealthOverview, LiveDataError>({
      queryKey: ['health', 'overview'],
      queryFn: ({ signal }) => fetchLive<HealthOverview>('/api/live/health', signal),
      ...live,
    }),
};
