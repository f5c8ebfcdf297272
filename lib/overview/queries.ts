// React Query options for the Overview (STYLE.md habit 7): one key, polled
// every five seconds, so an SRE watching an incident sees it move.
import { queryOptions } from '@tanstack/react-query';
import { fetchLive, type LiveDataError } from '@/lib/health/queries';
import type { Overview } from './data';

export const OVERVIEW_REFRESH_MS = 5_000;

export const overviewQueries = {
  all: () => ['overview'] as const,
  overview: () =>
    queryOptions<Overview, LiveDataError>({
      queryKey: ['overview'],
      queryFn: ({ signal }) => fetchLive<Overview>('/api/live/overview', signal),
      // Keep polling through transient failures (the page says so); stop on final ones.
      refetchInterval: ({ state }) => (state.error?.isFinal ? false : OVERVIEW_REFRESH_MS),
      retry: (failures, error) => !error.isFinal && failures < 1,
      retryDelay: 1_000,
      staleTime: 2_000,
    }),
};
