import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui/page-header';
import { PaginationBar } from '@/components/ui/pagination-bar';
import { AuditFilters } from '@/components/audit/audit-filters';
import { AuditTable } from '@/components/audit/audit-table';
import { listAuditEntityTypes, listAuditEntries } from '@/lib/audit/data';
import { isFiltered, parseAuditFilters } from '@/lib/audit/schemas';
import { requirePageUser } from '@/lib/server/page-user';

export const metadata: Metadata = { title: 'Audit log' };

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageUser('audit.read');
  const entityTypes = await listAuditEntityTypes();
  const filters = parseAuditFilters(await searchParams, entityTypes);
  const page = await listAuditEntries(filters);
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change made in Standby: who made it, what it was before and after, and why. Entries cannot be edited or deleted. Times are UTC."
      />
      <AuditFilters entityTypes={entityTypes} />
      <AuditTable page={page} filtered={isFiltered(filters)} />
      <PaginationBar {...page} />
    </>
  );
}
