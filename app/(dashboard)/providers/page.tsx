import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui/page-header';
import { ListToolbar } from '@/components/ui/list-toolbar';
import { PaginationBar } from '@/components/ui/pagination-bar';
import { ProviderForm } from '@/components/inventory/provider-form';
import { ProvidersTable } from '@/components/inventory/providers-table';
import { listProviders } from '@/lib/inventory/data';
import { requirePageUser } from '@/lib/server/page-user';
import { canEditInventory } from '@/lib/server/permissions';
import { parseListQuery } from '@/lib/server/pagination';

export const metadata: Metadata = { title: 'Providers' };

export default async function ProvidersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageUser('estate.read');
  const query = parseListQuery(await searchParams);
  const page = await listProviders(query);
  const canEdit = canEditInventory(user.role);
  return (
    <>
      <PageHeader
        title="Providers"
        description="The LLM APIs and self-hosted clusters targets call. Providers in one failure domain are treated as failing together."
        actions={canEdit ? <ProviderForm mode="create" /> : null}
      />
      <ListToolbar placeholder="Search name, failure domain or notes" />
      <ProvidersTable page={page} canEdit={canEdit} filtered={Boolean(query.q) || query.status !== 'all'} />
      <PaginationBar {...page} />
    </>
  );
}
