'use client';

import { Badge, Group, Table, Text } from '@mantine/core';
import { EmptyState } from '@/components/ui/empty-state';
import type { UserRow } from '@/lib/access/data';
import { ResetPasswordForm } from './reset-password-form';
import { UserForm } from './user-form';
import { formatUtc } from '@/lib/shared/format';

const ROLE_COLORS: Record<string, string> = { admin: 'red', commander: 'orange', operator: 'blue', viewer: 'gray' };

// UTC, so the server render and the browser agree and times match the audit log.

export function UsersTable({ users, currentUserId }: { users: UserRow[]; currentUserId: string }) {
  if (users.length === 0) return <EmptyState title="No users yet">Add the people who operate Standby.</EmptyState>;
  return (
    <Table.ScrollContainer minWidth={820}>
      <Table striped highlightOnHover verticalSpacing="xs" aria-label="Users">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Email</Table.Th>
            <Table.Th>Name</Table.Th>
            <Table.Th>Role</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Last sign-in</Table.Th>
            <Table.Th aria-label="Actions" />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {users.map((user) => (
            <Table.Tr key={user.id}>
              <Table.Td>
                <Text size="sm">
                  {user.email}
                  {user.id === currentUserId && <Text span c="dimmed" size="sm"> (you)</Text>}
                </Text>
              </Table.Td>
              <Table.Td>{user.name}</Table.Td>
              <Table.Td>
                <Badge color={ROLE_COLORS[user.role] ?? 'gray'} variant="light">{user.role}</Badge>
              </Table.Td>
              <Table.Td>
                <Badge color={user.disabled ? 'gray' : 'green'} variant="light">{user.disabled ? 'disabled' : 'active'}</Badge>
              </Table.Td>
              <Table.Td>
                {user.lastSignInAt ? <time dateTime={user.lastSignInAt}>{formatUtc(user.lastSignInAt)}</time> : <Text c="dimmed" size="sm">never</Text>}
              </Table.Td>
              <Table.Td>
                <Group gap={6} justify="flex-end" wrap="nowrap">
                  <UserForm mode="edit" user={user} />
                  <ResetPasswordForm user={user} />
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
