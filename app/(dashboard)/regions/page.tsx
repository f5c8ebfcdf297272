import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui/page-header';
import { ListToolbar } from '@/components/ui/list-toolbar';
import { PaginationBar } from '@/components/ui/pagination-bar';
import { RegionForm } from '@/components/inventory/region-form';
import { RegionsTable } from '@/components/inventory/regions-table';
import { listRegions } from '@/lib/inventory/data';
import { requirePageUser } from '@/lib/server/page-user';
import { canEditInventory } from '@/lib/server/permissions';
import { parseListQuery } from '@/lib/server/pagination';

export const metadata: Metadata = { title: 'Regions' };

export default async function RegionsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageUser('estate.read');
  const query = parseListQuery(await searchParams);
  const page = await listRegions(query);
  const canEdit = canEditInventory(user.role);
  return (
    <>
      <PageHeader
        title="Regions"
        description="Where targets run. A region groups targets that share a location, so an outage there is one failure."
        actions={canEdit ? <RegionForm mode="create" /> : null}
      />
      <ListToolbar placeholder="Search code, name or location" />
      <RegionsTable page={page} canEdit={canEdit} filtered={Boolean(query.q) || query.status !== 'all'} />
      <PaginationBar {...page} />
    </>
  );
}
