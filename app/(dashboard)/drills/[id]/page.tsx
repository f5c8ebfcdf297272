import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Card, Group, SimpleGrid, Stack, Table, TableScrollContainer, TableTbody, TableTd, TableTh, TableThead, TableTr, Text, Title } from '@mantine/core';
import { RunStatusBadge } from '@/components/drills/drill-badges';
import { PlanForm } from '@/components/drills/plan-form';
import { ArchivePlanButton, RunNowButton } from '@/components/drills/run-controls';
import { LinkAnchor } from '@/components/ui/link-anchor';
import { PhoneList, PhoneListItem } from '@/components/ui/phone-list';
import { PageHeader } from '@/components/ui/page-header';
import { getPlan, planChecks, planChoices } from '@/lib/drills/data';
import { readDrillStates } from '@/lib/recovery/drill-states';
import { FreshnessBadge } from '@/components/drills/drill-badges';
import { describeHalt, describeFault, describeScope } from '@/lib/drills/describe';
import { formatSpan } from '@/lib/recovery/format';
import { DISRUPTION_LABELS } from '@/lib/recovery/model';
import { formatUtc } from '@/lib/shared/format';
import { requirePageUser } from '@/lib/server/page-user';
import { hasPermission } from '@/lib/server/permissions';

export const metadata: Metadata = { title: 'Drill' };

