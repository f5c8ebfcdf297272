'use client';

import { Badge, Group, Table, Text } from '@mantine/core';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { EmptyState } from '@/components/ui/empty-state';
import { deleteRegionAction, setRegionEnabledAction } from '@/lib/inventory/actions';
import type { RegionRow } from '@/lib/inventory/data';
import type { Page } from '@/lib/server/pagination';
import { RegionForm } from './region-form';

export function RegionsTable({ page, canEdit, filtered }: { page: Page<RegionRow>; canEdit: boolean; filtered: boolean }) {
  if (page.total === 0) {
    return filtered ? (
      <EmptyState title="No regions match">Try another search or status.</EmptyState>
    ) : (
      <EmptyState title="No regions yet">{canEdit ? 'Add the regions your targets run in.' : 'An operator has not added any regions yet.'}</EmptyState>
    );
  }
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table striped highlightOnHover verticalSpacing="xs" aria-label="Regions">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Code</Table.Th>
            <Table.Th>Name</Table.Th>
            <Table.Th>Location</Table.Th>
            <Table.Th>Targets</Table.Th>
            <Table.Th>Status</Table.Th>
            {canEdit && <Table.Th aria-label="Actions" />}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {page.rows.map((region) => (
            <Table.Tr key={region.id}>
              <Table.Td>
                <Text ff="monospace" size="sm">{region.code}</Text>
              </Table.Td>
              <Table.Td>{region.name}</Table.Td>
              <Table.Td>{region.location || <Text c="dimmed" size="sm">—</Text>}</Table.Td>
              <Table.Td>{region.targetCount}</Table.Td>
              <Table.Td>
                <Badge color={region.enabled ? 'green' : 'gray'} variant="light">{region.enabled ? 'enabled' : 'disabled'}</Badge>
              </Table.Td>
              {canEdit && (
                <Table.Td>
                  <Group gap={6} justify="flex-end" wrap="nowrap">
                    <RegionForm mode="edit" region={region} />
                    <ConfirmButton
                      label={region.enabled ? 'Disable' : 'Enable'}
                      title={`${region.enabled ? 'Disable' : 'Enable'} region ${region.code}?`}
                      message={region.enabled ? `Its ${region.targetCount} target(s) stay configured but the region is marked out of use.` : 'The region can be used again.'}
                      confirmLabel={region.enabled ? 'Disable' : 'Enable'}
                      success={`Region ${region.code} ${region.enabled ? 'disabled' : 'enabled'}.`}
                      action={(reason) => setRegionEnabledAction({ id: region.id, version: region.version, enabled: !region.enabled, reason })}
                    />
                    <ConfirmButton
                      danger
                      label="Delete"
                      title={`Delete region ${region.code}?`}
                      message={region.targetCount > 0 ? `${region.targetCount} target(s) run in this region, so it cannot be deleted. Disable it instead, or move the targets first.` : 'This cannot be undone. The audit log keeps a record.'}
                      confirmLabel="Delete"
                      success={`Region ${region.code} deleted.`}
                      action={(reason) => deleteRegionAction({ id: region.id, reason })}
                    />
                  </Group>
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
