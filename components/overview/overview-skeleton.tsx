import { SimpleGrid, Skeleton, Stack } from '@mantine/core';

/** What the Overview shows while its first read is in flight. */
export function OverviewSkeleton() {
  return (
    <Stack gap="lg" aria-busy="true" aria-label="Loading the overview">
      <Skeleton height={18} width={420} />
      <SimpleGrid cols={{ base: 1, xs: 2, lg: 4 }} spacing="sm">
        {[0, 1, 2, 3].map((i) => (
          <Skeleton key={i} height={96} radius="md" />
        ))}
      </SimpleGrid>
      <Stack gap={6}>
        <Skeleton height={24} width={160} />
        {Array.from({ length: 6 }, (_, i) => (
          <Skeleton key={i} height={44} />
        ))}
      </Stack>
    </Stack>
  );
}