export default async function DrillPlanPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser('estate.read');
  const { id } = await params;
  if (!/^[0-9a-f-]{36}$/i.test(id)) notFound();
  const plan = await getPlan(id);
  if (!plan) notFound();
  const canRun = hasPermission(user.role, 'drills.run');
  const choices = canRun ? await planChoices() : null;
  const [scope, checks, [state]] = await Promise.all([describeScope(plan.scope), planChecks(plan), readDrillStates(undefined, [plan.id])]);
  const freshness = state?.freshness ?? null;
  const traffic = plan.trafficMode === 'synthetic' ? `only its own synthetic requests (${plan.syntheticRps}/s)` : `${Math.round(plan.trafficShare * 100)}% of real traffic`;
  const summary = `${plan.faults.map(describeFault).join(', ')} on ${scope} for ${traffic}, for ${formatSpan(plan.durationMs)} at most. Halts when ${describeHalt(plan.haltConditions)}.`;
  const running = plan.runs.find((r) => r.status === 'running');
  return (
    <>
      <PageHeader
        title={plan.name}
        description={plan.description || `${DISRUPTION_LABELS[plan.disruption]} of ${plan.component.service?.name ?? plan.component.name}.`}
        actions={
          canRun && choices && (
            <>
              <PlanForm choices={choices} plan={plan} />
              {running ? <LinkAnchor href={`/drills/runs/${running.id}`}>Watch the running drill</LinkAnchor> : <RunNowButton planId={plan.id} name={plan.name} summary={summary} />}
              {!running && <ArchivePlanButton planId={plan.id} version={plan.version} name={plan.name} />}
            </>
          )
        }
      />
      <Stack gap="lg">
        <Card withBorder radius="md" padding="md" component="section" aria-labelledby="plan-title">
          <Group justify="space-between" mb="sm">
            <Title order={4} id="plan-title">The plan</Title>
            {freshness && (
              <Group gap="xs">
                <FreshnessBadge status={freshness.status} />
                <Text size="sm">score {freshness.score}/100{freshness.ageDays !== null ? `, last result ${freshness.ageDays} days old` : ''}</Text>
              </Group>
            )}
          </Group>
          {freshness?.changes.length ? (
            <Text size="sm" c="orange" mb="sm">Unverified: changed since the last pass. {freshness.changes.join(' ')}</Text>
          ) : null}
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
            <Text size="sm"><b>Component:</b> {plan.component.name} · {DISRUPTION_LABELS[plan.disruption]}</Text>
            <Text size="sm"><b>Faults:</b> {plan.faults.map(describeFault).join(', ')}</Text>
            <Text size="sm"><b>Scope:</b> {scope}</Text>
            <Text size="sm"><b>Traffic:</b> {traffic}</Text>
            <Text size="sm"><b>Lease:</b> faults end after {formatSpan(plan.durationMs)} on every replica, whatever happens</Text>
            <Text size="sm"><b>Halts when:</b> {describeHalt(plan.haltConditions)}</Text>
            <Text size="sm"><b>Runbook:</b> {plan.runbook ? <LinkAnchor href={`/runbooks/${plan.runbook.id}`}>{plan.runbook.name}</LinkAnchor> : 'none named: the incident rules pick one by failure mode'}{plan.runbook?.archivedAt ? ' (archived)' : ''}</Text>
            <Text size="sm"><b>Notifications:</b> {plan.drillWebhook ? `only to the drill channel ${plan.drillWebhook.name}${plan.drillWebhook.disabledAt ? ' (disabled: nowhere)' : ''}` : 'nowhere (no drill channel)'}</Text>
            <Text size="sm"><b>Also checks:</b> {checks.length ? checks.join('; ') : 'nothing else: the service keeps no conversations and its targets in scope serve no model with backups'}</Text>
            <Text size="sm"><b>Schedule:</b> {plan.nextRunAt ? `${formatUtc(plan.nextRunAt)}${plan.recurrenceDays ? `, then every ${plan.recurrenceDays} days` : ', once'}` : 'not scheduled'} · stale after {plan.cadenceDays} days</Text>
          </SimpleGrid>
        </Card>
        <Card withBorder radius="md" padding="md" component="section" aria-labelledby="runs-title">
          <Title order={4} id="runs-title" mb="sm">Runs</Title>
          {plan.runs.length === 0 ? (
            <Text size="sm" c="dimmed">Never run. {canRun ? 'Run now starts it at once; its faults end at their lease whatever happens.' : ''}</Text>
          ) : (
            <>
              {/* On a phone each run is a few lines, its result in view; from sm up, the table. */}
              <PhoneList label="Runs">
                {plan.runs.map((r) => (
                  <PhoneListItem key={r.id}>
                    <Group justify="space-between" align="flex-start" wrap="nowrap" gap="xs">
                      <LinkAnchor href={`/drills/runs/${r.id}`} fw={600}>{r.startedAt ? formatUtc(r.startedAt, 'second') : 'scheduled'}</LinkAnchor>
                      <RunStatusBadge status={r.status} />
                    </Group>
                    <Text size="xs" c="dimmed">
                      {r.startedBy ?? 'the schedule'}{r.measuredRtoMs != null ? ` · RTO ${formatSpan(r.measuredRtoMs)} of ${formatSpan(r.objectiveRtoMs)}` : ''}
                    </Text>
                    {r.verdict && <Text size="xs" lineClamp={3}>{r.verdict}</Text>}
                  </PhoneListItem>
                ))}
              </PhoneList>
              <TableScrollContainer minWidth={640} visibleFrom="sm">
                <Table verticalSpacing="xs" striped>
                  <TableThead><TableTr><TableTh>Started</TableTh><TableTh>By</TableTh><TableTh>Result</TableTh><TableTh>Measured RTO</TableTh><TableTh>Verdict</TableTh></TableTr></TableThead>
                  <TableTbody>
                    {plan.runs.map((r) => (
                      <TableTr key={r.id}>
                        <TableTd><LinkAnchor href={`/drills/runs/${r.id}`}>{r.startedAt ? formatUtc(r.startedAt, 'second') : 'scheduled'}</LinkAnchor></TableTd>
                        <TableTd>{r.startedBy ?? '–'}</TableTd>
                        <TableTd><RunStatusBadge status={r.status} /></TableTd>
                        <TableTd>{r.measuredRtoMs != null ? `${formatSpan(r.measuredRtoMs)} of ${formatSpan(r.objectiveRtoMs)}` : '–'}</TableTd>
                        <TableTd><Text size="sm" lineClamp={2}>{r.verdict ?? '–'}</Text></TableTd>
                      </TableTr>
                    ))}
                  </TableTbody>
                </Table>
              </TableScrollContainer>
            </>
          )}
        </Card>
      </Stack>
    </>
  );
}
