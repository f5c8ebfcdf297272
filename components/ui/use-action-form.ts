'use client';

import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient, type QueryKey } from '@tanstack/react-query';
import type { z } from 'zod';
import { fieldErrorsOf, type ActionResult, type AppErrorCode, type FieldErrors } from '@/lib/server/errors';

const UNREACHABLE: Extract<ActionResult, { ok: false }> = { ok: false, error: 'Standby could not be reached. Check your connection and try again.', code: 'INTERNAL' };

type Failed = { error: string; code: AppErrorCode | 'INTERNAL'; fieldErrors: FieldErrors };

export type ActionFormOptions<T> = {
  /**
   * The action's own input schema (lib/<domain>/schemas.ts): checked in the
   * browser before anything is sent, with the messages the server would give.
   * The server checks it again; this only saves the round trip.
   */
  schema?: z.ZodType;
  /** What the notification says; an object may colour it (a check that succeeded but found problems is orange, not green). */
  success: string | ((data: T) => string | { title: string; message: string; color?: string });
  onSuccess?: (data: T) => void;
  onError?: (failure: Failed) => void;
  /** Live queries the change makes stale, refetched once it succeeds (STYLE.md habit 7). */
  invalidate?: readonly QueryKey[];
};

/**
 * How every form submits to its server action: the input is checked with the
 * action's schema, sent once (a React Query mutation: pending state, and no
 * race between two submissions), field errors are kept for the inputs, and on
 * success the live queries named are invalidated, the server-rendered page is
 * refreshed, and a notification says what happened.
 */
export function useActionForm<T = unknown>(options: ActionFormOptions<T>) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);

  const mutation = useMutation({
    mutationFn: (send: () => Promise<ActionResult<T>>) => send().catch(() => UNREACHABLE),
    onSuccess: (result) => {
      if (!result.ok) {
        const failure = { error: result.error, code: result.code, fieldErrors: result.fieldErrors ?? {} };
        setFieldErrors(failure.fieldErrors);
        setFormError(failure.error);
        options.onError?.(failure);
        return;
      }
      setFieldErrors({});
      setFormError(null);
      const said = typeof options.success === 'string' ? options.success : options.success(result.data);
      notifications.show({ color: 'green', ...(typeof said === 'string' ? { message: said } : said) });
      options.onSuccess?.(result.data);
      for (const queryKey of options.invalidate ?? []) void queryClient.invalidateQueries({ queryKey });
      router.refresh();
    },
  });

  /** Checks `input` with the schema, then sends it through `action`. */
  const submit = <I>(input: I, action: (input: I) => Promise<ActionResult<T>>) => {
    if (options.schema) {
      const parsed = options.schema.safeParse(input);
      if (!parsed.success) {
        const failure: Failed = { error: 'Some fields need attention.', code: 'INVALID', fieldErrors: fieldErrorsOf(parsed.error) };
        setFieldErrors(failure.fieldErrors);
        setFormError(failure.error);
        options.onError?.(failure);
        return;
      }
    }
    mutation.mutate(() => action(input));
  };

  const errorOf = (field: string) => fieldErrors[field]?.join(' ');
  /** Forgets the errors (of one field, or all): the user is fixing them. */
  const clearError = (field?: string) => {
    if (field === undefined) {
      setFieldErrors({});
      setFormError(null);
    } else setFieldErrors(({ [field]: _fixed, ...rest }) => rest);
  };
  return { submit, pending: mutation.isPending, fieldErrors, formError, errorOf, reset: () => clearError(), clearError };
}
