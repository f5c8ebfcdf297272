import type { Metadata } from 'next';
import { Suspense } from 'react';
import { OverviewBoard } from '@/components/overview/overview-board';
import { OverviewSkeleton } from '@/components/overview/overview-skeleton';
import { PageHeader } from '@/components/ui/page-header';
import { getOverview } from '@/lib/overview/data';
import { requirePageUser } from '@/lib/server/page-user';

export const metadata: Metadata = { title: 'Overview' };

async function LiveOverview() {
  return <OverviewBoard initial={await getOverview()} />;
}

// The header paints at once; the board streams in behind a skeleton, then polls
// /api/live/overview every five seconds. A failed first read reaches the
// dashboard's error boundary; later failures are shown on the board itself.
export default async function OverviewPage() {
  await requirePageUser('estate.read');
  return (
    <>
      <PageHeader
        title="Overview"
        description="Where to look first: every service's degradation tier, the target serving it, its SLO and burn rate, open breakers, and what changed in the last hour. Refreshes every five seconds; times are UTC."
      />
      <Suspense fallback={<OverviewSkeleton />}>
        <LiveOverview />
      </Suspense>
    </>
  );
}
