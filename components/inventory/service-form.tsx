'use client';

import { useState } from 'react';
import { Code, Fieldset, NumberInput, SimpleGrid, TextInput, Textarea } from '@mantine/core';
import { FormDrawer } from '@/components/ui/form-drawer';
import { useActionForm } from '@/components/ui/use-action-form';
import { createServiceAction, updateServiceAction } from '@/lib/inventory/actions';
import type { ServiceRow } from '@/lib/inventory/data';
import { fractionToPercent } from '@/lib/inventory/schemas';
import { serviceInput } from '@/lib/inventory/schemas';

type Props = { mode: 'create' } | { mode: 'edit'; service: ServiceRow };

// A new service starts from the column defaults of prisma/schema.prisma: 99.9% over 30 days.
const SLO_START = { sloTarget: 0.999, sloWindowDays: 30 };

export function ServiceForm(props: Props) {
  const initial = props.mode === 'edit' ? props.service : null;
  const [opened, setOpened] = useState(false);
  // Controlled: the visible inputs hold "99.9%" and "30 days", so the numbers are sent from state.
  const startOf = () => ({ sloTarget: fractionToPercent(initial?.sloTarget ?? SLO_START.sloTarget) as number | string, sloWindowDays: (initial?.sloWindowDays ?? SLO_START.sloWindowDays) as number | string });
  const [slo, setSlo] = useState(startOf);
  const form = useActionForm({ schema: serviceInput, success: initial ? 'Service saved.' : 'Service created.', onSuccess: () => setOpened(false) });

  function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    // An emptied number arrives as '' and is refused, not read as 0.
    const data = { ...(Object.fromEntries(new FormData(event.currentTarget)) as Record<string, string>), ...slo };
    form.submit(data, (input) => (props.mode === 'create' ? createServiceAction(input) : updateServiceAction({ id: props.service.id, version: props.service.version }, input)));
  }

  return (
    <FormDrawer noun="service" editing={initial?.name} form={form} opened={opened} setOpened={setOpened} onOpen={() => setSlo(startOf())} onSubmit={onSubmit}>
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
      <Fieldset legend="Service level objective" variant="filled">
        <SimpleGrid cols={2}>
          <NumberInput
            label="Requests that succeed"
            description="e.g. 99.9: the rest is the error budget"
            value={slo.sloTarget}
            onChange={(value) => setSlo((current) => ({ ...current, sloTarget: value }))}
            error={form.errorOf('sloTarget')}
            suffix="%"
            decimalScale={4}
            clampBehavior="none"
            hideControls
            required
          />
          <NumberInput
            label="Over a window of"
            description="Rolling, in days (1 to 90)"
            value={slo.sloWindowDays}
            onChange={(value) => setSlo((current) => ({ ...current, sloWindowDays: value }))}
            error={form.errorOf('sloWindowDays')}
            suffix=" days"
            allowDecimal={false}
            clampBehavior="none"
            required
          />
        </SimpleGrid>
      </Fieldset>
    </FormDrawer>
  );
}
