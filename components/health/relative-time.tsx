'use client';

import { Text, Tooltip, type TextProps } from '@mantine/core';

import { formatAgo } from './format';
import { useNow } from './use-now';
import { formatDuration, formatUtc } from '@/lib/shared/format';

/** "12s ago", ticking, with the UTC time in a tooltip. */
export function TimeAgo({ iso, ...props }: TextProps & { iso: string }) {
  const now = useNow();
  return (
    <Tooltip label={formatUtc(iso, 'second')}>
      <Text span size="sm" {...props}>
        {formatAgo(iso, now)}
      </Text>
    </Tooltip>
  );
}

/** "for 2m 13s" since a time (until the client clock runs: "since 14:02 UTC"). */
export function TimeSince({ iso, ...props }: TextProps & { iso: string }) {
  const now = useNow();
  return (
    <Tooltip label={`since ${formatUtc(iso, 'second')}`}>
      <Text span size="xs" c="dimmed" {...props}>
        {now == null ? `since ${formatUtc(iso)}` : `for ${formatDuration(now - Date.parse(iso))}`}
      </Text>
    </Tooltip>
  );
}
