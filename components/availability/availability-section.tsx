// The service page's "Availability" section: a server component that reads its
// own data behind a Suspense boundary, so the rest of the page paints first
// and a failure here shows in this section instead of failing the page.
import { Suspense } from 'react';
import { Alert, Card, Skeleton, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { getServiceAvailability } from '@/lib/availability/data';
import { AvailabilityPanel } from './availability-panel';

function AvailabilitySkeleton() {
  return (
    <Stack gap="sm" aria-busy="true" aria-label="Loading availability">
      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
        {[0, 1, 2].map((i) => (
          <Skeleton key={i} height={104} radius="md" />
        ))}
      </SimpleGrid>
      <Skeleton height={160} radius="md" />
    </Stack>
  );
}

async function AvailabilityContent({ serviceName }: { serviceName: string }) {
  let view;
  try {
    view = await getServiceAvailability(serviceName);
  } catch (error) {
    console.error('[standby] availability of a service could not be read', { serviceName, error });
    return (
      <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title="Availability unavailable" role="alert">
        Standby could not read this service&apos;s history. Reload the page to try again.
      </Alert>
    );
  }
  if (!view) {
    return (
      <Text size="sm" c="dimmed">
        This service no longer exists.
      </Text>
    );
  }
  return <AvailabilityPanel view={view} />;
}

export function AvailabilitySection({ serviceName }: { serviceName: string }) {
  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="availability-title">
      <Title order={3} size="h4" id="availability-title">
        Availability
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        How available this service can be: its failover chain in parallel, targets that share a failure domain counted once, Standby in series, and the time every failure
        costs before traffic moves on.
      </Text>
      <Suspense fallback={<AvailabilitySkeleton />}>
        <AvailabilityContent serviceName={serviceName} />
      </Suspense>
    </Card>
  );
}
