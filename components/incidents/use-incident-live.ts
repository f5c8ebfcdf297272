'use client';
// Follows an incident (or the list) over the live stream (GET /api/incidents/live,
// docs/decisions/011): new timeline entries are merged into the timeline
// queries at once; other changes refetch the cockpit. EventSource reconnects by
// itself and sends the last entry it had, so nothing is missed.
import { useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { TimelinePage } from '@/lib/incidents/data';
import { incidentQueries } from '@/lib/incidents/queries';
import type { TimelineEventView } from '@/lib/incidents/timeline-view';

export type LiveState = 'connecting' | 'live' | 'reconnecting';

const newestFirst = (a: TimelineEventView, b: TimelineEventView) => b.at.localeCompare(a.at) || Number(BigInt(b.id) - BigInt(a.id));

/** The page's entries with `incoming` merged in (a corrected entry replaces itself), newest first. */
export function mergeEntries(page: TimelinePage | undefined, incoming: TimelineEventView[], curatedOnly: boolean): TimelinePage | undefined {
  if (!page) return page;
  const byId = new Map(page.events.map((e) => [e.id, e]));
  for (const e of incoming) {
    if (curatedOnly && !e.curated) byId.delete(e.id);
    else byId.set(e.id, e);
  }
  return { ...page, events: [...byId.values()].sort(newestFirst) };
}

export function useIncidentLive(incidentId: string): LiveState {
  const queryClient = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');
  const refetchTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    const source = new EventSource(`/api/incidents/live?incident=${encodeURIComponent(incidentId)}`);
    const refetchCockpit = () => {
      // A burst of changes (a decision skipping steps) is one refetch.
      if (refetchTimer.current) return;
      refetchTimer.current = setTimeout(() => {
        refetchTimer.current = null;
        void queryClient.invalidateQueries({ queryKey: incidentQueries.incident(incidentId).queryKey });
      }, 50);
    };
    source.addEventListener('ready', () => {
      setState('live');
      // From here nothing is missed; what happened before the stream opened is fetched once.
      void queryClient.invalidateQueries({ queryKey: ['incidents', incidentId] });
    });
    source.addEventListener('timeline', (message) => {
      const incoming = JSON.parse((message as MessageEvent<string>).data) as TimelineEventView[];
      queryClient.setQueryData(incidentQueries.timeline(incidentId, false).queryKey, (page: TimelinePage | undefined) => mergeEntries(page, incoming, false));
      queryClient.setQueryData(incidentQueries.timeline(incidentId, true).queryKey, (page: TimelinePage | undefined) => mergeEntries(page, incoming, true));
      // Step and check entries come with changes to the steps themselves.
      if (incoming.some((e) => e.kind === 'step' || e.kind === 'runbook' || e.kind === 'notification' || e.kind === 'episode')) refetchCockpit();
    });
    source.addEventListener('changed', refetchCockpit);
    source.addEventListener('resync', () => void queryClient.invalidateQueries({ queryKey: ['incidents', incidentId] }));
    source.onerror = () => setState('reconnecting');
    return () => {
      source.close();
      if (refetchTimer.current) clearTimeout(refetchTimer.current);
    };
  }, [incidentId, queryClient]);
  return state;
}
