'use client';

import { Alert, Button, Drawer, Stack, Textarea } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import type { useActionForm } from './use-action-form';

type Props = {
  /** What is edited, in lower case: buttons read "New <noun>", "Create <noun>", "Save <noun>". */
  noun: string;
  /** Set when editing: the item's name, for the drawer title and the "Edit <name>" button label. */
  editing?: string;
  form: Pick<ReturnType<typeof useActionForm>, 'pending' | 'formError' | 'errorOf' | 'reset'>;
  opened: boolean;
  setOpened: (opened: boolean) => void;
  /** Puts the form's own state back to its starting values each time the drawer opens. */
  onOpen?: () => void;
  onSubmit: (event: React.FormEvent<HTMLFormElement>) => void;
  children: React.ReactNode;
};

/** The create/edit drawer of a list page: trigger button, form-level error, fields, audit reason and submit. */
export function FormDrawer({ noun, editing, form, opened, setOpened, onOpen, onSubmit, children }: Props) {
  const open = () => {
    form.reset();
    onOpen?.();
    setOpened(true);
  };
  return (
    <>
      {editing === undefined ? (
        <Button leftSection={<IconPlus size={16} />} onClick={open}>
          New {noun}
        </Button>
      ) : (
        <Button size="xs" variant="default" onClick={open} aria-label={`Edit ${editing}`}>
          Edit
        </Button>
      )}
      <Drawer opened={opened} onClose={() => setOpened(false)} title={editing === undefined ? `New ${noun}` : `Edit ${noun} ${editing}`} position="right" size="md">
        <form onSubmit={onSubmit} noValidate>
          <Stack>
            {form.formError && (
              <Alert color="red" variant="light" role="alert">
                {form.formError}
              </Alert>
            )}
            {children}
            <Textarea name="reason" label="Reason (kept in the audit log)" error={form.errorOf('reason')} autosize minRows={2} />
            <Button type="submit" loading={form.pending}>
              {editing === undefined ? `Create ${noun}` : `Save ${noun}`}
            </Button>
          </Stack>
        </form>
      </Drawer>
    </>
  );
}
