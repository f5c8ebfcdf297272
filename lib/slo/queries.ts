// React Query options for the SLO panel (STYLE.md habit 7). Error budgets move
// slowly and the alert loop runs every 30 s, so ten seconds is fresh enough.
import { queryOptions } from '@tanstack/react-query';
import { fetchLive, pollLive, type LiveDataError } from '@/lib/shared/live-data';
import type { ServiceSlo } from './data';

export const SLO_REFRESH_MS = 10_000;

export const sloQueries = {
  all: () => ['slo'] as const,
  service: (name: string) =>
    queryOptions<ServiceSlo, LiveDataError>({
      queryKey: ['slo', 'service', name],
      queryFn: ({ signal }) => fetchLive<ServiceSlo>(`/api/live/services/${encodeURIComponent(name)}/slo`, signal),
      ...pollLive(SLO_REFRESH_MS),
    }),
};
