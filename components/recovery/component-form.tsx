'use client';

import { useState } from 'react';
import { Select, TextInput, Textarea } from '@mantine/core';
import { FormDrawer } from '@/components/ui/form-drawer';
import { useActionForm } from '@/components/ui/use-action-form';
import { createComponentAction } from '@/lib/recovery/actions';
import { componentInput } from '@/lib/recovery/schemas';

const KINDS = [
  { value: 'external', label: 'Outside Standby (user preferences, a vector index, a fine-tuning pipeline…)' },
  { value: 'conversation_history', label: 'Conversation history' },
  { value: 'configuration', label: 'Configuration' },
];

/** Adds a component that reports its backups, replica lag and restore tests through the API; it starts with the default objectives of its kind. */
export function ComponentForm() {
  const [opened, setOpened] = useState(false);
  const [kind, setKind] = useState<string | null>('external');
  const form = useActionForm<{ name: string }>({ schema: componentInput, success: (c) => `Component ${c.name} added with the default objectives.`, onSuccess: () => setOpened(false) });
  return (
    <FormDrawer
      noun="component"
      form={form}
      opened={opened}
      setOpened={setOpened}
      onOpen={() => setKind('external')}
      onSubmit={(event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        form.submit({ name: data.get('name'), kind, description: data.get('description') ?? '', reason: data.get('reason') }, createComponentAction);
      }}
    >
      <TextInput name="name" label="Name" description="As its jobs will name it in their reports, e.g. user-preferences" error={form.errorOf('name')} required data-autofocus autoComplete="off" />
      <Select label="Kind" data={KINDS} value={kind} onChange={setKind} allowDeselect={false} error={form.errorOf('kind')} />
      <Textarea name="description" label="What it is" autosize minRows={2} error={form.errorOf('description')} />
    </FormDrawer>
  );
}
