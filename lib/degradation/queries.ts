// React Query options for the live degradation views (STYLE.md habit 7): one
// factory, so the Degradation page, the service panel and the invalidations
// after an override share the same keys.
import { queryOptions } from '@tanstack/react-query';
import { fetchLive, LIVE_REFRESH_MS, pollLive, type LiveDataError } from '@/lib/shared/live-data';
import type { DegradationOverview, ServiceDegradation } from './data';

const live = pollLive(LIVE_REFRESH_MS);

export const degradationQueries = {
  all: () => ['degradation'] as const,
  overview: () =>
    queryOptions<DegradationOverview, LiveDataError>({
      queryKey: ['degradation', 'overview'],
      queryFn: ({ signal }) => fetchLive<DegradationOverview>('/api/live/degradation', signal),
      ...live,
    }),
  service: (name: string) =>
    queryOptions<ServiceDegradation, LiveDataError>({
      queryKey: ['degradation', 'service', name],
      queryFn: ({ signal }) => fetchLive<ServiceDegradation>(`/api/live/degradation/${encodeURIComponent(name)}`, signal),
      ...live,
    }),
};
