import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Badge, Stack } from '@mantine/core';
import { AvailabilitySection } from '@/components/availability/availability-section';
import { ServiceCharts } from '@/components/charts/service-charts';
import { ServiceTierPanel } from '@/components/degradation/service-tier-panel';
import { ServiceRouting } from '@/components/failover/service-routing';
import { ServiceLivePanel } from '@/components/health/service-live-panel';
import { ServiceSloPanel } from '@/components/slo/service-slo-panel';
import { LinkAnchor } from '@/components/ui/link-anchor';
import { PageHeader } from '@/components/ui/page-header';
import { getDegradedTargetOptions, getServiceDegradation } from '@/lib/degradation/data';
import { getChainTargetOptions, getServiceRouting } from '@/lib/failover/data';
import { getServiceChartData } from '@/lib/health/chart-data';
import { getServiceLive } from '@/lib/health/data';
import { getServiceSlo } from '@/lib/slo/data';
import { requirePageUser } from '@/lib/server/auth';
import { hasPermission } from '@/lib/server/permissions';

type Params = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  return { title: decodeURIComponent((await params).name) };
}

export default async function ServicePage({ params }: Params) {
  const user = await requirePageUser('estate.read');
  const name = decodeURIComponent((await params).name);
  const canSteer = hasPermission(user.role, 'failover.write');
  const [routing, options, live, slo, charts] = await Promise.all([getServiceRouting(name), canSteer ? getChainTargetOptions() : Promise.resolve([]), getServiceLive(name), getServiceSlo(name), getServiceChartData(name, 'auto')]);
  if (!routing) notFound();
  const [degradation, degradedTargets] = await Promise.all([getServiceDegradation(name), hasPermission(user.role, 'inventory.write') ? getDegradedTargetOptions() : Promise.resolve([])]);
  const { service } = routing;

  return (
    <>
      <LinkAnchor href="/services" size="sm">
        ← Services
      </LinkAnchor>
      <PageHeader
        title={service.name}
        description={
          <>
            {service.description || 'No description.'}
            {service.owner && <> Owner: {service.owner}.</>}
          </>
        }
        actions={!service.enabled ? <Badge color="gray" variant="light">disabled</Badge> : null}
      />
      <Stack gap="lg">
        <ServiceRouting initial={routing} canSteer={canSteer} options={options} />

        <section aria-label="Live health">
          <ServiceLivePanel serviceName={service.name} initial={live ?? undefined} />
        </section>

        {degradation && <ServiceTierPanel initial={degradation} targets={degradedTargets} canOverride={canSteer} canEditPolicy={hasPermission(user.role, 'inventory.write')} />}
        <ServiceSloPanel serviceName={service.name} initial={slo ?? undefined} />
        <ServiceCharts serviceName={service.name} initial={charts ?? undefined} />
        <AvailabilitySection serviceName={service.name} />
      </Stack>
    </>
  );
}
