import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Badge, Card, Code, Group, Spoiler, Stack, Table, TableScrollContainer, TableTbody, TableTd, TableTh, TableThead, TableTr, Text, Title } from '@mantine/core';
import { EpisodesTable } from '@/components/recovery/episodes-table';
import { ObjectiveForm } from '@/components/recovery/objective-form';
import { EmptyState } from '@/components/ui/empty-state';
import { LinkAnchor } from '@/components/ui/link-anchor';
import { PageHeader } from '@/components/ui/page-header';
import { hasState } from '@/lib/recovery/compliance';
import { getComponent, listEpisodes } from '@/lib/recovery/data';
import { formatSpan } from '@/lib/recovery/format';
import { COMPONENT_KIND_LABELS, defaultObjectives, DISRUPTIONS, DISRUPTION_LABELS, EVIDENCE_KIND_LABELS, STATEFUL_KINDS } from '@/lib/recovery/model';
import { periodFromSearch } from '@/lib/recovery/period';
import { requirePageUser } from '@/lib/server/page-user';
import { hasPermission } from '@/lib/server/permissions';
import { formatUtc } from '@/lib/shared/format';

export const metadata: Metadata = { title: 'Recovery component' };

type Params = { params: Promise<{ id: string }> };

export default async function ComponentPage({ params }: Params) {
  const user = await requirePageUser('estate.read');
  const component = await getComponent((await params).id);
  if (!component) notFound();
  const c = component;
  const { episodes, total } = await listEpisodes(periodFromSearch(undefined, 'rolling').period!, { componentId: c.id, limit: 20 });
  const canWrite = hasPermission(user.role, 'recovery.write') && !c.retiredAt;
  const templates = new Map(defaultObjectives(c.kind, { selfHosted: c.target?.provider.kind === 'self_hosted' }).map((t) => [t.disruption, t]));
  // Routing and API serving hold no data: a loss of data is not theirs to recover, so it is not offered.
  const unset = DISRUPTIONS.filter((d) => !c.objectives.some((o) => o.disruption === d) && (templates.has(d) || STATEFUL_KINDS.has(c.kind)));
  return (
    <>
      <LinkAnchor href="/recovery" size="sm">
        ← Recovery
      </LinkAnchor>
      <PageHeader
        title={c.name}
        description={
          <>
            {COMPONENT_KIND_LABELS[c.kind]}
            {c.service && (
              <>
                {' '}of <LinkAnchor href={`/services/${encodeURIComponent(c.service.name)}`}>{c.service.name}</LinkAnchor>
              </>
            )}
            {c.target && <> of target {c.target.name}</>}. {c.description}
            {c.retiredAt && ` Retired ${formatUtc(c.retiredAt, 'second')}: its service or target was deleted; its history stays for past reports.`}
          </>
        }
      />
      <Stack gap="lg">
        <Card withBorder radius="md" padding="md" component="section" aria-labelledby="objectives-title">
          <Title order={4} id="objectives-title" mb="sm">
            Objectives
          </Title>
          <TableScrollContainer minWidth={760}>
            <Table verticalSpacing={6} data-testid="objectives-table">
              <TableThead>
                <TableTr>
                  <TableTh>Disruption</TableTh>
                  <TableTh>RTO</TableTh>
                  <TableTh>RPO</TableTh>
                  <TableTh>Reason</TableTh>
                  <TableTh>Changed</TableTh>
                  <TableTh aria-label="Actions" />
                </TableTr>
              </TableThead>
              <TableTbody>
                {c.objectives.map((o) => (
                  <TableTr key={o.id} data-testid="objective-row" data-disruption={o.disruption}>
                    <TableTd>{DISRUPTION_LABELS[o.disruption]}</TableTd>
                    <TableTd ff="monospace">{formatSpan(o.rtoMs)}</TableTd>
                    <TableTd ff="monospace">{hasState(c.kind, o.disruption) ? formatSpan(o.rpoMs) : <Text span size="sm" c="dimmed">no state</Text>}</TableTd>
                    <TableTd>
                      <Text size="sm">{o.reason}</Text>
                      {o.versions.length > 1 && (
                        <Spoiler maxHeight={0} showLabel={`${o.versions.length - 1} earlier version${o.versions.length > 2 ? 's' : ''}`} hideLabel="Hide history">
                          {o.versions.slice(1).map((v) => (
                            <Text key={v.version} size="xs" c="dimmed">
                              v{v.version}: RTO {formatSpan(v.rtoMs)}, RPO {formatSpan(v.rpoMs)}, by {v.changedBy} on {formatUtc(v.changedAt, 'second')}: {v.reason}
                            </Text>
                          ))}
                        </Spoiler>
                      )}
                    </TableTd>
                    <TableTd>
                      <Text size="xs">v{o.version} by {o.updatedBy}</Text>
                      <Text size="xs" c="dimmed">
                        {formatUtc(o.updatedAt, 'second')}
                      </Text>
                    </TableTd>
                    <TableTd>
                      {canWrite && (
                        <ObjectiveForm componentId={c.id} componentName={c.name} disruption={o.disruption} current={o} suggested={o} stateful={hasState(c.kind, o.disruption)} />
                      )}
                    </TableTd>
                  </TableTr>
                ))}
              </TableTbody>
            </Table>
          </TableScrollContainer>
          {unset.length > 0 && (
            <Stack gap={6} mt="sm">
              <Text size="sm" c="dimmed">
                No objective for {unset.map((d) => DISRUPTION_LABELS[d].toLowerCase()).join(', ')}
                {unset.some((d) => templates.has(d)) ? ': a component of this kind is usually judged on it.' : '.'}
              </Text>
              {canWrite && (
                <Group gap="xs">
                  {unset.map((d) => (
                    <Group key={d} gap={4}>
                      <Text size="xs">{DISRUPTION_LABELS[d]}:</Text>
                      <ObjectiveForm componentId={c.id} componentName={c.name} disruption={d} current={null} suggested={templates.get(d) ?? { rtoMs: 300_000, rpoMs: 0 }} stateful={hasState(c.kind, d)} />
                    </Group>
                  ))}
                </Group>
              )}
            </Stack>
          )}
        </Card>
        <Card withBorder radius="md" padding="md" component="section" aria-labelledby="evidence-title">
          <Title order={4} id="evidence-title" mb="sm">
            Evidence reported
          </Title>
          {c.evidence.length === 0 ? (
            <EmptyState title="No evidence reported">
              {hasState(c.kind, 'data_loss') || c.kind === 'external'
                ? `Jobs report ${c.name}'s backups, replica lag and restore tests to POST /api/v1/recovery/evidence with "component": "${c.name}".`
                : 'Episodes in the gateway’s traffic and drills measure this component.'}
            </EmptyState>
          ) : (
            <TableScrollContainer minWidth={760}>
              <Table verticalSpacing={4} striped data-testid="evidence-table">
                <TableThead>
                  <TableTr>
                    <TableTh>Observed (UTC)</TableTh>
                    <TableTh>Kind</TableTh>
                    <TableTh>Result</TableTh>
                    <TableTh>Copy holds</TableTh>
                    <TableTh>Data at risk</TableTh>
                    <TableTh>Restore</TableTh>
                    <TableTh>Source</TableTh>
                  </TableTr>
                </TableThead>
                <TableTbody>
                  {c.evidence.map((e) => (
                    <TableTr key={e.id} id={`evidence-${e.id}`}>
                      <TableTd>
                        <LinkAnchor href={`/recovery/evidence/${e.id}`} size="sm" ff="monospace">
                          {formatUtc(e.observedAt, 'second').replace(' UTC', '')}
                        </LinkAnchor>
                      </TableTd>
                      <TableTd>{EVIDENCE_KIND_LABELS[e.kind]}</TableTd>
                      <TableTd>{e.ok ? <Badge size="xs" color="teal" variant="light">ok</Badge> : <Badge size="xs" color="red">failed</Badge>}</TableTd>
                      <TableTd ff="monospace">{e.copyAt ? formatUtc(e.copyAt, 'second').replace(' UTC', '') : '—'}</TableTd>
                      <TableTd ff="monospace">{formatSpan(e.rpoMs)}</TableTd>
                      <TableTd ff="monospace">{formatSpan(e.restoreMs)}</TableTd>
                      <TableTd>
                        <Code>{e.source}</Code>
                      </TableTd>
                    </TableTr>
                  ))}
                </TableTbody>
              </Table>
            </TableScrollContainer>
          )}
        </Card>
        <Card withBorder radius="md" padding="md" component="section" aria-labelledby="component-episodes-title">
          <Title order={4} id="component-episodes-title" mb="sm">
            Episodes in the last 90 days
          </Title>
          <EpisodesTable episodes={episodes} total={total} emptyText="Nothing disrupted this component in the last 90 days, or nothing measured it: a drill would." />
        </Card>
      </Stack>
    </>
  );
}
