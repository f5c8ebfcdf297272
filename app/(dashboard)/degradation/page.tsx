import type { Metadata } from 'next';
import { DegradationOverview } from '@/components/degradation/degradation-overview';
import { PageHeader } from '@/components/ui/page-header';
import { getDegradationOverview } from '@/lib/degradation/data';
import { requirePageUser } from '@/lib/server/page-user';

export const metadata: Metadata = { title: 'Degradation' };

// First paint from the server; the client view then polls /api/live/degradation every two seconds.
export default async function DegradationPage() {
  await requirePageUser('estate.read');
  const overview = await getDegradationOverview();
  return (
    <>
      <PageHeader
        title="Degradation"
        description="Every service's tier, worst first. Requests the targets that can serve now have room for are always served normally; a tier is what the requests beyond that capacity get (Emergency: no target can serve). The planned capacity is shown as a risk, never used to refuse. Open a service to override its tier or edit its policy. Refreshes every two seconds; times are UTC."
      />
      <DegradationOverview initial={overview} />
    </>
  );
}
