'use client';

import { LiveDataAlert } from '@/components/ui/live-data-alert';
import { Alert, Badge, Card, Group, Paper, SimpleGrid, Skeleton, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { IconBellRinging } from '@tabler/icons-react';
import { useId } from 'react';
import { useQuery } from '@tanstack/react-query';

import { TimeAgo, TimeSince } from '@/components/health/relative-time';
import { UpdatedAgo } from '@/components/health/updated-ago';

import type { AlertView, ServiceSlo } from '@/lib/slo/data';
import { sloQueries } from '@/lib/slo/queries';
import type { SloStatus } from '@/lib/slo/status';
import { describeBudget, formatAttainment, formatBurn, formatTarget, NO_TRAFFIC } from './format';
import { BudgetBar, BurnFigure, describeRule, SEVERITY_COLORS, SloStateBadge } from './slo-parts';
import { formatDuration, formatUtc } from '@/lib/shared/format';

const percent = (rate: number | null) => (rate == null ? NO_TRAFFIC : `${(Math.round(rate * 10_000) / 100).toFixed(2)}%`);

function Stat({ label, children, hint }: { label: string; children: React.ReactNode; hint?: React.ReactNode }) {
  return (
    <Paper withBorder radius="md" p="sm">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600} mb={4}>
        {label}
      </Text>
      {children}
      {hint && (
        <Text size="xs" c="dimmed" mt={4}>
          {hint}
        </Text>
      )}
    </Paper>
  );
}

function Summary({ status }: { status: SloStatus }) {
  const days = `${status.windowDays} day${status.windowDays === 1 ? '' : 's'}`;
  return (
    <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="sm">
      <Stat label="Objective" hint={`Error budget: ${formatTarget(1 - status.sloTarget)} of requests may fail.`}>
        <Text fw={700} size="lg" data-testid="slo-target">
          {formatTarget(status.sloTarget)} over {days}
        </Text>
      </Stat>
      <Stat
        label={`Attainment, last ${days}`}
        hint={status.window.requests > 0 ? `${status.window.failures.toLocaleString('en-US')} of ${status.window.requests.toLocaleString('en-US')} requests failed.` : 'No requests in the window yet.'}
      >
        <Text fw={700} size="lg" c={status.meetsTarget == null ? 'dimmed' : status.meetsTarget ? 'teal' : 'red'} data-testid="slo-attainment">
          {formatAttainment(status.attainment)}
          {status.meetsTarget === false && (
            <Text span size="sm" fw={600}>
              {' '}
              below target
            </Text>
          )}
        </Text>
      </Stat>
      <Stat label="Error budget left" hint={describeBudget(status.budget, status.window.requests)}>
        <div data-testid="slo-budget">
          <BudgetBar fraction={status.budget.remainingFraction} tooFewRequests={status.budget.tooFewRequests} width={140} />
        </div>
      </Stat>
      <Stat label="Burn-rate alerts" hint={status.pressing ? `Nearest rule: ${status.pressing.ruleId}, burning ${formatBurn(status.pressing.burn)} against ${status.pressing.threshold}×.` : 'No rule has traffic in both its windows.'}>
        <SloStateBadge status={status} size="lg" />
      </Stat>
    </SimpleGrid>
  );
}

