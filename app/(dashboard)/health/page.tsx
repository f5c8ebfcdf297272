import type { Metadata } from 'next';
import { NotBuilt } from '@/components/ui/not-built';

export const metadata: Metadata = { title: 'Health' };

export default function Page() {
  return (
    <NotBuilt
      title="Health"
      purpose="Live health of every target, from real probes and real traffic."
      planned={[
        'Probe results per target: latency, time to first token, outcome and error class',
        'Circuit-breaker state and every transition with its cause',
        'Success rate and latency percentiles over recent windows',
      ]}
    />
  );
}
