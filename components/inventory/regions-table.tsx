'use client';

import { Table, Text } from '@mantine/core';
import { RowActions } from '@/components/ui/row-actions';
import { StatusBadge } from '@/components/ui/status-badge';
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
                <StatusBadge enabled={region.enabled} />
              </Table.Td>
              {canEdit && (
                <Table.Td>
                  <RowActions
                    noun="region"
                    name={region.code}
                    enabled={region.enabled}
                    edit={<RegionForm mode="edit" region={region} />}
                    toggleMessage={region.enabled ? `Its ${region.targetCount} target(s) stay configured but the region is marked out of use.` : 'The region can be used again.'}
                    deleteMessage={region.targetCount > 0 ? `${region.targetCount} target(s) run in this region, so it cannot be deleted. Disable it instead, or move the targets first.` : 'This cannot be undone. The audit log keeps a record.'}
                    setEnabled={(enabled, reason) => setRegionEnabledAction({ id: region.id, version: region.version, enabled, reason })}
                    remove={(reason) => deleteRegionAction({ id: region.id, reason })}
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
