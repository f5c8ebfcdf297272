import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Badge } from '@mantine/core';
import { AutoRefresh } from '@/components/simulator/auto-refresh';
import { TargetDetailView } from '@/components/inventory/target-detail';
import { LinkAnchor } from '@/components/ui/link-anchor';
import { PageHeader } from '@/components/ui/page-header';
import { RetirementsCard, RetireTargetButton } from '@/components/failover/retire-target';
import { getTargetDetail } from '@/lib/inventory/target-detail';
import { listRetirements, listSubstituteCandidates } from '@/lib/failover/retirement';
import { requirePageUser } from '@/lib/server/page-user';
import { hasPermission } from '@/lib/server/permissions';

type Params = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  return { title: decodeURIComponent((await params).name) };
}

export default async function TargetPage({ params }: Params) {
  const user = await requirePageUser('estate.read');
  const name = decodeURIComponent((await params).name);
  const detail = await getTargetDetail(name);
  if (!detail) notFound();
  const { target } = detail;
  const canSteer = hasPermission(user.role, 'failover.write');
  const [retirements, targets] = await Promise.all([listRetirements({ targetId: target.id }), canSteer ? listSubstituteCandidates() : Promise.resolve([])]);
  return (
    <>
      <AutoRefresh seconds={5} />
      <LinkAnchor href="/targets" size="sm">
        ← Targets
      </LinkAnchor>
      <PageHeader
        title={target.name}
        description={`${target.model} at ${target.provider.name}, in ${target.region.name} (${target.region.code}).`}
        actions={
          <>
            {!target.enabled && <Badge color="gray" variant="light">disabled</Badge>}
            {canSteer && <RetireTargetButton target={{ id: target.id, name: target.name, model: target.model }} targets={targets} />}
          </>
        }
      />
      <TargetDetailView detail={detail} />
      <div style={{ marginTop: 'var(--mantine-spacing-lg)' }}>
        <RetirementsCard retirements={retirements} canSteer={canSteer} />
      </div>
    </>
  );
}
