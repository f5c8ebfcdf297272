'use client';

import { useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import { notifications } from '@mantine/notifications';
import type { ActionResult, FieldErrors } from '@/lib/server/errors';

/**
 * Runs a server action from a form: tracks pending state, keeps field errors
 * for the inputs, and on success refreshes the server-rendered page and says so.
 */
export function useActionForm<T>(options: { success: string | ((data: T) => string); onSuccess?: (data: T) => void }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);

  const run = (action: () => Promise<ActionResult<T>>) =>
    startTransition(async () => {
      let result: ActionResult<T>;
      try {
        result = await action();
      } catch {
        result = { ok: false, error: 'Standby could not be reached. Check your connection and try again.', code: 'INTERNAL' };
      }
      if (result.ok) {
        setFieldErrors({});
        setFormError(null);
        notifications.show({ color: 'green', message: typeof options.success === 'string' ? options.success : options.success(result.data) });
        options.onSuccess?.(result.data);
        router.refresh();
      } else {
        setFieldErrors(result.fieldErrors ?? {});
        setFormError(result.error);
      }
    });

  const errorOf = (field: string) => fieldErrors[field]?.join(' ');
  const reset = () => {
    setFieldErrors({});
    setFormError(null);
  };
  return { run, pending, fieldErrors, formError, errorOf, reset };
}
