'use client';

import { Button, CopyButton, Group, Text } from '@mantine/core';
import { IconCheck, IconLink } from '@tabler/icons-react';

/** The report's stable link: the period is in it, so it shows the same figures later. */
export function CopyLink({ path }: { path: string }) {
  const url = typeof window === 'undefined' ? path : `${window.location.origin}${path}`;
  return (
    <Group gap="xs" wrap="nowrap">
      <Text size="xs" c="dimmed" ff="monospace" style={{ wordBreak: 'break-all' }} data-testid="report-link">
        {path}
      </Text>
      <CopyButton value={url}>
        {({ copied, copy }) => (
          <Button size="compact-xs" variant="subtle" color={copied ? 'teal' : undefined} leftSection={copied ? <IconCheck size={12} /> : <IconLink size={12} />} onClick={copy}>
            {copied ? 'Copied' : 'Copy link'}
          </Button>
        )}
      </CopyButton>
    </Group>
  );
}
