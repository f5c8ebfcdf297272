import type { Metadata } from 'next';
import { NotBuilt } from '@/components/ui/not-built';

export const metadata: Metadata = { title: 'Failover' };

export default function Page() {
  return (
    <NotBuilt
      title="Failover"
      purpose="Flip traffic between targets, pin or drain a target, and return to automatic routing."
      planned={[
        "Force failover to the next target in a service's chain, with a reason and an expiry",
        'Pin a service to one target, or drain a target of all traffic',
        'An impact preview: which targets take the traffic and their capacity against current load',
        'Every change audited and propagated to every gateway replica within a second',
      ]}
    />
  );
}
