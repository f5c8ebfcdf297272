import type { Metadata } from 'next';
import { NotBuilt } from '@/components/ui/not-built';

export const metadata: Metadata = { title: 'Degradation' };

export default function Page() {
  return (
    <NotBuilt
      title="Degradation"
      purpose="Keep answering with less when capacity is lost: Full, Degraded, Minimal and Emergency tiers per service."
      planned={[
        'Live degradation level D = available / required capacity per service',
        'Automatic tier changes with hysteresis, and operator overrides with reason and expiry',
        'Tier policies carried out by the gateway: smaller model, cached answers, maintenance message',
      ]}
    />
  );
}
