import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Alert, Card, Group, Progress, SimpleGrid, Stack, Table, TableScrollContainer, TableTbody, TableTd, TableTh, TableThead, TableTr, Text, Timeline, TimelineItem, Title } from '@mantine/core';
import { AutoRefresh } from '@/components/drills/auto-refresh';
import { RunStatusBadge } from '@/components/drills/drill-badges';
import { HaltButton } from '@/components/drills/run-controls';
import { LinkAnchor } from '@/components/ui/link-anchor';
import { PhoneList, PhoneListItem } from '@/components/ui/phone-list';
import { PageHeader } from '@/components/ui/page-header';
import { StatTile } from '@/components/ui/stat-tile';
import { getRun } from '@/lib/drills/data';
import { describeHalt } from '@/lib/drills/describe';
import { HALT_WINDOW_MS, type HaltConditions } from '@/lib/drills/halt';
import { FAULT_KIND_LABELS } from '@/lib/drills/schemas';
import { formatSpan } from '@/lib/recovery/format';
import { PART_LABELS, partsInRto } from '@/lib/recovery/rto-parts';
import { formatUtc } from '@/lib/shared/format';
import { requirePageUser } from '@/lib/server/page-user';
import { hasPermission } from '@/lib/server/permissions';

export const metadata: Metadata = { title: 'Drill run' };

const END_REASONS: Record<string, string> = { expired: 'at its lease deadline', halted: 'halted', stopped: 'stopped', cancelled: 'cancelled' };

