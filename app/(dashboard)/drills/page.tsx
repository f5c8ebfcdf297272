import type { Metadata } from 'next';
import { Card, Group, SimpleGrid, Stack, Table, TableScrollContainer, TableTbody, TableTd, TableTh, TableThead, TableTr, Text, Title } from '@mantine/core';
import { FreshnessBadge, RunStatusBadge } from '@/components/drills/drill-badges';
import { PlanForm } from '@/components/drills/plan-form';
import { EmptyState } from '@/components/ui/empty-state';
import { LinkAnchor } from '@/components/ui/link-anchor';
import { PhoneList, PhoneListItem } from '@/components/ui/phone-list';
import { PageHeader } from '@/components/ui/page-header';
import { StatTile } from '@/components/ui/stat-tile';
import { drillCoverage, planChoices } from '@/lib/drills/data';
import { DISRUPTION_SHORT } from '@/lib/recovery/model';
import { formatSpan } from '@/lib/recovery/format';
import { formatUtc } from '@/lib/shared/format';
import { requirePageUser } from '@/lib/server/page-user';
import { hasPermission } from '@/lib/server/permissions';

export const metadata: Metadata = { title: 'Drills' };

export default async function DrillsPage() {
  const user = await requirePageUser('estate.read');
  const canRun = hasPermission(user.role, 'drills.run');
  const [coverage, choices] = await Promise.all([drillCoverage(), canRun ? planChoices() : null]);
  const { plans, never, score } = coverage;
  const scheduled = plans.filter((p) => p.nextRunAt).sort((a, b) => a.nextRunAt!.getTime() - b.nextRunAt!.getTime());
  const count = (s: string) => plans.filter((p) => p.freshness.status === s).length;
  return (
    <>
      <PageHeader
        title="Drills"
        description="Rehearse a failure on the real traffic path: the gateway injects faults as leases that end at their deadline on every replica, halt conditions are checked twice a second, and the disruption is measured by the same detector as real outages and scored against the objective. Times are UTC."
        actions={choices && <PlanForm choices={choices} />}
      />
      <Stack gap="lg">
        <SimpleGrid cols={{ base: 2, sm: 5 }}>
          <StatTile testId="drill-score" label="Drill score" value={score === null ? '–' : `${score}/100`} hint="Mean over plans and never-drilled services" color={score === null ? undefined : score >= 75 ? 'green' : score >= 50 ? 'yellow' : 'red'} />
          <StatTile testId="drill-fresh" label="Passed, fresh" value={count('fresh')} hint="Within their cadence" color="green" />
          <StatTile testId="drill-stale" label="Stale or unverified" value={count('stale') + count('unverified')} hint="Older than the cadence, or the estate changed" color="yellow" />
          <StatTile testId="drill-failed" label="Failed or halted" value={count('failed') + count('halted')} hint="Last result" color="red" />
          <StatTile testId="drill-never" label="Never drilled" value={never.length} hint="Services with no finished drill" />
        </SimpleGrid>
        <Card withBorder radius="md" padding="md" component="section" aria-labelledby="plans-title">
          <Title order={4} id="plans-title" mb="sm">Drill plans</Title>
          {plans.length === 0 ? (
            <EmptyState title="No drill planned yet">
              {canRun ? 'Plan one with New drill: a service, the targets to fail, the fault, when to halt and when it runs.' : 'An operator plans drills; they appear here with their last result and freshness.'}
            </EmptyState>
          ) : (
            <>
              {/* On a phone each plan is a few lines, every figure of its row in view; from sm up, the table. */}
              <PhoneList label="Drill plans">
                {plans.map((p) => (
                  <PhoneListItem key={p.planId}>
                    <Group justify="space-between" align="flex-start" wrap="nowrap" gap="xs">
                      <LinkAnchor href={`/drills/${p.planId}`} fw={600}>{p.planName}</LinkAnchor>
                      {p.running ? <LinkAnchor href={`/drills/runs/${p.running.id}`}><RunStatusBadge status="running" /></LinkAnchor> : <FreshnessBadge status={p.freshness.status} />}
                    </Group>
                    <Text size="xs" c="dimmed">
                      Score {p.freshness.score} · {p.serviceName} · {DISRUPTION_SHORT[p.disruption as keyof typeof DISRUPTION_SHORT]}
                    </Text>
                    <Text size="xs" c="dimmed">
                      Last run {p.last ? <LinkAnchor href={`/drills/runs/${p.last.id}`} size="xs">{formatUtc(p.last.finishedAt!)}</LinkAnchor> : 'never'}
                      {p.last?.measuredRtoMs != null && ` · RTO ${formatSpan(p.last.measuredRtoMs)} of ${formatSpan(p.last.objectiveRtoMs)}`}
                      {` · next ${p.nextRunAt ? formatUtc(p.nextRunAt) : 'not scheduled'}`}
                    </Text>
                  </PhoneListItem>
                ))}
              </PhoneList>
              <TableScrollContainer minWidth={800} visibleFrom="sm">
                <Table verticalSpacing="xs" striped>
                  <TableThead>
                    <TableTr><TableTh>Drill</TableTh><TableTh>Status</TableTh><TableTh>Score</TableTh><TableTh>Service</TableTh><TableTh>Failure mode</TableTh><TableTh>Last run</TableTh><TableTh>Measured RTO</TableTh><TableTh>Next run</TableTh></TableTr>
                  </TableThead>
                  <TableTbody>
                    {plans.map((p) => (
                      <TableTr key={p.planId}>
                        <TableTd><LinkAnchor href={`/drills/${p.planId}`}>{p.planName}</LinkAnchor></TableTd>
                        <TableTd>{p.running ? <LinkAnchor href={`/drills/runs/${p.running.id}`}><RunStatusBadge status="running" /></LinkAnchor> : <FreshnessBadge status={p.freshness.status} />}</TableTd>
                        <TableTd>{p.freshness.score}</TableTd>
                        <TableTd>{p.serviceName}</TableTd>
                        <TableTd>{DISRUPTION_SHORT[p.disruption as keyof typeof DISRUPTION_SHORT]}</TableTd>
                        <TableTd>{p.last ? <LinkAnchor href={`/drills/runs/${p.last.id}`}>{formatUtc(p.last.finishedAt!)}</LinkAnchor> : 'never'}</TableTd>
                        <TableTd>{p.last?.measuredRtoMs != null ? `${formatSpan(p.last.measuredRtoMs)} of ${formatSpan(p.last.objectiveRtoMs)}` : '–'}</TableTd>
                        <TableTd>{p.nextRunAt ? formatUtc(p.nextRunAt) : 'not scheduled'}</TableTd>
                      </TableTr>
                    ))}
                  </TableTbody>
                </Table>
              </TableScrollContainer>
            </>
          )}
        </Card>
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <Card withBorder radius="md" padding="md" component="section" aria-labelledby="calendar-title">
            <Title order={4} id="calendar-title" mb="sm">Calendar of scheduled drills</Title>
            {scheduled.length === 0 ? (
              <Text size="sm" c="dimmed">Nothing scheduled. Give a plan its next run (and a repeat, e.g. every 90 days) in its editor.</Text>
            ) : (
              <Stack gap={6}>
                {scheduled.map((p) => (
                  <Text key={p.planId} size="sm">
                    <Text span fw={600}>{formatUtc(p.nextRunAt!)}</Text> · <LinkAnchor href={`/drills/${p.planId}`}>{p.planName}</LinkAnchor>
                    {p.recurrenceDays ? <Text span c="dimmed"> · every {p.recurrenceDays} days</Text> : <Text span c="dimmed"> · once</Text>}
                  </Text>
                ))}
              </Stack>
            )}
          </Card>
          <Card withBorder radius="md" padding="md" component="section" aria-labelledby="never-title">
            <Title order={4} id="never-title" mb="sm">Never drilled</Title>
            {never.length === 0 ? (
              <Text size="sm" c="dimmed">Every service&apos;s routing has at least one finished drill.</Text>
            ) : (
              <Stack gap={4}>
                {never.map((c) => <Text key={c.id} size="sm">{c.name}</Text>)}
              </Stack>
            )}
          </Card>
        </SimpleGrid>
      </Stack>
    </>
  );
}
