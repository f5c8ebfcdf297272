'use client';

import { useState } from 'react';
import { TextInput } from '@mantine/core';
import { FormDrawer } from '@/components/ui/form-drawer';
import { useActionForm } from '@/components/ui/use-action-form';
import { createRegionAction, updateRegionAction } from '@/lib/inventory/actions';
import type { RegionRow } from '@/lib/inventory/data';
import { regionInput } from '@/lib/inventory/schemas';

type Props = { mode: 'create' } | { mode: 'edit'; region: RegionRow };

export function RegionForm(props: Props) {
  const initial = props.mode === 'edit' ? props.region : null;
  const [opened, setOpened] = useState(false);
  const form = useActionForm({ schema: regionInput, success: initial ? 'Region saved.' : 'Region created.', onSuccess: () => setOpened(false) });

  function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(event.currentTarget)) as Record<string, string>;
    form.submit(data, (input) => (props.mode === 'create' ? createRegionAction(input) : updateRegionAction({ id: props.region.id, version: props.region.version }, input)));
  }

  return (
    <FormDrawer noun="region" editing={initial?.code} form={form} opened={opened} setOpened={setOpened} onSubmit={onSubmit}>
      <TextInput name="code" label="Code" description="Short identifier, e.g. us-east" defaultValue={initial?.code} error={form.errorOf('code')} required data-autofocus />
      <TextInput name="name" label="Name" defaultValue={initial?.name} error={form.errorOf('name')} required />
      <TextInput name="location" label="Location" description="Where it is, for people reading a runbook" defaultValue={initial?.location} error={form.errorOf('location')} />
    </FormDrawer>
  );
}
