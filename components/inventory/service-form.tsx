'use client';

import { useState } from 'react';
import { Code, TextInput, Textarea } from '@mantine/core';
import { FormDrawer } from '@/components/ui/form-drawer';
import { useActionForm } from '@/components/ui/use-action-form';
import { createServiceAction, updateServiceAction } from '@/lib/inventory/actions';
import type { ServiceRow } from '@/lib/inventory/data';

type Props = { mode: 'create' } | { mode: 'edit'; service: ServiceRow };

export function ServiceForm(props: Props) {
  const initial = props.mode === 'edit' ? props.service : null;
  const [opened, setOpened] = useState(false);
  const form = useActionForm({ success: initial ? 'Service saved.' : 'Service created.', onSuccess: () => setOpened(false) });

  function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(event.currentTarget)) as Record<string, string>;
    form.run(() => (props.mode === 'create' ? createServiceAction(data) : updateServiceAction({ id: props.service.id, version: props.service.version }, data)));
  }

  return (
    <FormDrawer noun="service" editing={initial?.name} form={form} opened={opened} setOpened={setOpened} onSubmit={onSubmit}>
      <TextInput
        name="name"
        label="Name"
        description={
          <>
            The <Code>model</Code> value client applications send to the gateway, e.g. chat-default
          </>
        }
        defaultValue={initial?.name}
        error={form.errorOf('name')}
        required
        data-autofocus
      />
      <Textarea name="description" label="Description" description="What it is for" defaultValue={initial?.description} error={form.errorOf('description')} autosize minRows={2} />
      <TextInput name="owner" label="Owner" description="The team or person to call about it" defaultValue={initial?.owner} error={form.errorOf('owner')} />
    </FormDrawer>
  );
}
