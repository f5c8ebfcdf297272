'use client';

import { Table, Text } from '@mantine/core';
import { EmptyState } from '@/components/ui/empty-state';
import { RowActions } from '@/components/ui/row-actions';
import { StatusBadge } from '@/components/ui/status-badge';
import { deleteProviderAction, setProviderEnabledAction } from '@/lib/inventory/actions';
import type { ProviderRow } from '@/lib/inventory/data';
import { API_STYLE_LABELS, PROVIDER_KIND_LABELS } from '@/lib/inventory/schemas';
import type { Page } from '@/lib/server/pagination';
import { ProviderForm } from './provider-form';

const none = <Text c="dimmed" size="sm">—</Text>;

export function ProvidersTable({ page, canEdit, filtered }: { page: Page<ProviderRow>; canEdit: boolean; filtered: boolean }) {
  if (page.total === 0) {
    return filtered ? (
      <EmptyState title="No providers match">Try another search or status.</EmptyState>
    ) : (
      <EmptyState title="No providers yet">{canEdit ? 'Add the LLM APIs and self-hosted clusters your targets call.' : 'An operator has not added any providers yet.'}</EmptyState>
    );
  }
  return (
    <Table.ScrollContainer minWidth={860}>
      <Table striped highlightOnHover verticalSpacing="xs" aria-label="Providers">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Kind</Table.Th>
            <Table.Th>API style</Table.Th>
            <Table.Th>Failure domain</Table.Th>
            <Table.Th>Targets</Table.Th>
            <Table.Th>Credentials</Table.Th>
            <Table.Th>Status</Table.Th>
            {canEdit && <Table.Th aria-label="Actions" />}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {page.rows.map((provider) => (
            <Table.Tr key={provider.id}>
              <Table.Td>
                <Text ff="monospace" size="sm">{provider.name}</Text>
              </Table.Td>
              <Table.Td>{PROVIDER_KIND_LABELS[provider.kind as keyof typeof PROVIDER_KIND_LABELS] ?? provider.kind}</Table.Td>
              <Table.Td>{API_STYLE_LABELS[provider.apiStyle as keyof typeof API_STYLE_LABELS] ?? provider.apiStyle}</Table.Td>
              <Table.Td>{provider.failureDomain ?? none}</Table.Td>
              <Table.Td>{provider.targetCount}</Table.Td>
              <Table.Td>{provider.credentialCount}</Table.Td>
              <Table.Td>
                <StatusBadge enabled={provider.enabled} />
              </Table.Td>
              {canEdit && (
                <Table.Td>
                  <RowActions
                    noun="provider"
                    name={provider.name}
                    enabled={provider.enabled}
                    edit={<ProviderForm mode="edit" provider={provider} />}
                    toggleMessage={provider.enabled ? `Its ${provider.targetCount} target(s) stay configured but the provider is marked out of use.` : 'The provider can be used again.'}
                    deleteMessage={
                      provider.targetCount + provider.credentialCount > 0
                        ? `${provider.targetCount} target(s) and ${provider.credentialCount} credential(s) use this provider, so it cannot be deleted. Disable it instead, or remove them first.`
                        : 'This cannot be undone. The audit log keeps a record.'
                    }
                    setEnabled={(enabled, reason) => setProviderEnabledAction({ id: provider.id, version: provider.version, enabled, reason })}
                    remove={(reason) => deleteProviderAction({ id: provider.id, reason })}
                  />
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
