import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Badge, Stack } from '@mantine/core';
import { AvailabilitySection } from '@/components/availability/availability-section';
import { ServiceCharts, ServiceChartsProvider, ServiceHistory } from '@/components/charts/service-charts';
import { ServiceTierPanel } from '@/components/degradation/service-tier-panel';
import { ServiceRouting } from '@/components/failover/service-routing';
import { ServiceLivePanel } from '@/components/health/service-live-panel';
import { ServiceSloPanel } from '@/components/slo/service-slo-panel';
import { LinkAnchor } from '@/components/ui/link-anchor';
import { PageHeader } from '@/components/ui/page-header';
import { PageSection, SectionNav } from '@/components/ui/page-sections';
import { getDegradedTargetOptions, getServiceDegradation } from '@/lib/degradation/data';
import { getChainTargetOptions, getServiceRouting } from '@/lib/failover/data';
import { getServiceChartData } from '@/lib/health/chart-data';
import { getServiceLive } from '@/lib/health/data';
import { getServiceSlo } from '@/lib/slo/data';
import { requirePageUser } from '@/lib/server/page-user';
import { hasPermission } from '@/lib/server/permissions';

type Params = { params: Promise<{ name: string }> };

/** The service page in the order an operator reads it during an incident: what routes, how it is doing, what it sheds, its objectives, what changed. */
const SECTIONS = [
  { id: 'routing', title: 'Routing and chain' },
  { id: 'health', title: 'Health and traffic' },
  { id: 'degradation', title: 'Degradation' },
  { id: 'slo', title: 'SLO' },
  { id: 'availability', title: 'Availability' },
  { id: 'history', title: 'History' },
];

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
      <SectionNav label={`Sections of ${service.name}`} sections={SECTIONS} />
      <Stack gap={40}>
        <PageSection id="routing" title="Routing and chain">
          <ServiceRouting initial={routing} canSteer={canSteer} options={options} />
        </PageSection>
        <ServiceChartsProvider serviceName={service.name} initial={charts ?? undefined}>
          <PageSection id="health" title="Health and traffic">
            <ServiceLivePanel serviceName={service.name} initial={live ?? undefined} />
            <ServiceCharts />
          </PageSection>
          {degradation && (
            <PageSection id="degradation" title="Degradation">
              <ServiceTierPanel initial={degradation} targets={degradedTargets} canOverride={canSteer} canEditPolicy={hasPermission(user.role, 'inventory.write')} />
            </PageSection>
          )}
          <PageSection id="slo" title="SLO">
            <ServiceSloPanel serviceName={service.name} initial={slo ?? undefined} />
          </PageSection>
          <PageSection id="availability" title="Availability">
            <AvailabilitySection serviceName={service.name} />
          </PageSection>
          <PageSection id="history" title="History">
            <ServiceHistory />
          </PageSection>
        </ServiceChartsProvider>
      </Stack>
    </>
  );
}
