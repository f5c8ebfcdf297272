'use client';

import type { ReactNode } from 'react';
import { Alert } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import type { LiveDataError } from '@/lib/shared/live-data';

/**
 * A live view's failed read: red while polling retries, grey once retrying cannot help
 * (signed out, not allowed, gone). `note` says what the view still shows, if anything.
 */
export function LiveDataAlert({ error, subject = 'Live data', note, children }: { error: LiveDataError; subject?: string; note?: string | false | null; children?: ReactNode }) {
  return (
    <Alert color={error.isFinal ? 'gray' : 'red'} variant="light" icon={<IconAlertTriangle size={18} />} role="alert" title={error.isFinal ? `${subject} unavailable` : `${subject} unavailable — retrying`}>
      {children ?? (
        <>
          {error.message}
          {note ? ` ${note}` : null}
        </>
      )}
    </Alert>
  );
}
