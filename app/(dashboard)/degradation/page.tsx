import type { Metadata } from 'next';
import { DegradationOverview } from '@/components/degradation/degradation-overview';
import { PageHeader } from '@/components/ui/page-header';
import { getDegradationOverview } from '@/lib/degradation/data';
import { authorize } from '@/lib/server/auth';

export const metadata: Metadata = { title: 'Degradation' };

// First paint from the server; the client view then polls /api/live/degradation every two seconds.
export default async function DegradationPage() {
  await authorize('estate.read');
  const overview = await getDegradationOverview();
  return (
    <>
      <PageHeader
        title="Degradation"
        description="Every service's tier, worst first. D is the capacity of the targets that can take traffic now (not drained, breaker not open) over the capacity the service requires; below its thresholds the service steps down from Full to Degraded, Minimal and Emergency, and climbs back only once D has held. Open a service to override its tier or edit its policy. Refreshes every two seconds; times are UTC."
      />
      <DegradationOverview initial={overview} />
    </>
  );
}
