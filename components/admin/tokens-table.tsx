'use client';

import { Badge, Group, Table, Text } from '@mantine/core';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { EmptyState } from '@/components/ui/empty-state';

import { revokeApiTokenAction } from '@/lib/access/token-actions';
import type { ApiTokenRow } from '@/lib/access/token-data';
import { formatUtc } from '@/lib/shared/format';

const STATUS_COLORS: Record<ApiTokenRow['status'], string> = { active: 'green', expired: 'orange', revoked: 'gray' };

const When = ({ at, empty }: { at: string | null; empty: string }) =>
  at ? <time dateTime={at}>{formatUtc(at)}</time> : <Text c="dimmed" size="sm">{empty}</Text>;

export function TokensTable({ tokens }: { tokens: ApiTokenRow[] }) {
  if (tokens.length === 0) {
    return <EmptyState title="No API tokens yet">Create one for each application or job that sends traffic through the gateway or calls Standby&apos;s API.</EmptyState>;
  }
  return (
    <Table.ScrollContainer minWidth={980}>
      <Table striped highlightOnHover verticalSpacing="xs" aria-label="API tokens">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Token</Table.Th>
            <Table.Th>May</Table.Th>
            <Table.Th>Services</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Created</Table.Th>
            <Table.Th>Last used</Table.Th>
            <Table.Th>Expires</Table.Th>
            <Table.Th aria-label="Actions" />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {tokens.map((token) => (
            <Table.Tr key={token.id}>
              <Table.Td>{token.name}</Table.Td>
              <Table.Td>
                <Text ff="monospace" size="sm">{`sbk_${token.prefix}_…`}</Text>
              </Table.Td>
              <Table.Td>
                <Group gap={4}>
                  {token.scopes.map((scope) => (
                    <Badge key={scope} variant="light" color={scope === 'gateway' ? 'blue' : 'grape'} tt="none" miw="max-content">
                      {scope}
                    </Badge>
                  ))}
                </Group>
              </Table.Td>
              <Table.Td>
                {token.services.length ? (
                  <Group gap={4}>
                    {token.services.map((service) => (
                      <Badge key={service} variant="outline" color="gray" tt="none" miw="max-content">
                        {service}
                      </Badge>
                    ))}
                  </Group>
                ) : (
                  <Text size="sm" c="dimmed">every service</Text>
                )}
              </Table.Td>
              <Table.Td>
                <Badge color={STATUS_COLORS[token.status]} variant="light" miw="max-content">
                  {token.status}
                </Badge>
              </Table.Td>
              <Table.Td>
                <Text size="sm">
                  <When at={token.createdAt} empty="" />
                </Text>
                <Text size="xs" c="dimmed">by {token.createdBy}</Text>
              </Table.Td>
              <Table.Td>
                <When at={token.lastUsedAt} empty="never" />
              </Table.Td>
              <Table.Td>
                {token.revokedAt ? (
                  <Text size="sm" c="dimmed">
                    revoked <time dateTime={token.revokedAt}>{formatUtc(token.revokedAt)}</time>
                    {token.revokedBy && ` by ${token.revokedBy}`}
                  </Text>
                ) : (
                  <When at={token.expiresAt} empty="never" />
                )}
              </Table.Td>
              <Table.Td>
                <Group gap={6} justify="flex-end" wrap="nowrap">
                  {!token.revokedAt && (
                    <ConfirmButton
                      danger
                      label="Revoke"
                      title={`Revoke token ${token.name}?`}
                      message="Requests with this token are refused within seconds, on every replica. This cannot be undone: create a new token if the client still needs one."
                      confirmLabel="Revoke"
                      success={`Token ${token.name} revoked.`}
                      action={(reason) => revokeApiTokenAction({ id: token.id, reason })}
                    />
                  )}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
