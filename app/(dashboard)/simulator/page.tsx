import type { Metadata } from 'next';
import { Alert, Code, SimpleGrid, Stack, Text } from '@mantine/core';
import { IconFlask } from '@tabler/icons-react';
import { PageHeader } from '@/components/ui/page-header';
import { EmptyState } from '@/components/ui/empty-state';
import { AutoRefresh } from '@/components/simulator/auto-refresh';
import { DemoTrafficForm } from '@/components/simulator/demo-traffic-form';
import { UpstreamCard } from '@/components/simulator/upstream-card';
import { listServices } from '@/lib/inventory/data';
import { requirePageUser } from '@/lib/server/page-user';
import { hasPermission } from '@/lib/server/permissions';
import { targetsFedBySimulator } from '@/lib/simulator/impact';
import { readSimulatorStats } from '@/lib/simulator/stats';
import { getDemoTraffic, listSimulatedUpstreams } from '@/lib/simulator/store';
import { SIMULATED_UPSTREAMS } from '@/lib/simulator/upstreams';

export const metadata: Metadata = { title: 'Simulator' };

export default async function SimulatorPage() {
  const user = await requirePageUser('estate.read');
  const canEdit = hasPermission(user.role, 'failover.write');
  const [upstreams, traffic, services, fed] = await Promise.all([
    listSimulatedUpstreams(),
    getDemoTraffic(),
    listServices({ page: 1, status: 'all', q: undefined }),
    targetsFedBySimulator(),
  ]);
  const stats = readSimulatorStats();

  return (
    <>
      <AutoRefresh seconds={5} />
      <PageHeader
        title="Simulator"
        description="Local fake providers for the demo estate, speaking the OpenAI Chat Completions and Anthropic Messages APIs. Make one fail the way real providers do (errors, rate limits, slow or silent answers, cut streams) and watch the gateway fail over."
      />
      <Alert color="grape" variant="filled" icon={<IconFlask size={20} />} title="Simulated upstreams — demo only, no real provider is called" mb="lg" role="note">
        Everything on this page is served by Standby itself under <Code c="dark">/simulated/&lt;name&gt;/v1</Code>. Answers are canned text that names
        the simulated upstream and model; no prompt leaves this machine.
      </Alert>

      <Stack gap="lg">
        {!canEdit && (
          <Text size="sm" c="dimmed">
            Your role ({user.role}) can look but not change the simulator: operators, commanders and admins can.
          </Text>
        )}
        {stats === null && upstreams.length > 0 && (
          <Text size="sm" c="dimmed">
            Request counters appear once this Standby process serves the simulated upstreams.
          </Text>
        )}

        {upstreams.length === 0 ? (
          <EmptyState title="No simulated upstreams">
            The demo estate adds {SIMULATED_UPSTREAMS.length} of them ({SIMULATED_UPSTREAMS.map((u) => u.name).join(', ')}) when it is seeded: start
            Standby with npm run demo, or run npm run db:seed.
          </EmptyState>
        ) : (
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
            {upstreams.map((upstream) => (
              <UpstreamCard key={upstream.name} upstream={upstream} targets={fed.get(upstream.name) ?? []} counters={stats ? stats.upstreams[upstream.name] : null} canEdit={canEdit} />
            ))}
          </SimpleGrid>
        )}

        <DemoTrafficForm traffic={traffic} services={services.rows.map((s) => ({ name: s.name, enabled: s.enabled }))} canEdit={canEdit} />
      </Stack>
    </>
  );
}
