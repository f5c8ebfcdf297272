'use client';

import { Group, Loader, Text } from '@mantine/core';
import { formatAgo } from './format';
import { useNow } from './use-now';

/** "Last updated 3s ago", with a small spinner while the next poll is in flight. */
export function UpdatedAgo({ updatedAt, fetching }: { updatedAt: number; fetching: boolean }) {
  const now = useNow();
  return (
    <Group gap={6} wrap="nowrap">
      <Text size="xs" c="dimmed" data-testid="last-updated" aria-live="off">
        Last updated {updatedAt ? formatAgo(new Date(updatedAt).toISOString(), now) : 'never'}
      </Text>
      {/* The first client render starts a fetch the server never saw: no spinner until hydrated. */}
      <Loader size={10} type="oval" style={{ visibility: fetching && now != null ? 'visible' : 'hidden' }} aria-hidden />
    </Group>
  );
}
