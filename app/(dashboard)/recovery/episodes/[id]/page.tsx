import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Badge, Card, Group, SimpleGrid, Stack, Table, TableTbody, TableTd, TableTr, Text, Title } from '@mantine/core';
import { describeCause, OPENED_BY } from '@/components/recovery/describe';
import { componentHref } from '@/components/recovery/links';
import { ReclassifyForm } from '@/components/recovery/reclassify-form';
import { RtoBar } from '@/components/recovery/rto-bar';
import { VerdictBadge } from '@/components/recovery/verdict-badge';
import { LinkAnchor } from '@/components/ui/link-anchor';
import { PageHeader } from '@/components/ui/page-header';
import { getEpisode } from '@/lib/recovery/data';
import { formatRatio, formatSpan } from '@/lib/recovery/format';
import { DISRUPTION_LABELS } from '@/lib/recovery/model';
import { bandOf, ratioOf } from '@/lib/recovery/verdict';
import { requirePageUser } from '@/lib/server/page-user';
import { hasPermission } from '@/lib/server/permissions';
import { formatUtc } from '@/lib/shared/format';

export const metadata: Metadata = { title: 'Disruption episode' };

type Params = { params: Promise<{ id: string }> };

export default async function EpisodePage({ params }: Params) {
  const user = await requirePageUser('estate.read');
  const episode = await getEpisode((await params).id);
  if (!episode) notFound();
  const e = episode;
  const since = (iso: string | null) => (iso ? `+${formatSpan(Date.parse(iso) - Date.parse(e.startedAt))}` : '');
  const timeline = [
    { label: 'Start', at: e.startedAt, what: `the first failed ${e.componentKind === 'model_serving' ? 'attempt or probe' : 'request or attempt'} of ${OPENED_BY[e.details.opened] ?? e.details.opened}` },
    { label: 'Detected', at: e.detectedAt, what: e.detectedAt ? `by ${describeCause(e.details.detectedBy, e.targetNames)}` : 'Standby raised nothing: no breaker opened and no alert fired' },
    { label: 'Assessed', at: e.assessedAt, what: e.incidentId ? 'incident acknowledged' : e.assessedAt ? `by ${describeCause(e.details.assessedBy, e.targetNames)}` : 'not needed: recovery was automatic' },
    { label: 'Activated', at: e.activatedAt, what: e.activatedAt ? describeCause(e.details.activatedBy, e.targetNames) : 'callers are still without an answer from elsewhere' },
    { label: 'Restored', at: e.restoredAt, what: e.restoredAt ? describeCause(e.details.restoredBy, e.targetNames) : 'not yet' },
  ];
  const ratio = e.rtoMs !== null && e.objective ? ratioOf(e.rtoMs, e.objective.rtoMs) : null;
  const classes = Object.entries(e.details.errorClasses ?? {}).sort((a, b) => b[1] - a[1]);
  return (
    <>
      <LinkAnchor href="/recovery" size="sm">
        ← Recovery
      </LinkAnchor>
      <PageHeader
        title={`${DISRUPTION_LABELS[e.disruption]}: ${e.componentName}`}
        description={`Started ${formatUtc(e.startedAt, 'second')}. ${e.componentKind === 'service_routing' ? 'RTO for routing runs from the start to activation: how long callers were without answers.' : 'RTO for model serving runs from the start to restoration: until the target itself served again.'}`}
        actions={
          <>
            <Badge color={e.status === 'open' ? 'red' : 'teal'} variant="light" size="lg">
              {e.status === 'open' ? 'open' : 'recovered'}
            </Badge>
            {e.source === 'drill' && (
              <Badge color="grape" variant="light" size="lg">
                drill
              </Badge>
            )}
            {hasPermission(user.role, 'recovery.write') && <ReclassifyForm episodeId={e.id} disruption={e.disruption} />}
          </>
        }
      />
      <Stack gap="lg">
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <Card withBorder radius="md" padding="md">
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              RTO measured
            </Text>
            <Text fz={28} fw={700} ff="monospace" data-testid="episode-rto">
              {e.rtoMs === null ? `${formatSpan(e.elapsedMs)} so far` : formatSpan(e.rtoMs)}
            </Text>
            <Group gap={6}>
              {e.objective ? (
                <>
                  <Text size="sm">objective {formatSpan(e.objective.rtoMs)}</Text>
                  {ratio !== null && <VerdictBadge verdict={bandOf(ratio)} />}
                  {ratio !== null && ratio >= 1 && (
                    <Text size="sm" c="red" fw={700}>
                      {formatRatio(ratio)}
                    </Text>
                  )}
                </>
              ) : (
                <Text size="sm" c="dimmed">
                  no objective for this disruption
                </Text>
              )}
            </Group>
          </Card>
          <Card withBorder radius="md" padding="md">
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              {e.componentKind === 'model_serving' ? 'Attempts failed' : 'Requests failed'}
            </Text>
            <Text fz={28} fw={700} data-testid="episode-failed">
              {e.failedRequests.toLocaleString('en-US')}
            </Text>
            <Text size="sm" c="dimmed">
              of {e.totalRequests.toLocaleString('en-US')} during the episode{e.componentKind === 'model_serving' ? ', probes included' : ''}
            </Text>
          </Card>
          <Card withBorder radius="md" padding="md">
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              Component
            </Text>
            <LinkAnchor href={componentHref(e.componentId)} fw={600}>
              {e.componentName}
            </LinkAnchor>
            {e.serviceName && (
              <Text size="sm">
                service <LinkAnchor href={`/services/${encodeURIComponent(e.serviceName)}`}>{e.serviceName}</LinkAnchor>
              </Text>
            )}
            {e.disruptionSetBy && (
              <Text size="xs" c="dimmed">
                classified by {e.disruptionSetBy}
              </Text>
            )}
          </Card>
        </SimpleGrid>
        <Card withBorder radius="md" padding="md" component="section" aria-labelledby="breakdown-title">
          <Title order={4} id="breakdown-title" mb="sm">
            {e.componentKind === 'service_routing' ? 'RTO = T_detect + T_assess + T_activate, then T_restore' : 'RTO = T_detect + T_assess + T_activate + T_restore'}
          </Title>
          <RtoBar parts={e.parts} kind={e.componentKind} width={560} showLegend />
          <Text size="xs" c="dimmed" mt="xs">
            Each part runs from the milestone before it. A milestone reached before the one ahead of it (the gateway answering from a fallback before the breaker opened) counts as reached with it, so the parts add up to the measured times.
            {e.componentKind === 'service_routing' && " Routing has recovered once callers are answered from elsewhere (activation): the failed target's restoration comes after its RTO."}
          </Text>
        </Card>
        <Card withBorder radius="md" padding="md" component="section" aria-labelledby="timeline-title">
          <Title order={4} id="timeline-title" mb="sm">
            Timeline
          </Title>
          <Table verticalSpacing={6} data-testid="episode-timeline">
            <TableTbody>
              {timeline.map((row) => (
                <TableTr key={row.label}>
                  <TableTd w={110}>
                    <Text fw={600} size="sm">
                      {row.label}
                    </Text>
                  </TableTd>
                  <TableTd w={230}>
                    <Text size="sm" ff="monospace">
                      {row.at ? formatUtc(row.at, 'second') : '—'}
                    </Text>
                  </TableTd>
                  <TableTd w={90}>
                    <Text size="sm" c="dimmed" ff="monospace">
                      {since(row.at)}
                    </Text>
                  </TableTd>
                  <TableTd>
                    <Text size="sm">{row.what}</Text>
                  </TableTd>
                </TableTr>
              ))}
            </TableTbody>
          </Table>
          <Group gap="lg" mt="sm">
            {e.details.failingTargets?.length > 0 && (
              <Text size="sm">
                Failing: {e.details.failingTargets.map((id) => e.targetNames[id] ?? id).join(', ')}
              </Text>
            )}
            {classes.length > 0 && (
              <Text size="sm" c="dimmed">
                Errors: {classes.map(([name, n]) => `${name} ${n.toLocaleString('en-US')}`).join(', ')}
              </Text>
            )}
          </Group>
        </Card>
      </Stack>
    </>
  );
}
