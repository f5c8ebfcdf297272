import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui/page-header';
import { HealthOverview } from '@/components/health/health-overview';
import { getHealthOverview } from '@/lib/health/data';
import { requirePageUser } from '@/lib/server/page-user';

export const metadata: Metadata = { title: 'Health' };

// First paint from the server; the client view then polls /api/live/health every two seconds.
export default async function HealthPage() {
  await requirePageUser('estate.read');
  const overview = await getHealthOverview();
  return (
    <>
      <PageHeader
        title="Health"
        description="Every target's health from all it tells: its circuit breaker and which signals reach it, the probe that matters now, and its traffic's success rate and p95 latency over the last five minutes. Refreshes every two seconds; times are UTC."
      />
      <HealthOverview initial={overview} />
    </>
  );
}
