'use client';

// Small SLO pieces shared by the service page's SLO panel and the Overview.
import { Badge, Group, Progress, Text, Tooltip } from '@mantine/core';
import { BURN_WINDOW_LABELS, type AlertSeverity, type BurnWindow } from '@/lib/slo/burn-rate';
import type { SloStatus } from '@/lib/slo/status';
import { budgetColor, formatBudgetShare, formatBurn } from './format';

export const SEVERITY_COLORS: Record<AlertSeverity, string> = { page: 'red', ticket: 'orange' };

/** "page-1h" → "Page: 14.4× over 1 hour and 5 min". */
export function describeRule(rule: { severity: AlertSeverity; threshold: number; longWindow: BurnWindow; shortWindow: BurnWindow }): string {
  return `${rule.severity === 'page' ? 'Page' : 'Ticket'} when ≥ ${rule.threshold}× over ${BURN_WINDOW_LABELS[rule.longWindow]} and ${BURN_WINDOW_LABELS[rule.shortWindow]}`;
}

/** Paging, ticket, within budget, or no traffic: the one-word SLO state. */
export function SloStateBadge({ status, size = 'sm' }: { status: Pick<SloStatus, 'firing' | 'window'>; size?: 'xs' | 'sm' | 'md' | 'lg' }) {
  if (status.firing) {
    return (
      <Badge color={SEVERITY_COLORS[status.firing]} variant="filled" size={size} miw="max-content" data-slo-state={status.firing}>
        {status.firing === 'page' ? 'Paging' : 'Ticket'}
      </Badge>
    );
  }
  if (status.window.requests === 0) {
    return (
      <Badge color="gray" variant="light" size={size} miw="max-content" data-slo-state="no-traffic">
        No traffic
      </Badge>
    );
  }
  return (
    <Badge color="teal" variant="light" size={size} miw="max-content" data-slo-state="ok">
      No burn alert
    </Badge>
  );
}

/** The share of the error budget left as a bar (empty once spent) and a figure; on thin traffic, that the sample is too small. */
export function BudgetBar({ fraction, tooFewRequests = false, width = 120 }: { fraction: number | null; tooFewRequests?: boolean; width?: number }) {
  if (tooFewRequests) {
    return (
      <Text size="sm" c="dimmed" data-budget="too-few">
        too few requests yet
      </Text>
    );
  }
  const value = fraction == null ? 0 : Math.max(0, Math.min(1, fraction)) * 100;
  return (
    <Group gap={8} wrap="nowrap">
      <Progress value={value} color={budgetColor(fraction)} w={width} size="md" aria-hidden />
      <Text size="sm" fw={600} c={fraction != null && fraction <= 0 ? 'red' : undefined} style={{ whiteSpace: 'nowrap' }}>
        {formatBudgetShare(fraction)}
      </Text>
    </Group>
  );
}

/** A burn rate, red once at or over the threshold it is judged against. */
export function BurnFigure({ burn, threshold, firing }: { burn: number | null; threshold?: number; firing?: boolean }) {
  const hot = firing || (threshold !== undefined && burn != null && burn >= threshold);
  const label =
    burn == null
      ? 'No requests in this window'
      : `The error budget is being spent ${formatBurn(burn)} as fast as the SLO allows${threshold !== undefined ? `; the rule fires at ${threshold}×` : ''}`;
  return (
    <Tooltip label={label} multiline maw={280}>
      <Text span size="sm" fw={hot ? 700 : undefined} c={hot ? 'red' : burn == null ? 'dimmed' : undefined} style={{ whiteSpace: 'nowrap' }}>
        {formatBurn(burn)}
      </Text>
    </Tooltip>
  );
}
