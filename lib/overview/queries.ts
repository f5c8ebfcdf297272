// React Query options for the Overview (STYLE.md habit 7): one key, polled
// every five seconds, so an SRE watching an incident sees it move.
import { queryOptions } from '@tanstack/react-query';
import { fetchLive, pollLive, type LiveDataError } from '@/lib/shared/live-data';
import type { Overview } from './data';

export const OVERVIEW_REFRESH_MS = 5_000;

export const overviewQueries = {
  all: () => ['overview'] as const,
  overview: () =>
    queryOptions<Overview, LiveDataError>({
      queryKey: ['overview'],
      queryFn: ({ signal }) => fetchLive<Overview>('/api/live/overview', signal),
      ...pollLive(OVERVIEW_REFRESH_MS),
    }),
};
