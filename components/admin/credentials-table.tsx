'use client';

import { Group, Table, Text } from '@mantine/core';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { EmptyState } from '@/components/ui/empty-state';
import { deleteCredentialAction } from '@/lib/inventory/actions';
import type { CredentialRow } from '@/lib/inventory/data';
import { CredentialForm } from './credential-form';
import { formatUtc } from '@/lib/shared/format';

// UTC, so the server render and the browser agree and times match the audit log.

export function CredentialsTable({ credentials }: { credentials: CredentialRow[] }) {
  if (credentials.length === 0) {
    return <EmptyState title="No credentials yet">Add the API keys targets use to call their providers.</EmptyState>;
  }
  return (
    <Table.ScrollContainer minWidth={820}>
      <Table striped highlightOnHover verticalSpacing="xs" aria-label="Provider credentials">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Provider</Table.Th>
            <Table.Th>Secret</Table.Th>
            <Table.Th>Targets</Table.Th>
            <Table.Th>Created</Table.Th>
            <Table.Th>Rotated</Table.Th>
            <Table.Th aria-label="Actions" />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {credentials.map((credential) => (
            <Table.Tr key={credential.id}>
              <Table.Td>
                <Text ff="monospace" size="sm">{credential.name}</Text>
              </Table.Td>
              <Table.Td>{credential.provider.name}</Table.Td>
              <Table.Td>
                <Text ff="monospace" size="sm">{credential.hint}</Text>
              </Table.Td>
              <Table.Td>{credential.targetCount}</Table.Td>
              <Table.Td>
                <time dateTime={credential.createdAt}>{formatUtc(credential.createdAt)}</time>
              </Table.Td>
              <Table.Td>
                {credential.rotatedAt ? <time dateTime={credential.rotatedAt}>{formatUtc(credential.rotatedAt)}</time> : <Text c="dimmed" size="sm">never</Text>}
              </Table.Td>
              <Table.Td>
                <Group gap={6} justify="flex-end" wrap="nowrap">
                  <CredentialForm mode="rotate" credential={credential} />
                  <ConfirmButton
                    danger
                    label="Delete"
                    title={`Delete credential ${credential.name}?`}
                    message={
                      credential.targetCount > 0
                        ? `${credential.targetCount} target(s) authenticate with this credential, so it cannot be deleted. Give them another credential first.`
                        : 'The encrypted secret is destroyed. This cannot be undone; the audit log keeps a record.'
                    }
                    confirmLabel="Delete"
                    success={`Credential ${credential.name} deleted.`}
                    action={(reason) => deleteCredentialAction({ id: credential.id, reason })}
                  />
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
