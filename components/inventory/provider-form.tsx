'use client';

import { useState } from 'react';
import { Select, TextInput, Textarea } from '@mantine/core';
import { FormDrawer } from '@/components/ui/form-drawer';
import { useActionForm } from '@/components/ui/use-action-form';
import { createProviderAction, updateProviderAction } from '@/lib/inventory/actions';
import type { ProviderRow } from '@/lib/inventory/data';
import { API_STYLE_LABELS, DEFAULT_API_STYLE, PROVIDER_KIND_LABELS } from '@/lib/inventory/schemas';
import { API_STYLES, PROVIDER_KINDS, type ProviderKind } from '@/lib/routing/enums';
import { providerInput } from '@/lib/inventory/schemas';

type Kind = ProviderKind;
type Props = { mode: 'create' } | { mode: 'edit'; provider: ProviderRow };

const kindOptions = PROVIDER_KINDS.map((value) => ({ value, label: PROVIDER_KIND_LABELS[value] }));
const apiStyleOptions = API_STYLES.map((value) => ({ value, label: API_STYLE_LABELS[value] }));

export function ProviderForm(props: Props) {
  const initial = props.mode === 'edit' ? props.provider : null;
  const [opened, setOpened] = useState(false);
  const [kind, setKind] = useState<string | null>(initial?.kind ?? null);
  const [apiStyle, setApiStyle] = useState<string | null>(initial?.apiStyle ?? null);
  const form = useActionForm({ schema: providerInput, success: initial ? 'Provider saved.' : 'Provider created.', onSuccess: () => setOpened(false) });

  function changeKind(next: string | null) {
    setKind(next);
    // A new provider most likely speaks its kind's usual API; an existing one keeps what it was set to.
    if (!initial && next) setApiStyle(DEFAULT_API_STYLE[next as Kind]);
  }

  function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(event.currentTarget)) as Record<string, string>;
    form.submit(data, (input) => (props.mode === 'create' ? createProviderAction(input) : updateProviderAction({ id: props.provider.id, version: props.provider.version }, input)));
  }

  return (
    <FormDrawer
      noun="provider"
      editing={initial?.name}
      form={form}
      opened={opened}
      setOpened={setOpened}
      onOpen={() => {
        setKind(initial?.kind ?? null);
        setApiStyle(initial?.apiStyle ?? null);
      }}
      onSubmit={onSubmit}
    >
      <TextInput name="name" label="Name" description="Short identifier, e.g. openai or vllm-cluster" defaultValue={initial?.name} error={form.errorOf('name')} required data-autofocus />
      <Select name="kind" label="Kind" data={kindOptions} value={kind} onChange={changeKind} allowDeselect={false} error={form.errorOf('kind')} required />
      <Select name="apiStyle" label="API style" description="The request format its endpoints accept" data={apiStyleOptions} value={apiStyle} onChange={setApiStyle} allowDeselect={false} error={form.errorOf('apiStyle')} required />
      <TextInput name="baseUrl" label="Base URL" description="Optional; targets name their own endpoint" placeholder="https://api.example.com/v1" defaultValue={initial?.baseUrl ?? ''} error={form.errorOf('baseUrl')} />
      <TextInput
        name="failureDomain"
        label="Failure domain"
        description="Providers sharing a failure domain fail together, e.g. OpenAI and Azure OpenAI"
        defaultValue={initial?.failureDomain ?? ''}
        error={form.errorOf('failureDomain')}
      />
      <Textarea name="notes" label="Notes" defaultValue={initial?.notes} error={form.errorOf('notes')} autosize minRows={2} />
    </FormDrawer>
  );
}
