import type { Metadata } from 'next';
import { NotBuilt } from '@/components/ui/not-built';

export const metadata: Metadata = { title: 'Drills' };

export default function Page() {
  return (
    <NotBuilt
      title="Drills"
      purpose="Prove recoverability: run failover and restore drills and keep their results."
      planned={[
        'Scheduled and ad-hoc drills against a service or component',
        'Results with measured RTO and RPO against targets',
        'Freshness: components whose last drill is older than a quarter',
      ]}
    />
  );
}
