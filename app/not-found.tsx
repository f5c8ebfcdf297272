import type { Metadata } from 'next';
import { Button, Center, Group, Stack, Text, Title } from '@mantine/core';
import { IconShieldCheck } from '@tabler/icons-react';

export const metadata: Metadata = { title: 'Page not found' };

/** Any address Standby does not serve: said plainly, with the way back. */
export default function NotFound() {
  return (
    <Center mih="100vh" p="lg">
      <Stack align="center" gap="md" maw={460} ta="center">
        <Group gap="xs">
          <IconShieldCheck size={28} />
          <Text fw={700} size="lg">
            Standby
          </Text>
        </Group>
        <Title order={1} size="h2">
          Page not found
        </Title>
        <Text c="dimmed">
          Nothing lives at this address. It may have been mistyped, or what it showed (a service, a target) was renamed or deleted; the audit log says which.
        </Text>
        <Group>
          {/* Plain links: a server component cannot hand Next's Link to Mantine, and a full load is right after a wrong address. */}
          <Button component="a" href="/">
            Go to the overview
          </Button>
          <Button component="a" href="/audit" variant="default">
            Open the audit log
          </Button>
        </Group>
      </Stack>
    </Center>
  );
}
