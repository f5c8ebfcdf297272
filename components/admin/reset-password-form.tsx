'use client';

import { useState } from 'react';
import { Alert, Button, Drawer, PasswordInput, Stack, Text, Textarea } from '@mantine/core';
import { useActionForm } from '@/components/ui/use-action-form';
import { resetPasswordAction } from '@/lib/access/actions';
import type { UserRow } from '@/lib/access/data';
import { resetPasswordInput } from '@/lib/access/schemas';

export function ResetPasswordForm({ user }: { user: UserRow }) {
  const [opened, setOpened] = useState(false);
  const form = useActionForm({ schema: resetPasswordInput, success: `Password reset for ${user.email}.`, onSuccess: () => setOpened(false) });

  function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(event.currentTarget)) as Record<string, string>;
    form.submit({ ...data, id: user.id }, resetPasswordAction);
  }

  return (
    <>
      <Button size="xs" variant="default" onClick={() => { form.reset(); setOpened(true); }}>
        Reset password
      </Button>
      <Drawer opened={opened} onClose={() => setOpened(false)} title={`Reset password for ${user.email}`} position="right" size="md">
        <form onSubmit={onSubmit} noValidate>
          <Stack>
            <Text size="sm" c="dimmed">
              The new password replaces the old one at once and clears any sign-in lock on the account.
            </Text>
            {form.formError && (
              <Alert color="red" variant="light" role="alert">
                {form.formError}
              </Alert>
            )}
            <PasswordInput name="password" label="New password" description="At least 12 characters." error={form.errorOf('password')} required autoComplete="new-password" data-autofocus />
            <Textarea name="reason" label="Reason (kept in the audit log)" error={form.errorOf('reason')} autosize minRows={2} />
            <Button type="submit" loading={form.pending}>
              Reset password
            </Button>
          </Stack>
        </form>
      </Drawer>
    </>
  );
}
