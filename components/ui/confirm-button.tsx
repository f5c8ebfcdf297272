'use client';

import { useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import { Alert, Button, Group, Modal, Stack, Text, Textarea, type ButtonProps } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { ActionResult } from '@/lib/server/errors';

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
  const router = useRouter();
  const [opened, setOpened] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  const confirm = () =>
    startTransition(async () => {
      const result = await action(reason).catch(() => ({ ok: false as const, error: 'Standby could not be reached. Try again.', code: 'INTERNAL' as const }));
      if (result.ok) {
        notifications.show({ color: 'green', message: success });
        setOpened(false);
        setReason('');
        router.refresh();
      } else {
        setError(result.error);
      }
    });

  return (
    <>
      <Button size="xs" variant="light" color={danger ? 'red' : undefined} {...buttonProps} onClick={() => { setError(null); setOpened(true); }}>
        {label}
      </Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title={title} centered>
        <Stack>
          <Text size="sm">{message}</Text>
          {error && (
            <Alert color="red" variant="light" role="alert">
              {error}
            </Alert>
          )}
          <Textarea label="Reason (kept in the audit log)" value={reason} onChange={(e) => setReason(e.currentTarget.value)} maxLength={500} autosize minRows={2} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpened(false)}>
              Cancel
            </Button>
            <Button color={danger ? 'red' : undefined} loading={pending} onClick={confirm}>
              {confirmLabel}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