function BurnTable({ status }: { status: SloStatus }) {
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table verticalSpacing={6} aria-label="Burn rate per window">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Window</Table.Th>
            <Table.Th ta="right">Requests</Table.Th>
            <Table.Th ta="right">Failed</Table.Th>
            <Table.Th ta="right">Error rate</Table.Th>
            <Table.Th ta="right">
              <Tooltip label={`Error rate ÷ the ${formatTarget(1 - status.sloTarget)} the SLO allows: 1× spends the budget exactly over the SLO window.`} multiline maw={300}>
                <span>Burn rate</span>
              </Tooltip>
            </Table.Th>
            <Table.Th>Rules (long or short window)</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {status.windows.map((w) => (
            <Table.Tr key={w.window} data-testid={`burn-window-${w.window}`}>
              <Table.Td fw={600}>{w.label}</Table.Td>
              <Table.Td ta="right">{w.requests.toLocaleString('en-US')}</Table.Td>
              <Table.Td ta="right">{w.failures.toLocaleString('en-US')}</Table.Td>
              <Table.Td ta="right">{percent(w.errorRate)}</Table.Td>
              <Table.Td ta="right">
                <BurnFigure burn={w.burnRate} />
              </Table.Td>
              <Table.Td>
                <Group gap={4}>
                  {w.rules.map((r) => (
                    <Tooltip key={r.id} label={`${r.id}: the ${r.role} window; the rule fires when both its windows burn at ≥ ${r.threshold}×.`} multiline maw={280}>
                      <Badge size="sm" tt="none" color={r.firing ? SEVERITY_COLORS[r.severity] : 'gray'} variant={r.firing ? 'filled' : 'light'}>
                        {r.id} · {r.role} · ≥ {r.threshold}×{r.firing ? ' · firing' : ''}
                      </Badge>
                    </Tooltip>
                  ))}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function RulesTable({ status }: { status: SloStatus }) {
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table verticalSpacing={6} aria-label="Burn-rate alert rules">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Rule</Table.Th>
            <Table.Th>Fires when</Table.Th>
            <Table.Th ta="right">Long window</Table.Th>
            <Table.Th ta="right">Short window</Table.Th>
            <Table.Th>State</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {status.rules.map((rule) => (
            <Table.Tr key={rule.id} data-testid={`burn-rule-${rule.id}`}>
              <Table.Td ff="monospace" fz="sm">
                {rule.id}
              </Table.Td>
              <Table.Td fz="sm">{describeRule(rule)}</Table.Td>
              <Table.Td ta="right">
                <BurnFigure burn={rule.longBurn} threshold={rule.threshold} />
              </Table.Td>
              <Table.Td ta="right">
                <BurnFigure burn={rule.shortBurn} threshold={rule.threshold} />
              </Table.Td>
              <Table.Td>
                {rule.firing ? (
                  <Badge color={SEVERITY_COLORS[rule.severity]} variant="filled" size="sm">
                    firing
                  </Badge>
                ) : (
                  <Tooltip
                    label={`Fires only once each of its windows holds ${rule.minimumRequests.toLocaleString('en-US')} requests: enough that one failed request alone cannot reach ${rule.threshold}×.`}
                    multiline
                    maw={300}
                  >
                    <Text size="sm" c="dimmed" tabIndex={0}>
                      {rule.noTraffic ? 'no traffic' : rule.tooFewRequests ? `too few requests (needs ${rule.minimumRequests.toLocaleString('en-US')} a window)` : 'quiet'}
                    </Text>
                  </Tooltip>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function OpenAlerts({ alerts }: { alerts: AlertView[] }) {
  if (alerts.length === 0) return null;
  return (
    <Stack gap="xs">
      {alerts.map((a) => (
        <Alert
          key={a.id}
          color={SEVERITY_COLORS[a.severity]}
          variant="light"
          icon={<IconBellRinging size={18} />}
          title={`${a.severity === 'page' ? 'Page' : 'Ticket'}: ${a.rule} is firing`}
          data-testid="open-slo-alert"
        >
          <Text size="sm">
            Burning {formatBurn(a.longBurn)} over the long window and {formatBurn(a.shortBurn)} over the short one. Opened {formatUtc(a.openedAt)}{' '}
            <TimeSince iso={a.openedAt} />, last seen <TimeAgo iso={a.lastSeenAt} size="sm" />.
          </Text>
        </Alert>
      ))}
    </Stack>
  );
}

function RecentAlerts({ alerts }: { alerts: AlertView[] }) {
  if (alerts.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No burn-rate alert has fired and resolved for this service yet.
      </Text>
    );
  }
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table verticalSpacing={4} aria-label="Resolved burn-rate alerts">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Rule</Table.Th>
            <Table.Th>Severity</Table.Th>
            <Table.Th>Opened (UTC)</Table.Th>
            <Table.Th>Resolved (UTC)</Table.Th>
            <Table.Th ta="right">Lasted</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {alerts.map((a) => (
            <Table.Tr key={a.id}>
              <Table.Td ff="monospace" fz="sm">
                {a.rule}
              </Table.Td>
              <Table.Td>
                <Badge color={SEVERITY_COLORS[a.severity]} variant="light" size="sm">
                  {a.severity}
                </Badge>
              </Table.Td>
              <Table.Td fz="sm">{formatUtc(a.openedAt)}</Table.Td>
              <Table.Td fz="sm">{a.resolvedAt ? formatUtc(a.resolvedAt) : '—'}</Table.Td>
              <Table.Td ta="right" fz="sm">
                {a.resolvedAt ? formatDuration(Date.parse(a.resolvedAt) - Date.parse(a.openedAt)) : '—'}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function PanelSkeleton() {
  return (
    <Stack gap="sm" aria-busy="true" aria-label="Loading SLO">
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="sm">
        {[0, 1, 2, 3].map((i) => (
          <Skeleton key={i} height={92} radius="md" />
        ))}
      </SimpleGrid>
      <Skeleton height={220} radius="md" />
    </Stack>
  );
}

/**
 * The service page's SLO section: objective, attainment and error budget over
 * the SLO window, the burn rate of each alerting window with the rules it
 * serves, and open and recent burn-rate alerts. Refreshes every ten seconds;
 * `initial` is the server-rendered first paint from getServiceSlo.
 */
export function ServiceSloPanel({ serviceName, initial }: { serviceName: string; initial?: ServiceSlo }) {
  const query = useQuery({
    ...sloQueries.service(serviceName),
    initialData: initial,
    initialDataUpdatedAt: initial ? Date.parse(initial.generatedAt) : undefined,
  });
  const { data, error } = query;
  const headingId = useId();
  const failure = error && (
    <LiveDataAlert error={error} subject="SLO data" note={data && !error.isFinal && 'Showing the last figures received.'} />
  );

  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby={headingId} data-testid="service-slo-panel">
      <Group justify="space-between" align="center" mb="sm" wrap="wrap">
        <Title order={3} size="h4" id={headingId}>
          SLO and error budget
        </Title>
        {data && <UpdatedAgo updatedAt={query.dataUpdatedAt} fetching={query.isFetching} />}
      </Group>
      {!data ? (
        (failure ?? <PanelSkeleton />)
      ) : (
        <Stack gap="md">
          {failure}
          <OpenAlerts alerts={data.openAlerts} />
          <Summary status={data.status} />
          {data.status.window.requests === 0 && (
            <Text size="sm" c="dimmed">
              No requests have reached this service through the gateway in the last {data.status.windowDays} days, so there is nothing to measure yet: windows without traffic show {NO_TRAFFIC}, not a perfect score.
            </Text>
          )}
          <div>
            <Text size="sm" fw={600} mb={4}>
              Burn rate by window
            </Text>
            <BurnTable status={data.status} />
          </div>
          <div>
            <Text size="sm" fw={600} mb={4}>
              Alert rules
            </Text>
            <RulesTable status={data.status} />
          </div>
          <div>
            <Text size="sm" fw={600} mb={4}>
              Recent alerts
            </Text>
            <RecentAlerts alerts={data.recentAlerts} />
          </div>
          <Text size="xs" c="dimmed">
            Counts come from per-minute and per-hour rollups: each window covers whole minutes, so it can reach up to a minute further back than its length. Alerts are judged every 30 seconds.
          </Text>
        </Stack>
      )}
    </Card>
  );
}
