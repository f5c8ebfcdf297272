'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { signOut } from 'next-auth/react';
import {
  ActionIcon, AppShell, Badge, Burger, Group, Menu, NavLink, ScrollArea, Text, Tooltip, UnstyledButton, useComputedColorScheme, useMantineColorScheme,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconLogout, IconMoon, IconShieldCheck, IconSun, IconUserCircle } from '@tabler/icons-react';
import { ControlPlaneBanner } from './control-plane-banner';
import { NAV_ITEMS, type NavItem } from './nav';
import { ChangePasswordDialog, ChangePasswordItem } from './change-password-item';
import { SignOutOthersItem } from './sign-out-others-item';

type FrameUser = { name: string; email: string; role: string };

function isActive(pathname: string, href: string) {
  return href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`);
}

function ThemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useComputedColorScheme('light', { getInitialValueInEffect: true });
  const next = scheme === 'dark' ? 'light' : 'dark';
  return (
    <Tooltip label={`Switch to ${next} theme`}>
      <ActionIcon variant="default" size="lg" aria-label={`Switch to ${next} theme`} onClick={() => setColorScheme(next)}>
        {scheme === 'dark' ? <IconSun size={18} /> : <IconMoon size={18} />}
      </ActionIcon>
    </Tooltip>
  );
}

export function AppFrame({ user, children }: { user: FrameUser; children: React.ReactNode }) {
  const pathname = usePathname();
  const [opened, { toggle, close }] = useDisclosure();
  const [passwordOpened, { open: openPassword, close: closePassword }] = useDisclosure();
  const items = NAV_ITEMS.filter((item) => !item.adminOnly || user.role === 'admin');
  const groups = [...new Set(items.map((item) => item.group))];

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="lg">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group gap="xs">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <IconShieldCheck size={22} />
            <Text fw={700} component={Link} href="/">
              Standby
            </Text>
          </Group>
          <Group gap="sm">
            <ThemeToggle />
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <UnstyledButton aria-label="Account menu">
                  <Group gap={6}>
                    <IconUserCircle size={22} />
                    <Text size="sm" visibleFrom="sm">
                      {user.name}
                    </Text>
                    <Badge variant="light" size="sm" data-testid="current-role">
                      {user.role}
                    </Badge>
                  </Group>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>{user.email}</Menu.Label>
                <ChangePasswordItem onOpen={openPassword} />
                <SignOutOthersItem />
                <Menu.Item leftSection={<IconLogout size={16} />} onClick={() => signOut({ callbackUrl: '/login' })}>
                  Sign out
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
            <ChangePasswordDialog opened={passwordOpened} onClose={closePassword} />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main navigation">
        <ScrollArea>
          {groups.map((group) => (
            <div key={group}>
              <Text size="xs" fw={600} c="dimmed" tt="uppercase" px="sm" pt="sm" pb={4}>
                {group}
              </Text>
              {items.filter((item) => item.group === group).map((item: NavItem) => (
                <NavLink
                  key={item.href}
                  component={Link}
                  href={item.href}
                  label={item.label}
                  active={isActive(pathname, item.href)}
                  onClick={close}
                  rightSection={item.ready ? null : <Badge size="xs" variant="outline" color="gray">soon</Badge>}
                />
              ))}
            </div>
          ))}
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main>
        <ControlPlaneBanner />
        {children}
      </AppShell.Main>
    </AppShell>
  );
}
