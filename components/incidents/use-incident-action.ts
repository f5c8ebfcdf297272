'use client';
// The cockpit's one-click changes (acknowledge, severity, status, roles, steps,
// curation) go through the forms hook like every form. There is no form to
// show a refusal in, so it is a notification; and the incident is read again
// either way, so what won (another commander's change) is what is on screen.
import { useRef } from 'react';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useActionForm } from '@/components/ui/use-action-form';
import { incidentQueries } from '@/lib/incidents/queries';
import type { ActionResult } from '@/lib/server/errors';

export function useIncidentAction(incidentId: string) {
  const queryClient = useQueryClient();
  const said = useRef('Saved');
  const incidentKey = incidentQueries.incident(incidentId).queryKey;
  const form = useActionForm<unknown>({
    success: () => said.current,
    onError: (failure) => {
      notifications.show({ color: 'red', title: failure.code === 'CONFLICT' ? 'Someone else changed it first' : 'Not done', message: failure.error, autoClose: 10_000 });
      void queryClient.invalidateQueries({ queryKey: incidentKey });
    },
    invalidate: [incidentKey],
  });
  /** Sends `input` through `action`; `success` is the notification once it is done. */
  const run = <I>(input: I, action: (input: I) => Promise<ActionResult<unknown>>, success: string) => {
    said.current = success;
    form.submit(input, action);
  };
  return { run, pending: form.pending };
}
