import type { Metadata } from 'next';
import { RoutingOverviewTable } from '@/components/failover/routing-overview-table';
import { PageHeader } from '@/components/ui/page-header';
import { listRoutingOverview } from '@/lib/failover/data';
import { requirePageUser } from '@/lib/server/page-user';

export const metadata: Metadata = { title: 'Failover' };

export default async function FailoverPage() {
  await requirePageUser('estate.read');
  const rows = await listRoutingOverview();
  return (
    <>
      <PageHeader
        title="Failover"
        description="How every service is routed right now, as the gateway routes it: automatic, pinned, forced away from a target, or with nothing left to serve it. Open a service to steer it or edit its chain."
      />
      <RoutingOverviewTable rows={rows} />
    </>
  );
}
