// React Query options for the service page's routing (STYLE.md habit 7): the
// routing and chain cards read it, and a steering action writes its result into
// it, so the page shows the new state as soon as the action returns.
import { queryOptions } from '@tanstack/react-query';
import { fetchLive, pollLive, type LiveDataError } from '@/lib/shared/live-data';
import type { ServiceRouting } from './data';

/** Routing changes by operators (who see it at once) and breakers (shown on the live panel too): a slower poll is enough. */
const ROUTING_REFRESH_MS = 5_000;

export const failoverQueries = {
  all: () => ['failover'] as const,
  routing: (name: string) =>
    queryOptions<ServiceRouting, LiveDataError>({
      queryKey: ['failover', 'routing', name],
      queryFn: ({ signal }) => fetchLive<ServiceRouting>(`/api/live/services/${encodeURIComponent(name)}/routing`, signal),
      ...pollLive(ROUTING_REFRESH_MS),
    }),
};