export default async function DrillRunPage({ params }: { params: Promise<{ runId: string }> }) {
  const user = await requirePageUser('estate.read');
  const { runId } = await params;
  if (!/^[0-9a-f-]{36}$/i.test(runId)) notFound();
  const run = await getRun(runId);
  if (!run) notFound();
  const now = run.readAt;
  const running = run.status === 'running';
  const measuring = running && run.faultsEndedAt !== null;
  const start = run.startedAt?.getTime() ?? now;
  const end = run.faultsEndAt?.getTime() ?? now;
  const progress = running && !measuring ? Math.min(100, Math.max(0, ((now - start) / Math.max(1, end - start)) * 100)) : 100;
  const leftMs = Math.max(0, end - now);
  /** When and how a lease ended, or that it has not. */
  const leaseEnd = (f: (typeof run.faultLeases)[number]) =>
    f.endedAt ? `${formatUtc(f.endedAt, 'second')}, ${END_REASONS[f.endReason ?? ''] ?? f.endReason}` : f.expiresAt.getTime() <= now ? 'at its deadline (to be recorded)' : 'not yet: on now';
  const color = run.status === 'passed' ? 'green' : run.status === 'failed' ? 'red' : run.status === 'halted' ? 'orange' : 'blue';
  return (
    <>
      <AutoRefresh active={running} />
      <PageHeader
        title={`${run.plan.name}: run of ${run.startedAt ? formatUtc(run.startedAt, 'second') : 'a scheduled time'}`}
        description={`Drill of ${run.plan.component.name}. Started by ${run.startedBy ?? 'the schedule'}. Times are UTC.`}
        actions={
          <Group>
            <RunStatusBadge status={run.status} measuring={measuring} />
            {running && !measuring && hasPermission(user.role, 'drills.run') && <HaltButton runId={run.id} />}
            {run.incident && <LinkAnchor href={`/incidents/${run.incident.id}`}>Drill incident INC-{run.incident.number}</LinkAnchor>}
            <LinkAnchor href={`/drills/${run.plan.id}`}>The plan</LinkAnchor>
          </Group>
        }
      />
      <Stack gap="lg">
        {running && !measuring && (
          <Card withBorder radius="md" padding="md" component="section" aria-label="Progress">
            <Group justify="space-between" mb={6}>
              <Text size="sm" fw={600}>Faults on: {formatSpan(now - start)} of {formatSpan(end - start)}</Text>
              <Text size="sm" c="dimmed">They end in {formatSpan(leftMs)} on every replica, even if Standby or its database stops.</Text>
            </Group>
            <Progress value={progress} animated aria-label="Drill progress" />
          </Card>
        )}
        {measuring && <Alert color="blue" variant="light" title="Faults ended: measuring">The episode detector is measuring the disruption from the recorded traffic (it reads rows a few seconds old); the result follows within a minute.</Alert>}
        {run.verdict && !running && (
          <Alert color={color} variant="light" title={run.status === 'passed' ? 'Passed' : run.status === 'failed' ? 'Failed' : run.status === 'halted' ? 'Halted' : 'Cancelled'}>
            {run.verdict}
            {run.brokenPart && <Text size="sm" mt={4}>Part of the RTO that broke it: <b>{PART_LABELS[run.brokenPart as keyof typeof PART_LABELS]}</b>.</Text>}
          </Alert>
        )}
        <SimpleGrid cols={{ base: 2, sm: 4 }}>
          <StatTile testId="run-rto" label="Measured RTO" value={run.measuredRtoMs != null ? formatSpan(run.measuredRtoMs) : '–'} hint={run.objectiveRtoMs != null ? `Objective ${formatSpan(run.objectiveRtoMs)}` : 'No objective set'} color={run.measuredRtoMs != null && run.objectiveRtoMs != null ? (run.measuredRtoMs <= run.objectiveRtoMs ? 'green' : 'red') : undefined} />
          <StatTile testId="run-sent" label="Synthetic requests" value={run.syntheticSent} hint={`${run.syntheticFailed} failed (seen by the caller)`} />
          <StatTile testId="run-faults" label="Faults on" value={run.faultLeases.filter((f) => !f.endedAt && f.expiresAt.getTime() > now).length} hint={`of ${run.faultLeases.length}`} />
          <StatTile testId="run-halt" label="Halts when" value={<Text size="sm">{describeHalt(run.plan.haltConditions as HaltConditions)}</Text>} hint={`Checked twice a second over the last ${HALT_WINDOW_MS / 1000} s of the run`} />
        </SimpleGrid>
        {run.episode && (
          <Card withBorder radius="md" padding="md" component="section" aria-labelledby="episode-title">
            <Title order={4} id="episode-title" mb="xs">The episode, as the detector measured it</Title>
            <Text size="sm">
              {/* A drill measures routing, whose RTO ends when callers are answered from elsewhere (rto-parts.ts partsInRto). */}
              {(['tDetectMs', 'tAssessMs', 'tActivateMs', 'tRestoreMs'] as const).map((k) => `${PART_LABELS[k]} ${run.episode![k] == null ? '–' : formatSpan(run.episode![k])}${partsInRto('service_routing').includes(k) ? '' : ' (after the RTO)'}`).join(' · ')}
              {' · '}<LinkAnchor href={`/recovery/episodes/${run.episode.id}`}>Open the episode</LinkAnchor>
            </Text>
          </Card>
        )}
        <Card withBorder radius="md" padding="md" component="section" aria-labelledby="faults-title">
          <Title order={4} id="faults-title" mb="xs">Faults (leases)</Title>
          {/* On a phone each lease is a few lines; from sm up, the table. */}
          <PhoneList label="Faults (leases)">
            {run.faultLeases.map((f) => (
              <PhoneListItem key={f.id}>
                <Text size="sm" fw={600}>{FAULT_KIND_LABELS[f.kind]} <Text span size="sm" fw={400}>on {f.targetIds.map((t) => run.targetNames[t] ?? 'deleted target').join(', ')}</Text></Text>
                <Text size="xs" c="dimmed">
                  {f.drillOnly ? 'synthetic requests only' : `${Math.round(f.share * 100)}% of traffic`} · deadline {formatUtc(f.expiresAt, 'second')}
                </Text>
                <Text size="xs" c="dimmed">Ended: {leaseEnd(f)}</Text>
              </PhoneListItem>
            ))}
          </PhoneList>
          <TableScrollContainer minWidth={560} visibleFrom="sm">
            <Table verticalSpacing="xs">
              <TableThead><TableTr><TableTh>Fault</TableTh><TableTh>Targets</TableTh><TableTh>Whose traffic</TableTh><TableTh>Deadline</TableTh><TableTh>Ended</TableTh></TableTr></TableThead>
              <TableTbody>
                {run.faultLeases.map((f) => (
                  <TableTr key={f.id}>
                    <TableTd>{FAULT_KIND_LABELS[f.kind]}</TableTd>
                    <TableTd>{f.targetIds.map((t) => run.targetNames[t] ?? 'deleted target').join(', ')}</TableTd>
                    <TableTd>{f.drillOnly ? 'synthetic only' : `${Math.round(f.share * 100)}%`}</TableTd>
                    <TableTd>{formatUtc(f.expiresAt, 'second')}</TableTd>
                    <TableTd>{leaseEnd(f)}</TableTd>
                  </TableTr>
                ))}
              </TableTbody>
            </Table>
          </TableScrollContainer>
        </Card>
        <Card withBorder radius="md" padding="md" component="section" aria-labelledby="timeline-title">
          <Title order={4} id="timeline-title" mb="sm">Timeline</Title>
          {run.events.length === 0 ? <Text size="sm" c="dimmed">Nothing yet.</Text> : (
            <Timeline bulletSize={12} lineWidth={2}>
              {run.events.map((e) => (
                <TimelineItem key={String(e.id)} title={<Text size="sm" fw={600}>{formatUtc(e.at, 'second')} · {e.kind.replace(/_/g, ' ')}</Text>}>
                  <Text size="sm">{e.text}</Text>
                </TimelineItem>
              ))}
            </Timeline>
          )}
        </Card>
      </Stack>
    </>
  );
}
