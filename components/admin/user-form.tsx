'use client';

import { useState } from 'react';
import { PasswordInput, Select, Switch, Text, TextInput } from '@mantine/core';
import { FormDrawer } from '@/components/ui/form-drawer';
import { useActionForm } from '@/components/ui/use-action-form';
import { createUserAction, updateUserAction } from '@/lib/access/actions';
import type { UserRow } from '@/lib/access/data';
import { ROLE_DESCRIPTIONS, ROLES } from '@/lib/server/permissions';
import { createUserInput, updateUserInput } from '@/lib/access/schemas';

type Role = (typeof ROLES)[number];
type Props = { mode: 'create' } | { mode: 'edit'; user: UserRow };

const ROLE_OPTIONS = ROLES.map((role) => ({ value: role, label: role }));

export function UserForm(props: Props) {
  const [opened, setOpened] = useState(false);
  const initial = props.mode === 'edit' ? props.user : null;
  const [role, setRole] = useState<string | null>(initial?.role ?? 'viewer');
  const form = useActionForm({ schema: initial ? updateUserInput : createUserInput, success: initial ? 'User saved.' : 'User created.', onSuccess: () => setOpened(false) });

  function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(event.currentTarget)) as Record<string, string>;
    if (props.mode === 'create') form.submit(data, createUserAction);
    else form.submit({ ...data, id: props.user.id, version: props.user.version, disabled: data.disabled === 'on' }, updateUserAction);
  }

  return (
    <FormDrawer noun="user" editing={initial?.email} form={form} opened={opened} setOpened={setOpened} onOpen={() => setRole(initial?.role ?? 'viewer')} onSubmit={onSubmit}>
      <TextInput name="email" type="email" label="Email" defaultValue={initial?.email} error={form.errorOf('email')} required autoComplete="off" data-autofocus />
      <TextInput name="name" label="Name" defaultValue={initial?.name} error={form.errorOf('name')} required />
      <Select
        name="role"
        label="Role"
        data={ROLE_OPTIONS}
        value={role}
        onChange={setRole}
        allowDeselect={false}
        description={role ? ROLE_DESCRIPTIONS[role as Role] : undefined}
        error={form.errorOf('role')}
        required
        renderOption={({ option }) => (
          <div>
            <Text size="sm">{option.label}</Text>
            <Text size="xs" c="dimmed">
              {ROLE_DESCRIPTIONS[option.value as Role]}
            </Text>
          </div>
        )}
      />
      {initial ? (
        <Switch name="disabled" label="Disabled" description="A disabled user cannot sign in; their history stays." defaultChecked={initial.disabled} />
      ) : (
        <PasswordInput name="password" label="Password" description="At least 12 characters. Share it with the user over a safe channel." error={form.errorOf('password')} required autoComplete="new-password" />
      )}
    </FormDrawer>
  );
}
