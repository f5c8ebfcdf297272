'use client';

import { useState } from 'react';
import { Alert, Button, Checkbox, Code, CopyButton, Group, Modal, MultiSelect, Select, Stack, Text, TextInput } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconCopy } from '@tabler/icons-react';
import { FormDrawer } from '@/components/ui/form-drawer';
import { useActionForm } from '@/components/ui/use-action-form';
import { createApiTokenAction } from '@/lib/access/token-actions';
import type { CreatedApiToken } from '@/lib/access/token-mutations';
import { SCOPE_DESCRIPTIONS, TOKEN_SCOPES } from '@/lib/access/scopes';
import { createApiTokenInput } from '@/lib/access/token-schemas';

const EXPIRY_OPTIONS = [
  { value: '7', label: 'In 7 days' },
  { value: '30', label: 'In 30 days' },
  { value: '90', label: 'In 90 days' },
  { value: '365', label: 'In 1 year' },
  { value: '', label: 'Never (revoke it by hand)' },
];

type Props = { services: { name: string; enabled: boolean }[] };

// The token reaches this component once, in the action's result, and lives only
// in its state until the modal is closed: it is never stored or logged.
export function TokenForm({ services }: Props) {
  const [opened, setOpened] = useState(false);
  const [chosen, setChosen] = useState<string[]>([]);
  const [scopes, setScopes] = useState<string[]>(['gateway']);
  const [expiry, setExpiry] = useState<string | null>('90');
  const [created, setCreated] = useState<CreatedApiToken | null>(null);
  const form = useActionForm<CreatedApiToken>({ schema: createApiTokenInput,
    success: (token) => `Token ${token.name} created.`,
    onSuccess: (token) => {
      setOpened(false);
      setCreated(token);
    },
  });

  function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    form.submit({ name: data.get('name'), services: chosen, scopes, expiresInDays: expiry ?? '', reason: data.get('reason') }, createApiTokenAction);
  }

  const servicesError = Object.entries(form.fieldErrors)
    .filter(([field]) => field === 'services' || field.startsWith('services.'))
    .flatMap(([, messages]) => messages)
    .join(' ');

  return (
    <>
      <FormDrawer
        noun="token"
        form={form}
        opened={opened}
        setOpened={setOpened}
        onOpen={() => {
          setChosen([]);
          setScopes(['gateway']);
          setExpiry('90');
        }}
        onSubmit={onSubmit}
      >
        <TextInput name="name" label="Name" description="Who or what uses it, e.g. support-bot production" error={form.errorOf('name')} required data-autofocus autoComplete="off" />
        <MultiSelect
          label="Services"
          description="The services it may call. Leave empty to allow every service."
          placeholder={chosen.length ? undefined : 'Every service'}
          data={services.map((service) => ({ value: service.name, label: service.enabled ? service.name : `${service.name} (disabled)` }))}
          value={chosen}
          onChange={setChosen}
          searchable
          clearable
          nothingFoundMessage="No service by that name"
          error={servicesError || undefined}
        />
        <Checkbox.Group label="It may" value={scopes} onChange={setScopes} error={form.errorOf('scopes')} withAsterisk>
          <Stack gap={6} mt={6}>
            {TOKEN_SCOPES.map((scope) => (
              <Checkbox key={scope} value={scope} label={SCOPE_DESCRIPTIONS[scope]} />
            ))}
          </Stack>
        </Checkbox.Group>
        <Select label="Expires" data={EXPIRY_OPTIONS} value={expiry} onChange={setExpiry} allowDeselect={false} error={form.errorOf('expiresInDays')} />
      </FormDrawer>
      <Modal opened={created !== null} onClose={() => setCreated(null)} title={created ? `Token ${created.name}` : ''} size="lg" centered closeOnClickOutside={false}>
        {created && (
          <Stack>
            <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />} title="Copy it now">
              You will not see it again: Standby keeps only a hash of it. If it is lost, revoke it and create another.
            </Alert>
            <Group gap="xs" wrap="nowrap" align="center">
              <Code block style={{ flex: 1, wordBreak: 'break-all' }} data-testid="new-token">
                {created.token}
              </Code>
              <CopyButton value={created.token}>
                {({ copied, copy }) => (
                  <Button variant={copied ? 'light' : 'filled'} color={copied ? 'green' : undefined} leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />} onClick={copy}>
                    {copied ? 'Copied' : 'Copy'}
                  </Button>
                )}
              </CopyButton>
            </Group>
            <Text size="sm" c="dimmed">
              Clients send it as <Code>Authorization: Bearer {`sbk_${created.prefix}_…`}</Code>.{' '}
              {created.scopes.includes('gateway') ? (created.services.length ? `It may call ${created.services.join(', ')}.` : 'It may call every service.') : 'It cannot call the gateway.'}{' '}
              {created.scopes.includes('recovery:evidence') ? 'It may report recovery evidence.' : ''}{' '}
              {created.expiresAt ? `It expires on ${created.expiresAt.slice(0, 10)}.` : 'It does not expire.'}
            </Text>
            <Group justify="flex-end">
              <Button onClick={() => setCreated(null)}>I have copied it</Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </>
  );
}
