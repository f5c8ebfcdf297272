'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { Select } from '@mantine/core';

/** A list filter kept in the URL (?<param>=<value>), beside the search box of a ListToolbar. Changing it goes back to page 1. */
export function QuerySelect({ param, label, placeholder, data }: { param: string; label: string; placeholder: string; data: { value: string; label: string }[] }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();

  const onChange = (value: string | null) => {
    const next = new URLSearchParams(params.toString());
    if (value) next.set(param, value);
    else next.delete(param);
    next.delete('page');
    router.replace(`${pathname}${next.size ? `?${next}` : ''}`);
  };

  return (
    <Select
      aria-label={label}
      placeholder={placeholder}
      data={data}
      value={params.get(param)}
      onChange={onChange}
      clearable
      searchable
      w={220}
      maw="100%"
    />
  );
}
