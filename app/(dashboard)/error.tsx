'use client';

import { Alert, Button, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';

export default function DashboardError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title="This page could not be loaded" role="alert">
      <Stack gap="sm" align="flex-start">
        <Text size="sm">
          Standby could not read what this page needs. If the database is unreachable, the gateway keeps routing on its last configuration; this page will work again once it returns.
        </Text>
        {error.digest && (
          <Text size="xs" c="dimmed">
            Reference: {error.digest}
          </Text>
        )}
        <Button size="xs" variant="light" onClick={reset}>
          Try again
        </Button>
      </Stack>
    </Alert>
  );
}
