import { Badge } from '@mantine/core';
import { DRILL_STATUS_LABELS, type DrillStatus } from '@/lib/recovery/drill-freshness';

const FRESHNESS_COLORS: Record<DrillStatus, string> = { fresh: 'green', stale: 'yellow', unverified: 'orange', failed: 'red', halted: 'orange', never_run: 'gray' };
const RUN_COLORS: Record<string, string> = { scheduled: 'gray', running: 'blue', passed: 'green', failed: 'red', halted: 'orange', cancelled: 'gray' };

export function FreshnessBadge({ status }: { status: DrillStatus }) {
  return (
    <Badge color={FRESHNESS_COLORS[status]} variant="light" miw="max-content">
      {DRILL_STATUS_LABELS[status]}
    </Badge>
  );
}

export function RunStatusBadge({ status, measuring }: { status: string; measuring?: boolean }) {
  return (
    <Badge color={RUN_COLORS[status] ?? 'gray'} variant={status === 'running' ? 'filled' : 'light'} miw="max-content">
      {status === 'running' && measuring ? 'measuring' : status}
    </Badge>
  );
}
