'use client';

import { useState } from 'react';
import { Alert, Button, Drawer, PasswordInput, Select, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useActionForm } from '@/components/ui/use-action-form';
import { createCredentialAction, rotateCredentialAction } from '@/lib/inventory/actions';
import type { CredentialRow } from '@/lib/inventory/data';
import { credentialInput, rotateCredentialInput } from '@/lib/inventory/schemas';

type Props = { mode: 'create'; providers: { id: string; name: string }[] } | { mode: 'rotate'; credential: CredentialRow };

// The secret goes from this form to the server and never back: the server
// stores it encrypted and returns only a hint. Nothing here logs or echoes it.
export function CredentialForm(props: Props) {
  const [opened, setOpened] = useState(false);
  const rotating = props.mode === 'rotate' ? props.credential : null;
  const form = useActionForm({ schema: rotating ? rotateCredentialInput : credentialInput, success: rotating ? `Credential ${rotating.name} rotated.` : 'Credential created.', onSuccess: () => setOpened(false) });

  function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(event.currentTarget)) as Record<string, string>;
    form.submit(data, (input) => (props.mode === 'create' ? createCredentialAction(input) : rotateCredentialAction({ id: props.credential.id, version: props.credential.version }, input)));
  }

  return (
    <>
      {rotating ? (
        <Button size="xs" variant="default" onClick={() => { form.reset(); setOpened(true); }}>
          Rotate
        </Button>
      ) : (
        <Button leftSection={<IconPlus size={16} />} onClick={() => { form.reset(); setOpened(true); }}>
          New credential
        </Button>
      )}
      <Drawer opened={opened} onClose={() => setOpened(false)} title={rotating ? `Rotate credential ${rotating.name}` : 'New credential'} position="right" size="md">
        <form onSubmit={onSubmit} noValidate autoComplete="off">
          <Stack>
            {form.formError && (
              <Alert color="red" variant="light" role="alert">
                {form.formError}
              </Alert>
            )}
            {props.mode === 'create' ? (
              <>
                <TextInput name="name" label="Name" description="Lower-case letters, digits, '.', '_' or '-', e.g. openai-prod" error={form.errorOf('name')} required data-autofocus />
                <Select
                  name="providerId"
                  label="Provider"
                  data={props.providers.map((provider) => ({ value: provider.id, label: provider.name }))}
                  nothingFoundMessage="No providers yet: add one under Providers first."
                  error={form.errorOf('providerId')}
                  required
                  searchable
                />
              </>
            ) : (
              <Text size="sm" c="dimmed">
                Targets using {props.credential.name} switch to the new secret at once. The current secret ends in {props.credential.hint}.
              </Text>
            )}
            <PasswordInput
              name="secret"
              label={rotating ? 'New secret' : 'Secret'}
              description="The provider's API key. Stored encrypted; only its last characters are ever shown."
              error={form.errorOf('secret')}
              required
              autoComplete="new-password"
              data-autofocus={rotating ? true : undefined}
            />
            <Textarea name="reason" label="Reason (kept in the audit log)" error={form.errorOf('reason')} autosize minRows={2} />
            <Button type="submit" loading={form.pending}>
              {rotating ? 'Rotate' : 'Create credential'}
            </Button>
          </Stack>
        </form>
      </Drawer>
    </>
  );
}
