'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { Group, Pagination, Text } from '@mantine/core';

export function PaginationBar({ page, pageCount, total, pageSize }: { page: number; pageCount: number; total: number; pageSize: number }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <Group justify="space-between" mt="md">
      <Text size="sm" c="dimmed" data-testid="pagination-summary">
        {total === 0 ? 'No rows' : `Showing ${first}–${last} of ${total}`}
      </Text>
      {pageCount > 1 && (
        <Pagination
          total={pageCount}
          value={page}
          onChange={(next) => {
            const search = new URLSearchParams(params.toString());
            search.set('page', String(next));
            router.push(`${pathname}?${search}`);
          }}
          getControlProps={(control) => ({ 'aria-label': `${control} page` })}
        />
      )}
    </Group>
  );
}
