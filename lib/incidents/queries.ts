// React Query options for the live incident views (STYLE.md habit 7). The
// cockpit's data and timeline are refetched when the live stream says they
// changed (use-incident-live in components/incidents); polling is only the
// safety net for a stream that is down.
import { queryOptions } from '@tanstack/react-query';
import { fetchLive, pollLive, type LiveDataError } from '@/lib/shared/live-data';
import type { IncidentView, TimelinePage } from './data';

/** With the stream up, changes arrive within a second; this is only for a stream that is down. */
export const SAFETY_POLL_MS = 15_000;
const live = pollLive(SAFETY_POLL_MS);

export const incidentQueries = {
  all: () => ['incidents'] as const,
  incident: (id: string) =>
    queryOptions<IncidentView, LiveDataError>({
      queryKey: ['incidents', id, 'cockpit'],
      queryFn: ({ signal }) => fetchLive<IncidentView>(`/api/incidents/${encodeURIComponent(id)}`, signal),
      ...live,
    }),
  timeline: (id: string, curated: boolean) =>
    queryOptions<TimelinePage, LiveDataError>({
      queryKey: ['incidents', id, 'timeline', curated ? 'curated' : 'all'],
      queryFn: ({ signal }) => fetchLive<TimelinePage>(`/api/incidents/${encodeURIComponent(id)}/timeline${curated ? '?view=curated' : ''}`, signal),
      ...live,
    }),
};
