'use client';

import { useEffect, useState, useTransition } from 'react';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { Button, Group, Loader, Select, SimpleGrid, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { AUDIT_FILTER_KEYS, periodOf } from '@/lib/audit/schemas';

type FilterKey = (typeof AUDIT_FILTER_KEYS)[number];
type Values = Record<FilterKey, string>;

/** Audit filters kept in the URL, so a filtered view can be linked from an incident. */
export function AuditFilters({ entityTypes }: { entityTypes: string[] }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const [pending, startTransition] = useTransition();
  const [values, setValues] = useState(() => Object.fromEntries(AUDIT_FILTER_KEYS.map((key) => [key, params.get(key) ?? ''])) as Values);
  const [debounced] = useDebouncedValue(values, 300);

  useEffect(() => {
    if (AUDIT_FILTER_KEYS.every((key) => (params.get(key) ?? '') === debounced[key].trim())) return;
    const next = new URLSearchParams(params.toString());
    for (const key of AUDIT_FILTER_KEYS) {
      const value = debounced[key].trim();
      if (value) next.set(key, value);
      else next.delete(key);
    }
    next.delete('page');
    startTransition(() => router.replace(`${pathname}${next.size ? `?${next}` : ''}`));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debounced]);

  const set = (key: FilterKey) => (value: string | null) => setValues((current) => ({ ...current, [key]: value ?? '' }));
  const input = (key: FilterKey, label: string, placeholder: string) => (
    <TextInput label={label} placeholder={placeholder} value={values[key]} onChange={(event) => set(key)(event.currentTarget.value)} />
  );
  // From and To are typed in UTC, like every time on the page: a browser's date picker would show (and mean) its own zone and format.
  const time = (key: 'from' | 'to', label: string) => {
    const value = values[key].trim();
    return (
      <TextInput
        label={`${label} (UTC)`}
        placeholder="2026-12-07 14:30"
        value={values[key]}
        onChange={(event) => set(key)(event.currentTarget.value)}
        error={value && !periodOf(value) ? 'Write a UTC date, e.g. 2026-12-07 or 2026-12-07 14:30.' : undefined}
        inputMode="numeric"
        spellCheck={false}
      />
    );
  };
  const active = AUDIT_FILTER_KEYS.some((key) => values[key]);

  return (
    <>
      <SimpleGrid cols={{ base: 1, xs: 2, md: 3, xl: 6 }} spacing="sm">
        {input('actor', 'Actor', 'Email contains')}
        <Select label="Entity type" placeholder="Any" data={entityTypes} value={values.entityType || null} onChange={set('entityType')} clearable />
        {input('entity', 'Entity', 'Name or id contains')}
        {input('action', 'Action', 'e.g. rotate')}
        {time('from', 'From')}
        {time('to', 'To')}
      </SimpleGrid>
      <Group justify="flex-end" gap="xs" mih={34} my={4}>
        {pending && <Loader size="xs" aria-label="Loading" />}
        {active && (
          <Button size="xs" variant="subtle" onClick={() => setValues(Object.fromEntries(AUDIT_FILTER_KEYS.map((key) => [key, ''])) as Values)}>
            Clear filters
          </Button>
        )}
      </Group>
    </>
  );
}
