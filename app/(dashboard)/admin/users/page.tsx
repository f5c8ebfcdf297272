import type { Metadata } from 'next';
import { RoleRequired } from '@/components/ui/role-required';
import { PageHeader } from '@/components/ui/page-header';
import { UserForm } from '@/components/admin/user-form';
import { UsersTable } from '@/components/admin/users-table';
import { listUsers } from '@/lib/access/data';
import { pageUserIfPermitted } from '@/lib/server/page-user';

export const metadata: Metadata = { title: 'Users' };

export default async function UsersPage() {
  const user = await pageUserIfPermitted('users.manage');
  if (!user) {
    return (
      <RoleRequired role="admin">
        Only admins manage users. Ask an admin if your role or account needs a change.
      </RoleRequired>
    );
  }
  const users = await listUsers();
  return (
    <>
      <PageHeader
        title="Users"
        description="Who can sign in, and what their role lets them do. Standby always keeps at least one enabled admin."
        actions={<UserForm mode="create" />}
      />
      <UsersTable users={users} currentUserId={user.id} />
    </>
  );
}
