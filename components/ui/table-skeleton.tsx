import { Skeleton, Stack } from '@mantine/core';

export function TableSkeleton({ title }: { title: string }) {
  return (
    <Stack gap="sm" aria-busy="true" aria-label={`Loading ${title}`}>
      <Skeleton height={32} width={200} />
      <Skeleton height={16} width={420} mb="md" />
      <Skeleton height={36} width={320} />
      {Array.from({ length: 8 }, (_, i) => (
        <Skeleton key={i} height={28} />
      ))}
    </Stack>
  );
}
