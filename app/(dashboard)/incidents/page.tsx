import type { Metadata } from 'next';
import { NotBuilt } from '@/components/ui/not-built';

export const metadata: Metadata = { title: 'Incidents' };

export default function Page() {
  return (
    <NotBuilt
      title="Incidents"
      purpose="Open, triage and run incidents from detection to post-mortem."
      planned={[
        'Incidents with priority P0 to P3, a timeline and the runbook being followed',
        'Events raised automatically from breakers and burn-rate alerts',
        'Post-mortems with measured time to detect and recover',
      ]}
    />
  );
}
