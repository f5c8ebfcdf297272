'use client';

import { useState } from 'react';
import { Alert, Button, Group, Modal, Stack, Text, Textarea, type ButtonProps } from '@mantine/core';
import type { ActionResult } from '@/lib/server/errors';
import { useActionForm } from './use-action-form';

type Props = ButtonProps & {
  label: string;
  title: string;
  message: React.ReactNode;
  confirmLabel: string;
  success: string;
  danger?: boolean;
  action: (reason: string) => Promise<ActionResult<unknown>>;
};

/** A button that asks for confirmation and an optional reason (kept in the audit log) before running an action. */
export function ConfirmButton({ label, title, message, confirmLabel, success, danger, action, ...buttonProps }: Props) {
  const [opened, setOpened] = useState(false);
  const [reason, setReason] = useState('');
  const form = useActionForm({
    success,
    onSuccess: () => {
      setOpened(false);
      setReason('');
    },
  });

  return (
    <>
      <Button size="xs" variant="light" color={danger ? 'red' : undefined} {...buttonProps} onClick={() => { form.reset(); setOpened(true); }}>
        {label}
      </Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title={title} centered>
        <Stack>
          <Text size="sm">{message}</Text>
          {form.formError && (
            <Alert color="red" variant="light" role="alert">
              {form.formError}
            </Alert>
          )}
          <Textarea label="Reason (kept in the audit log)" value={reason} onChange={(e) => setReason(e.currentTarget.value)} maxLength={500} autosize minRows={2} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpened(false)}>
              Cancel
            </Button>
            <Button color={danger ? 'red' : undefined} loading={form.pending} onClick={() => form.submit(reason, action)}>
              {confirmLabel}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
