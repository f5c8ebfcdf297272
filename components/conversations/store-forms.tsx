'use client';

import { useState } from 'react';
import { NumberInput, Switch, Text, TextInput } from '@mantine/core';
import { FormDrawer } from '@/components/ui/form-drawer';
import { useActionForm } from '@/components/ui/use-action-form';
import { eraseEndUserAction, setConversationStoreAction } from '@/lib/conversations/actions';
import { conversationStoreInput, eraseEndUserInput } from '@/lib/conversations/schemas';

/** Turns a service's conversation store on or off, with its retention: a change of its routing configuration. */
export function ConversationStoreForm({ service }: { service: { serviceId: string; serviceName: string; version: number; store: boolean; retentionDays: number } }) {
  const [opened, setOpened] = useState(false);
  const [store, setStore] = useState(service.store);
  const form = useActionForm<{ store: boolean; retentionDays: number }>({
    schema: conversationStoreInput,
    success: (r) => (r.store ? `${service.serviceName} keeps conversations for ${r.retentionDays} days.` : `${service.serviceName} no longer keeps new conversations.`),
    onSuccess: () => setOpened(false),
  });
  return (
    <FormDrawer
      noun="conversation store"
      editing={service.serviceName}
      form={form}
      opened={opened}
      setOpened={setOpened}
      onOpen={() => setStore(service.store)}
      onSubmit={(event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        form.submit({ serviceId: service.serviceId, expectedVersion: service.version, store, retentionDays: data.get('retentionDays'), reason: data.get('reason') }, setConversationStoreAction);
      }}
    >
      <Switch label="Keep named conversations" description="Clients name a conversation with the x-standby-conversation header and send only their new message." checked={store} onChange={(e) => setStore(e.currentTarget.checked)} data-autofocus />
      <NumberInput name="retentionDays" label="Keep each conversation for (days after its last message)" defaultValue={service.retentionDays} min={1} max={3650} error={form.errorOf('retentionDays')} />
      <Text size="xs" c="dimmed">
        Stored messages are user content: sealed with Standby&apos;s encryption key, exported and deleted through the API, and removed after the retention.
      </Text>
    </FormDrawer>
  );
}

/** Erases everything stored for one end user (a privacy request). */
export function EraseEndUserForm() {
  const [opened, setOpened] = useState(false);
  const form = useActionForm<{ conversations: number; messages: number }>({
    schema: eraseEndUserInput,
    success: (r) => (r.conversations ? `Erased ${r.conversations} conversation${r.conversations === 1 ? '' : 's'} (${r.messages} messages).` : 'Nothing was stored for this end user.'),
    onSuccess: () => setOpened(false),
  });
  return (
    <FormDrawer
      noun="end user erasure"
      form={form}
      opened={opened}
      setOpened={setOpened}
      onSubmit={(event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        form.submit({ user: data.get('user'), reason: data.get('reason') }, eraseEndUserAction);
      }}
    >
      <TextInput name="user" label="End user" description="The user field their application sends. The audit log keeps only a hash of it." error={form.errorOf('user')} required data-autofocus />
    </FormDrawer>
  );
}
