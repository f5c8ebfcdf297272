'use client';

import { Badge, Table, Text } from '@mantine/core';
import { EmptyState } from '@/components/ui/empty-state';
import { RowActions } from '@/components/ui/row-actions';
import { StatusBadge } from '@/components/ui/status-badge';
import { deleteTargetAction, setTargetEnabledAction } from '@/lib/inventory/actions';
import type { TargetFormOptions, TargetRow } from '@/lib/inventory/data';
import type { Page } from '@/lib/server/pagination';
import { TargetForm } from './target-form';
import { TargetLink } from '@/components/ui/target-link';

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const formatCompact = (value: number) => compact.format(value).replace('K', 'k');
const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 4 });
const QUALITY_COLORS: Record<string, string> = { frontier: 'violet', standard: 'blue', economy: 'teal' };

type Props = { page: Page<TargetRow>; options: TargetFormOptions; canEdit: boolean; filtered: boolean };

// The actions stay in view on a narrow screen: the column sticks to the right edge while the rest scrolls under it.
const STICKY_END: React.CSSProperties = { position: 'sticky', right: 0, background: 'var(--mantine-color-body)', boxShadow: '-6px 0 6px -6px rgba(0, 0, 0, 0.25)' };

export function TargetsTable({ page, options, canEdit, filtered }: Props) {
  if (page.total === 0) {
    return filtered ? (
      <EmptyState title="No targets match">Try another search, status, provider or region.</EmptyState>
    ) : (
      <EmptyState title="No targets yet">
        {canEdit ? 'Add the model deployments Standby can route to. Each one needs a provider and a region.' : 'An operator has not added any targets yet.'}
      </EmptyState>
    );
  }
  return (
    <Table.ScrollContainer minWidth={1080}>
      <Table striped highlightOnHover verticalSpacing="xs" aria-label="Targets" style={{ whiteSpace: 'nowrap' }}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name and model</Table.Th>
            <Table.Th>Provider · region</Table.Th>
            <Table.Th>RPM / TPM</Table.Th>
            <Table.Th>Context</Table.Th>
            <Table.Th>Price in / out per 1M</Table.Th>
            <Table.Th>Quality</Table.Th>
            <Table.Th>Credential</Table.Th>
            <Table.Th>Status</Table.Th>
            {canEdit && <Table.Th aria-label="Actions" style={STICKY_END} />}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {page.rows.map((target) => (
            <Table.Tr key={target.id}>
              <Table.Td>
                <TargetLink name={target.name} />
                <Text size="xs" c="dimmed">{target.model}</Text>
              </Table.Td>
              <Table.Td>
                {target.provider.name} · <Text span ff="monospace" size="sm">{target.region.code}</Text>
              </Table.Td>
              <Table.Td>{`${formatCompact(target.rpm)} / ${formatCompact(target.tpm)}`}</Table.Td>
              <Table.Td>{target.contextWindow.toLocaleString('en-US')}</Table.Td>
              <Table.Td>{`${usd.format(target.priceInPerMTok)} / ${usd.format(target.priceOutPerMTok)}`}</Table.Td>
              <Table.Td>
                <Badge color={QUALITY_COLORS[target.qualityClass] ?? 'gray'} variant="light" miw="max-content">{target.qualityClass}</Badge>
              </Table.Td>
              <Table.Td>
                {target.credential ? (
                  <Text ff="monospace" size="sm" title={target.credential.name}>{target.credential.hint}</Text>
                ) : (
                  <Text c="dimmed" size="sm">none</Text>
                )}
              </Table.Td>
              <Table.Td>
                <StatusBadge enabled={target.enabled} />
              </Table.Td>
              {canEdit && (
                <Table.Td style={STICKY_END}>
                  <RowActions
                    noun="target"
                    name={target.name}
                    enabled={target.enabled}
                    edit={<TargetForm mode="edit" target={target} options={options} />}
                    toggleMessage={target.enabled ? 'The target stays configured but is marked out of use.' : 'The target can be used again.'}
                    deleteMessage="This cannot be undone. The audit log keeps a record."
                    setEnabled={(enabled, reason) => setTargetEnabledAction({ id: target.id, version: target.version, enabled, reason })}
                    remove={(reason) => deleteTargetAction({ id: target.id, reason })}
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
