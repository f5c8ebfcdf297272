import type { Metadata } from 'next';
import Link from 'next/link';
import { Group, Paper, SimpleGrid, Text } from '@mantine/core';
import { RoleRequired } from '@/components/ui/role-required';
import { PageHeader } from '@/components/ui/page-header';
import { pageUserIfPermitted } from '@/lib/server/page-user';

export const metadata: Metadata = { title: 'Admin' };

const AREAS = [
  { title: 'Users', href: '/admin/users', description: 'Who can sign in, with which role. Reset passwords, disable accounts.' },
  { title: 'Provider credentials', href: '/admin/credentials', description: 'API keys targets use to call their providers. Stored encrypted; rotate and delete.' },
  { title: 'API tokens', href: '/admin/tokens', description: 'Tokens for client applications and backup jobs to call Standby. Shown once; revoke at any time.' },
  { title: 'Routing configuration', href: '/admin/config', description: 'Providers, regions, targets, services and failover chains as one YAML file: export it, review changes, apply it.' },
  { title: 'Settings', href: '/admin/settings', description: 'Which private networks targets may point at (self-hosted models); public addresses are always allowed.' },
];

export default async function AdminPage() {
  const user = await pageUserIfPermitted('users.manage');
  if (!user) {
    return (
      <RoleRequired role="admin">
        Users, credentials, API tokens and settings are managed by admins. Ask an admin if you need a change here.
      </RoleRequired>
    );
  }
  return (
    <>
      <PageHeader title="Admin" description="Who can use Standby, the secrets it uses to reach providers, the tokens clients use to reach it, where targets may point, and its routing configuration as a file." />
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        {AREAS.map((area) => (
          <Paper key={area.title} withBorder p="md" radius="md">
            <Group justify="space-between" mb={4}>
              {/* Link wraps the text: a server component cannot hand Link to Mantine as `component`. */}
              <Link href={area.href}>
                <Text span fw={600} c="indigo">
                  {area.title}
                </Text>
              </Link>
            </Group>
            <Text size="sm" c="dimmed">
              {area.description}
            </Text>
          </Paper>
        ))}
      </SimpleGrid>
    </>
  );
}
