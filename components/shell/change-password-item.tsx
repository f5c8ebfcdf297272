'use client';

import { Alert, Button, Menu, Modal, PasswordInput, Stack, Text } from '@mantine/core';
import { IconKey } from '@tabler/icons-react';
import { useActionForm } from '@/components/ui/use-action-form';
import { changeOwnPasswordAction } from '@/lib/access/actions';
import { changePasswordInput } from '@/lib/access/schemas';

/** The account menu's entry: opens the dialog, which lives outside the menu (a closed menu unmounts its items). */
export function ChangePasswordItem({ onOpen }: { onOpen: () => void }) {
  return (
    <Menu.Item leftSection={<IconKey size={16} />} onClick={onOpen}>
      Change password
    </Menu.Item>
  );
}

/** "Change password": the current one, the new one twice; the user's other sessions end, this browser stays signed in. */
export function ChangePasswordDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const form = useActionForm({
    schema: changePasswordInput,
    success: 'Password changed. Your other sessions are signed out; this browser stays signed in.',
    onSuccess: onClose,
  });

  function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    form.submit(Object.fromEntries(new FormData(event.currentTarget)) as Record<string, string>, changeOwnPasswordAction);
  }

  return (
    <Modal opened={opened} onClose={onClose} onExitTransitionEnd={form.reset} title="Change your password">
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <Text size="sm" c="dimmed">
            Every other browser signed in as you must sign in again. Wrong current passwords count towards the sign-in lock of your account.
          </Text>
          {form.formError && (
            <Alert color="red" variant="light" role="alert">
              {form.formError}
            </Alert>
          )}
          <PasswordInput name="currentPassword" label="Current password" error={form.errorOf('currentPassword')} required autoComplete="current-password" data-autofocus />
          <PasswordInput name="password" label="New password" description="At least 12 characters." error={form.errorOf('password')} required autoComplete="new-password" />
          <PasswordInput name="confirm" label="New password again" error={form.errorOf('confirm')} required autoComplete="new-password" />
          <Button type="submit" loading={form.pending}>
            Change password
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}
