import type { Metadata } from 'next';
import { Alert, Code } from '@mantine/core';
import { IconRoute } from '@tabler/icons-react';
import { PageHeader } from '@/components/ui/page-header';
import { ListToolbar } from '@/components/ui/list-toolbar';
import { PaginationBar } from '@/components/ui/pagination-bar';
import { ServiceForm } from '@/components/inventory/service-form';
import { ServicesTable } from '@/components/inventory/services-table';
import { listServices } from '@/lib/inventory/data';
import { requirePageUser } from '@/lib/server/page-user';
import { canEditInventory } from '@/lib/server/permissions';
import { parseListQuery } from '@/lib/server/pagination';

export const metadata: Metadata = { title: 'Services' };

export default async function ServicesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageUser('estate.read');
  const query = parseListQuery(await searchParams);
  const page = await listServices(query);
  const canEdit = canEditInventory(user.role);
  return (
    <>
      <PageHeader
        title="Services"
        description={<>The names client applications call: each is the <Code>model</Code> value they send to the gateway.</>}
        actions={canEdit ? <ServiceForm mode="create" /> : null}
      />
      <Alert variant="light" color="gray" icon={<IconRoute size={18} />} mb="md" role="note">
        Open a service to see how it is routed now, edit its failover chain (which targets serve it, in what order) and steer its traffic.
      </Alert>
      <ListToolbar placeholder="Search name, description or owner" />
      <ServicesTable page={page} canEdit={canEdit} filtered={Boolean(query.q) || query.status !== 'all'} />
      <PaginationBar {...page} />
    </>
  );
}
