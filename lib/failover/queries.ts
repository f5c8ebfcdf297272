// React Query options for the service page's routing (STYLE.md habit 7): the
// routing and chain cards read it, and a steering action writes its result into
// it, so the page shows the new state as soon as the action returns.
import { queryOptions } from '@tanstack/react-query';
import { fetchLive, pollLive, type LiveDataError } from '@/lib/shared/live-data';
import type { ServiceRouting, SteeringPreviewView } from './data';
import type { RetirementPreview } from './retirement';
import type { RetirementScope } from './retire';
import type { SteeringKind } from './schemas';

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
  /** What a steering action would do, while its dialog is open: one read per choice, the latest choice's answer shown. */
  steeringPreview: (name: string, kind: SteeringKind, targetId: string | null) =>
    queryOptions<SteeringPreviewView, LiveDataError>({
      queryKey: ['failover', 'steering-preview', name, kind, targetId],
      queryFn: ({ signal }) =>
        fetchLive<SteeringPreviewView>(`/api/live/services/${encodeURIComponent(name)}/steering-preview?${new URLSearchParams({ kind, ...(targetId ? { targetId } : {}) })}`, signal),
      staleTime: 0,
      retry: false,
      refetchOnWindowFocus: false,
    }),
  /** What retiring a target (or every target of a model) everywhere would change, while its dialog is open. */
  retirementPreview: (scope: RetirementScope) =>
    queryOptions<RetirementPreview, LiveDataError>({
      queryKey: ['failover', 'retirement-preview', scope.targetId ?? null, scope.model ?? null, scope.substituteTargetId ?? null],
      queryFn: ({ signal }) => {
        const query = Object.entries(scope).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '');
        return fetchLive<RetirementPreview>(`/api/live/retirement-preview?${new URLSearchParams(query)}`, signal);
      },
      staleTime: 0,
      retry: false,
      refetchOnWindowFocus: false,
    }),
};
