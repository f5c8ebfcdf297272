import type { Metadata } from 'next';
import { NotBuilt } from '@/components/ui/not-built';

export const metadata: Metadata = { title: 'Recovery (RTO/RPO)' };

export default function Page() {
  return (
    <NotBuilt
      title="Recovery (RTO/RPO)"
      purpose="Recovery objectives per component and whether they are met."
      planned={[
        'RTO and RPO targets per component (API routing, conversation history, model serving, preferences)',
        'Measured recovery times from drills and incidents against those targets',
        'Compliance reports a manager can export',
      ]}
    />
  );
}
