import { Alert } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';

/** What a page shows to a signed-in user whose role does not reach it. */
export function RoleRequired({ role, children }: { role: string; children: React.ReactNode }) {
  return (
    <Alert color="yellow" variant="light" icon={<IconLock size={18} />} title={`You need the ${role} role`} role="alert">
      {children}
    </Alert>
  );
}
