import type { Metadata } from 'next';
import { Paper, SimpleGrid, Text } from '@mantine/core';
import { LinkAnchor } from '@/components/ui/link-anchor';
import { PageHeader } from '@/components/ui/page-header';
import { countInventory } from '@/lib/inventory/data';
import { authorize } from '@/lib/server/auth';

export const metadata: Metadata = { title: 'Overview' };

export default async function OverviewPage() {
  await authorize('estate.read');
  const counts = await countInventory();
  const tiles = [
    { label: 'Services', value: counts.services, href: '/services', hint: 'names client applications call' },
    { label: 'Targets', value: `${counts.enabledTargets} / ${counts.targets}`, href: '/targets', hint: 'enabled / configured' },
    { label: 'Providers', value: counts.providers, href: '/providers', hint: 'LLM APIs and self-hosted clusters' },
    { label: 'Regions', value: counts.regions, href: '/regions', hint: 'where targets run' },
  ];
  return (
    <>
      <PageHeader title="Overview" description="The estate Standby protects. Live health, failover state and SLOs arrive with the gateway and health monitor." />
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
        {tiles.map((tile) => (
          <Paper key={tile.label} withBorder p="md" radius="md">
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              {tile.label}
            </Text>
            <Text fz={28} fw={700} data-testid={`count-${tile.label.toLowerCase()}`}>
              {tile.value}
            </Text>
            <LinkAnchor href={tile.href} size="sm">
              {tile.hint}
            </LinkAnchor>
          </Paper>
        ))}
      </SimpleGrid>
    </>
  );
}
