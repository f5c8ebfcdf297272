// React Query options of the Simulator page (STYLE.md habit 7).
import { queryOptions } from '@tanstack/react-query';
import { fetchLive, type LiveDataError } from '@/lib/shared/live-data';
import type { Faults } from './faults';
import type { FaultImpact } from './impact';

export const simulatorQueries = {
  all: () => ['simulator'] as const,
  /** What a fault profile would do, while it is being edited: one read per profile, the latest profile's answer shown. */
  impact: (name: string, faults: Faults) =>
    queryOptions<FaultImpact, LiveDataError>({
      queryKey: ['simulator', 'impact', name, faults],
      queryFn: ({ signal }) => fetchLive<FaultImpact>(`/api/live/simulator/${encodeURIComponent(name)}/impact?${new URLSearchParams({ faults: JSON.stringify(faults) })}`, signal),
      staleTime: 0,
      retry: false,
      refetchOnWindowFocus: false,
    }),
};
