'use client';
import { Textarea } from '@mantine/core';

/** The required "why" of an operator's action: kept in the audit log; typing clears its error. */
export function ReasonField({
  value, onChange, error, description, autoFocus,
}: { value: string; onChange: (value: string) => void; error?: string[]; description: string; autoFocus?: boolean }) {
  return (
    <Textarea
      label="Reason"
      description={description}
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      error={error?.join(' ')}
      maxLength={500}
      autosize
      minRows={2}
      required
      data-autofocus={autoFocus ? true : undefined}
    />
  );
}
