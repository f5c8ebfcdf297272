'use client';

import { Table, Text } from '@mantine/core';
import { EmptyState } from '@/components/ui/empty-state';
import { LinkAnchor } from '@/components/ui/link-anchor';
import { RowActions } from '@/components/ui/row-actions';
import { StatusBadge } from '@/components/ui/status-badge';
import { deleteServiceAction, setServiceEnabledAction } from '@/lib/inventory/actions';
import type { ServiceRow } from '@/lib/inventory/data';
import type { Page } from '@/lib/server/pagination';
import { ServiceForm } from './service-form';

const none = <Text c="dimmed" size="sm">—</Text>;

export function ServicesTable({ page, canEdit, filtered }: { page: Page<ServiceRow>; canEdit: boolean; filtered: boolean }) {
  if (page.total === 0) {
    return filtered ? (
      <EmptyState title="No services match">Try another search or status.</EmptyState>
    ) : (
      <EmptyState title="No services yet">{canEdit ? 'Add the model names your client applications call through the gateway.' : 'An operator has not added any services yet.'}</EmptyState>
    );
  }
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table striped highlightOnHover verticalSpacing="xs" aria-label="Services">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Description</Table.Th>
            <Table.Th>Owner</Table.Th>
            <Table.Th>Status</Table.Th>
            {canEdit && <Table.Th aria-label="Actions" />}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {page.rows.map((service) => (
            <Table.Tr key={service.id}>
              <Table.Td>
                <LinkAnchor href={`/services/${encodeURIComponent(service.name)}`} ff="monospace" size="sm">{service.name}</LinkAnchor>
              </Table.Td>
              <Table.Td>{service.description || none}</Table.Td>
              <Table.Td>{service.owner || none}</Table.Td>
              <Table.Td>
                <StatusBadge enabled={service.enabled} />
              </Table.Td>
              {canEdit && (
                <Table.Td>
                  <RowActions
                    noun="service"
                    name={service.name}
                    enabled={service.enabled}
                    edit={<ServiceForm mode="edit" service={service} />}
                    toggleMessage={service.enabled ? 'The service stays configured but is marked out of use.' : 'The service can be used again.'}
                    deleteMessage="Client applications calling this name will get an error. This cannot be undone; the audit log keeps a record."
                    setEnabled={(enabled, reason) => setServiceEnabledAction({ id: service.id, version: service.version, enabled, reason })}
                    remove={(reason) => deleteServiceAction({ id: service.id, reason })}
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
