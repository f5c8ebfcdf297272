'use client';

import { Alert, Button, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';

export default function DashboardError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title="This page could not be loaded" role="alert">
      <Stack gap="sm" align="flex-start">
        <Text size="sm">
          Something went wrong while showing this page, and it has been logged. Try again; if it keeps failing, give the reference below to whoever runs Standby. When
          the control plane&apos;s database is unreachable, the banner at the top of the page says so, and the gateway keeps routing on its last configuration meanwhile.
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
