// React Query options for the live degradation views (STYLE.md habit 7): one
// factory, so the Degradation page, the service panel and the invalidations
// after an override share the same keys.
import { queryOptions } from '@tanstack/react-query';
import { LIVE_REFRESH_MS, LiveDataError } from '@/lib/health/queries';
import type { DegradationOverview, ServiceDegradation } from './data';

async function fetchLive<T>(url: string, signal: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { signal, cache: 'no-store', headers: { accept: 'application/json' } });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new LiveDataError(0, 'Standby could not be reached.');
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const message = (body as { error?: { message?: string } } | null)?.error?.message;
    throw new LiveDataError(response.status, message ?? `Standby answered ${response.status} ${response.statusText}`.trim());
  }
  return body as T;
}

// Keep polling through transient failures (the view says it is retrying); stop on final ones.
const live = {
  refetchInterval: ({ state }: { state: { error: LiveDataError | null } }) => (state.error?.isFinal ? false : LIVE_REFRESH_MS),
  retry: (failures: number, error: LiveDataError) => !error.isFinal && failures < 1,
  retryDelay: 500,
  staleTime: 1_000,
} as const;

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
