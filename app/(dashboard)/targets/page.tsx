import type { Metadata } from 'next';
import { z } from 'zod';
import { PageHeader } from '@/components/ui/page-header';
import { ListToolbar } from '@/components/ui/list-toolbar';
import { PaginationBar } from '@/components/ui/pagination-bar';
import { QuerySelect } from '@/components/ui/query-select';
import { TargetForm } from '@/components/inventory/target-form';
import { TargetsTable } from '@/components/inventory/targets-table';
import { getTargetFormOptions, listTargets } from '@/lib/inventory/data';
import { requirePageUser } from '@/lib/server/page-user';
import { canEditInventory, canManageCredentials } from '@/lib/server/permissions';
import { parseListQuery } from '@/lib/server/pagination';

export const metadata: Metadata = { title: 'Targets' };

// A malformed id in the URL means "no filter", not a database error.
const idFilter = z.string().uuid().optional().catch(undefined);
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export default async function TargetsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageUser('estate.read');
  const params = await searchParams;
  const query = {
    ...parseListQuery(params),
    providerId: idFilter.parse(first(params.provider)),
    regionId: idFilter.parse(first(params.region)),
  };
  const [page, options] = await Promise.all([listTargets(query), getTargetFormOptions(canManageCredentials(user.role))]);
  const canEdit = canEditInventory(user.role);
  return (
    <>
      <PageHeader
        title="Targets"
        description="Model deployments Standby can route to: one model, at one provider, in one region, with its limits and prices."
        actions={canEdit ? <TargetForm mode="create" options={options} /> : null}
      />
      <ListToolbar placeholder="Search name, model, provider or region">
        <QuerySelect param="provider" label="Filter by provider" placeholder="All providers" data={options.providers.map((p) => ({ value: p.id, label: p.name }))} />
        <QuerySelect param="region" label="Filter by region" placeholder="All regions" data={options.regions.map((r) => ({ value: r.id, label: r.code }))} />
      </ListToolbar>
      <TargetsTable
        page={page}
        options={options}
        canEdit={canEdit}
        filtered={Boolean(query.q || query.providerId || query.regionId) || query.status !== 'all'}
      />
      <PaginationBar {...page} />
    </>
  );
}
