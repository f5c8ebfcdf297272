'use client';

import { useState } from 'react';
import { Alert, Button, Card, Code, Group, Stack, Text, Textarea, Title } from '@mantine/core';
import { ReasonField } from '@/components/ui/reason-field';
import { useActionForm } from '@/components/ui/use-action-form';
import { setPrivateNetworksAction } from '@/lib/settings/actions';
import type { PrivateNetworks } from '@/lib/settings/data';

/** Admin → Settings: the non-public networks a target's endpoint may point at. */
export function PrivateNetworksForm({ current }: { current: PrivateNetworks }) {
  const [networks, setNetworks] = useState(current.networks.join('\n'));
  const [reason, setReason] = useState('');
  // Checked on the server only: the network parser (lib/server/networks.ts) needs node:net, which a browser has not.
  const form = useActionForm<{ networks: string[] }>({
    success: (saved) => (saved.networks.length ? `Targets may now point at ${saved.networks.length} private network${saved.networks.length === 1 ? '' : 's'}.` : 'Targets may point at public addresses only.'),
    onSuccess: () => setReason(''),
  });

  function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    form.submit({ networks, reason }, setPrivateNetworksAction);
  }

  return (
    <Card withBorder radius="md" padding="md" data-testid="private-networks">
      <Stack gap="sm">
        <div>
          <Title order={4}>Private endpoint networks</Title>
          <Text size="sm" c="dimmed" maw={760}>
            Targets may point at public addresses. Loopback, private (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7), link-local (where cloud metadata
            services answer, 169.254.169.254) and other non-public addresses are refused, when a target is saved and again whenever the gateway or a health
            probe connects, unless they are inside a network listed here. List the networks your self-hosted models run on.
          </Text>
        </div>
        <Group gap="xs" align="baseline">
          <Text size="sm" fw={600}>
            Allowed now:
          </Text>
          {current.networks.length === 0 ? (
            <Text size="sm">public addresses only.</Text>
          ) : (
            current.networks.map((network) => <Code key={network}>{network}</Code>)
          )}
        </Group>
        <form onSubmit={onSubmit} noValidate>
          <Stack gap="sm" maw={560}>
            {/* A field error says it all; anything else (permission, conflict) is said here. */}
            {form.formError && Object.keys(form.fieldErrors).length === 0 && <Alert color="red" variant="light" role="alert" title={form.formError} />}
            <Textarea
              label="Allowed networks"
              description="One network per line, as an address with its prefix length: 10.20.0.0/16, fd12:3456::/48, or one address (127.0.0.1). Empty: public addresses only."
              value={networks}
              onChange={(event) => setNetworks(event.currentTarget.value)}
              error={form.errorOf('networks')}
              autosize
              minRows={3}
              maxRows={12}
              styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            />
            <ReasonField value={reason} onChange={setReason} error={form.fieldErrors.reason} description="Why these networks: kept in the audit log." />
            <Button type="submit" loading={form.pending} w="fit-content">
              Save networks
            </Button>
          </Stack>
        </form>
      </Stack>
    </Card>
  );
}
