'use client';

import { Select } from '@mantine/core';
import { usePathname, useRouter } from 'next/navigation';

/** Chooses the period; the choice is in the URL, so a link shows the same figures later. */
export function PeriodSelect({ value, choices }: { value: string; choices: { value: string; label: string }[] }) {
  const router = useRouter();
  const pathname = usePathname();
  const data = choices.some((c) => c.value === value) ? choices : [...choices, { value, label: value }];
  return (
    <Select
      aria-label="Period"
      data={data}
      value={value}
      allowDeselect={false}
      w={190}
      onChange={(next) => next && router.push(next === '90d' ? pathname : `${pathname}?period=${encodeURIComponent(next)}`)}
      comboboxProps={{ withinPortal: true }}
    />
  );
}
