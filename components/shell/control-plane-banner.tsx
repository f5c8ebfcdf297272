'use client';

// Says plainly when this replica cannot reach its database: changes cannot be
// saved, while the gateway keeps routing on its last configuration.
import { useQuery } from '@tanstack/react-query';
import { Alert } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import type { HealthReport } from '@/lib/health/status';

export function ControlPlaneBanner() {
  const { data, isError } = useQuery({
    queryKey: ['health', 'replica'],
    queryFn: async (): Promise<HealthReport> => (await fetch('/api/health', { cache: 'no-store' })).json(),
    refetchInterval: 5_000,
    retry: false,
  });
  if (isError) {
    return (
      <Alert color="red" variant="filled" icon={<IconAlertTriangle size={18} />} title="Standby is unreachable" mb="md" role="alert">
        This page cannot reach Standby. What you see may be out of date.
      </Alert>
    );
  }
  if (!data || data.checks.database.status === 'ok') return null;
  const loadedAt = data.checks.gateway?.snapshotLoadedAt;
  return (
    <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title="Control plane degraded: database unreachable" mb="md" role="alert" data-testid="control-plane-degraded">
      Changes cannot be saved until PostgreSQL is back ({data.checks.database.error ?? 'no answer'}).
      {loadedAt
        ? ` The gateway keeps routing on the configuration it loaded at ${loadedAt.slice(11, 19)} UTC; ${data.checks.gateway?.bufferedRecords ?? 0} records wait to be written.`
        : ''}
    </Alert>
  );
}
