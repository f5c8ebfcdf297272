'use client';

import { Group } from '@mantine/core';
import type { ActionResult } from '@/lib/server/errors';
import { ConfirmButton } from './confirm-button';

type Props = {
  /** "provider", "target": used in titles and notifications. */
  noun: string;
  name: string;
  enabled: boolean;
  /** The edit button (a form drawer trigger). */
  edit: React.ReactNode;
  /** What disabling (or enabling) means for this item. */
  toggleMessage: string;
  deleteMessage: string;
  setEnabled: (enabled: boolean, reason: string) => Promise<ActionResult<unknown>>;
  remove: (reason: string) => Promise<ActionResult<unknown>>;
};

/** Edit, enable/disable and delete for one row of an inventory list; the server explains a refused delete in the modal. */
export function RowActions({ noun, name, enabled, edit, toggleMessage, deleteMessage, setEnabled, remove }: Props) {
  const toggle = enabled ? 'Disable' : 'Enable';
  const capitalised = noun.charAt(0).toUpperCase() + noun.slice(1);
  return (
    <Group gap={6} justify="flex-end" wrap="nowrap">
      {edit}
      <ConfirmButton
        label={toggle}
        title={`${toggle} ${noun} ${name}?`}
        message={toggleMessage}
        confirmLabel={toggle}
        success={`${capitalised} ${name} ${enabled ? 'disabled' : 'enabled'}.`}
        action={(reason) => setEnabled(!enabled, reason)}
      />
      <ConfirmButton
        danger
        label="Delete"
        title={`Delete ${noun} ${name}?`}
        message={deleteMessage}
        confirmLabel="Delete"
        success={`${capitalised} ${name} deleted.`}
        action={remove}
      />
    </Group>
  );
}
