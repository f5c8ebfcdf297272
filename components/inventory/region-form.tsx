'use client';

import { useState } from 'react';
import { Alert, Button, Drawer, Stack, TextInput, Textarea } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useActionForm } from '@/components/ui/use-action-form';
import { createRegionAction, updateRegionAction } from '@/lib/inventory/actions';
import type { RegionRow } from '@/lib/inventory/data';

type Props = { mode: 'create' } | { mode: 'edit'; region: RegionRow };

export function RegionForm(props: Props) {
  const [opened, setOpened] = useState(false);
  const form = useActionForm({ success: props.mode === 'create' ? 'Region created.' : 'Region saved.', onSuccess: () => setOpened(false) });
  const initial = props.mode === 'edit' ? props.region : null;

  function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(event.currentTarget)) as Record<string, string>;
    form.run(() => (props.mode === 'create' ? createRegionAction(data) : updateRegionAction({ id: props.region.id, version: props.region.version }, data)));
  }

  return (
    <>
      {props.mode === 'create' ? (
        <Button leftSection={<IconPlus size={16} />} onClick={() => { form.reset(); setOpened(true); }}>
          New region
        </Button>
      ) : (
        <Button size="xs" variant="default" onClick={() => { form.reset(); setOpened(true); }} aria-label={`Edit ${props.region.code}`}>
          Edit
        </Button>
      )}
      <Drawer opened={opened} onClose={() => setOpened(false)} title={initial ? `Edit region ${initial.code}` : 'New region'} position="right" size="md">
        <form onSubmit={onSubmit} noValidate>
          <Stack>
            {form.formError && (
              <Alert color="red" variant="light" role="alert">
                {form.formError}
              </Alert>
            )}
            <TextInput name="code" label="Code" description="Short identifier, e.g. us-east" defaultValue={initial?.code} error={form.errorOf('code')} required data-autofocus />
            <TextInput name="name" label="Name" defaultValue={initial?.name} error={form.errorOf('name')} required />
            <TextInput name="location" label="Location" description="Where it is, for people reading a runbook" defaultValue={initial?.location} error={form.errorOf('location')} />
            <Textarea name="reason" label="Reason (kept in the audit log)" error={form.errorOf('reason')} autosize minRows={2} />
            <Button type="submit" loading={form.pending}>
              {initial ? 'Save region' : 'Create region'}
            </Button>
          </Stack>
        </form>
      </Drawer>
    </>
  );
}
