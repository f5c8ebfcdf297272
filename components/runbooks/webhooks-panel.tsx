'use client';
// Where notify steps post. A webhook URL holds a secret (Slack's token is in
// its path): an admin sets it, nobody sees it again; the table shows its host
// and last four characters.
import { useState } from 'react';
import { Alert, Badge, Button, Group, Modal, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useActionForm } from '@/components/ui/use-action-form';
import { createWebhookAction, rotateWebhookAction, setWebhookDisabledAction } from '@/lib/runbooks/actions';
import type { WebhookView } from '@/lib/runbooks/data';
import { createWebhookInput, disableWebhookInput, rotateWebhookInput } from '@/lib/runbooks/schemas';

function WebhookForm({ editing, onClose }: { editing: WebhookView | null; onClose: () => void }) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<string | null>('slack');
  const [url, setUrl] = useState('');
  const form = useActionForm<{ name: string }>({ schema: editing ? rotateWebhookInput : createWebhookInput, success: (d) => (editing ? `New URL saved for ${d.name}` : `${d.name} added`), onSuccess: onClose });
  return (
    <Modal opened onClose={onClose} title={editing ? `New URL for ${editing.name}` : 'Add a webhook'}>
      <Stack gap="sm">
        {!editing && (
          <>
            <TextInput label="Name" description="As commanders will see it, e.g. #incidents" value={name} onChange={(e) => setName(e.currentTarget.value)} error={form.errorOf('name')} data-autofocus />
            <Select label="Kind" data={[{ value: 'slack', label: 'Slack-compatible incoming webhook ({"text": ...})' }, { value: 'generic', label: 'Generic JSON (text, incident, sentAt)' }]} value={kind} onChange={setKind} allowDeselect={false} />
          </>
        )}
        <TextInput label="URL" type="password" autoComplete="off" description="Encrypted at rest; never shown again, not even to you." value={url} onChange={(e) => setUrl(e.currentTarget.value)} error={form.errorOf('url')} />
        {form.formError && !form.fieldErrors.url && !form.fieldErrors.name && <Alert color="red" variant="light">{form.formError}</Alert>}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button loading={form.pending} onClick={() => (editing ? form.submit({ webhookId: editing.id, expectedVersion: editing.version, url }, rotateWebhookAction) : form.submit({ name, kind, url }, createWebhookAction))}>Save</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function WebhooksPanel({ webhooks, canManage }: { webhooks: WebhookView[]; canManage: boolean }) {
  const [form, setForm] = useState<WebhookView | 'new' | null>(null);
  const toggle = useActionForm<{ disabled: boolean }>({ schema: disableWebhookInput, success: (d) => (d.disabled ? 'Disabled' : 'Enabled') });
  return (
    <Stack gap="sm">
      {webhooks.length === 0 ? (
        <Text size="sm" c="dimmed">No webhook yet: notify steps can only be marked done by hand. {canManage ? 'Add one.' : 'An admin adds them.'}</Text>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table verticalSpacing={6} aria-label="Notification webhooks">
            <Table.Thead>
              <Table.Tr><Table.Th>Name</Table.Th><Table.Th>Kind</Table.Th><Table.Th>URL</Table.Th><Table.Th>Last delivery</Table.Th>{canManage && <Table.Th />}</Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {webhooks.map((w) => (
                <Table.Tr key={w.id}>
                  <Table.Td><Group gap={6}><Text size="sm" fw={500}>{w.name}</Text>{w.disabled && <Badge size="xs" color="gray">disabled</Badge>}</Group></Table.Td>
                  <Table.Td><Text size="sm">{w.kind === 'slack' ? 'Slack' : 'Generic JSON'}</Text></Table.Td>
                  <Table.Td><Text size="sm" ff="monospace">{w.urlHint}</Text></Table.Td>
                  <Table.Td><Text size="sm" c={w.lastDelivery?.status === 'failed' ? 'red' : undefined}>{w.lastDelivery ? `${w.lastDelivery.status}, ${w.lastDelivery.at.slice(0, 16).replace('T', ' ')} UTC` : 'never'}</Text></Table.Td>
                  {canManage && (
                    <Table.Td>
                      <Group gap={4} justify="flex-end" wrap="nowrap">
                        <Button size="compact-xs" variant="subtle" onClick={() => setForm(w)}>New URL</Button>
                        <Button size="compact-xs" variant="subtle" color={w.disabled ? 'teal' : 'red'} loading={toggle.pending} onClick={() => toggle.submit({ webhookId: w.id, expectedVersion: w.version, disabled: !w.disabled }, setWebhookDisabledAction)}>{w.disabled ? 'Enable' : 'Disable'}</Button>
                      </Group>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {canManage && <Button size="xs" variant="light" leftSection={<IconPlus size={14} />} w="fit-content" onClick={() => setForm('new')}>Add a webhook</Button>}
      {form && <WebhookForm editing={form === 'new' ? null : form} onClose={() => setForm(null)} />}
    </Stack>
  );
}
