import type { Metadata } from 'next';
import { Code, Text } from '@mantine/core';
import { RoleRequired } from '@/components/ui/role-required';
import { PageHeader } from '@/components/ui/page-header';
import { ConfigEditor } from '@/components/admin/config-editor';
import { pageUserIfPermitted } from '@/lib/server/page-user';

export const metadata: Metadata = { title: 'Routing configuration' };

export default async function ConfigPage() {
  const user = await pageUserIfPermitted('settings.write');
  if (!user) {
    return (
      <RoleRequired role="admin">
        Only admins apply routing configuration files. You can still read every provider, target and service in the inventory pages.
      </RoleRequired>
    );
  }
  return (
    <>
      <PageHeader
        title="Routing configuration"
        description={
          <>
            Providers, regions, targets with their breaker settings, and services with their failover chains, as one YAML file to keep in version control.
            Validate a file to see every problem or exactly what would change, then apply it in one transaction. The same file works from the command line
            (<Code>npm run standby -- config apply file.yaml --dry-run</Code>) and through <Code>POST /api/config</Code>.
          </>
        }
      />
      <Text size="sm" c="dimmed" mb="md">
        Entities are matched by name (regions by code): renaming one in the file creates a new one, and the old one is deleted only with Prune.
      </Text>
      <ConfigEditor />
    </>
  );
}
