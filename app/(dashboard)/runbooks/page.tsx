import type { Metadata } from 'next';
import { NotBuilt } from '@/components/ui/not-built';

export const metadata: Metadata = { title: 'Runbooks' };

export default function Page() {
  return (
    <NotBuilt
      title="Runbooks"
      purpose="Step-by-step recovery procedures an incident commander can follow."
      planned={[
        'Runbooks with ordered steps, owners and expected durations',
        'Linking runbooks to the failure modes and services they cover',
      ]}
    />
  );
}
