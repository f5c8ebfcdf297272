'use client';

import { Menu } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconDevices } from '@tabler/icons-react';
import { signOutOtherSessionsAction } from '@/lib/access/actions';

/** "Sign out other sessions": every browser signed in as this user but this one must sign in again. */
export function SignOutOthersItem() {
  const signOutOthers = async () => {
    const result = await signOutOtherSessionsAction().catch(() => null);
    if (result?.ok) notifications.show({ color: 'green', message: 'Your other sessions are signed out. This browser stays signed in.' });
    else notifications.show({ color: 'red', message: result?.error ?? 'Standby could not be reached. Check your connection and try again.' });
  };
  return (
    <Menu.Item leftSection={<IconDevices size={16} />} onClick={() => void signOutOthers()}>
      Sign out other sessions
    </Menu.Item>
  );
}
