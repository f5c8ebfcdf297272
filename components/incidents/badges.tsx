import { Badge, type BadgeProps } from '@mantine/core';
import { SEVERITY_COLORS, STATUS_COLORS, STATUS_LABELS, type IncidentSeverity, type IncidentStatus } from '@/lib/incidents/model';

export function SeverityBadge({ severity, ...props }: { severity: IncidentSeverity } & BadgeProps) {
  return (
    <Badge color={SEVERITY_COLORS[severity]} variant={severity === 'P0' || severity === 'P1' ? 'filled' : 'light'} {...props} data-testid="severity-badge">
      {severity}
    </Badge>
  );
}

export function IncidentStatusBadge({ status, ...props }: { status: IncidentStatus } & BadgeProps) {
  return (
    <Badge color={STATUS_COLORS[status]} variant="light" {...props} data-testid="status-badge">
      {STATUS_LABELS[status]}
    </Badge>
  );
}
