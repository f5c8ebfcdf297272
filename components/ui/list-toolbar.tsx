'use client';

import { useEffect, useState, useTransition } from 'react';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { Group, Loader, SegmentedControl, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';

/** Search box and status filter kept in the URL (?q=&status=), so lists are linkable and server-rendered. */
export function ListToolbar({ placeholder, withStatus = true, children }: { placeholder: string; withStatus?: boolean; children?: React.ReactNode }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const [pending, startTransition] = useTransition();
  const [q, setQ] = useState(params.get('q') ?? '');
  const [debounced] = useDebouncedValue(q, 250);

  const navigate = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params.toString());
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    next.delete('page');
    startTransition(() => router.replace(`${pathname}${next.size ? `?${next}` : ''}`));
  };

  useEffect(() => {
    if ((params.get('q') ?? '') !== debounced) navigate({ q: debounced.trim() || null });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debounced]);

  return (
    <Group mb="md" gap="sm" wrap="wrap">
      <TextInput
        aria-label="Search"
        placeholder={placeholder}
        leftSection={<IconSearch size={16} />}
        rightSection={pending ? <Loader size="xs" /> : null}
        value={q}
        onChange={(event) => setQ(event.currentTarget.value)}
        w={320}
        maw="100%"
      />
      {withStatus && (
        <SegmentedControl
          aria-label="Status"
          value={params.get('status') ?? 'all'}
          onChange={(value) => navigate({ status: value === 'all' ? null : value })}
          data={[
            { label: 'All', value: 'all' },
            { label: 'Enabled', value: 'enabled' },
            { label: 'Disabled', value: 'disabled' },
          ]}
        />
      )}
      {children}
    </Group>
  );
}
