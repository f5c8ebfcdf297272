import type { Metadata } from 'next';
import { Suspense } from 'react';
import { Alert, Button, Card, Group, List, ListItem, Skeleton, Stack, Table, TableScrollContainer, TableTbody, TableTd, TableTh, TableThead, TableTr, Text, Title } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { ComplianceGrid } from '@/components/recovery/compliance-grid';
import { CopyLink } from '@/components/recovery/copy-link';
import { describeCause } from '@/components/recovery/describe';
import { EpisodesTable } from '@/components/recovery/episodes-table';
import { refHref } from '@/components/recovery/links';
import { PeriodSelect } from '@/components/recovery/period-select';
import { PostureList } from '@/components/recovery/posture-list';
import { RatioChart, VerdictChart, WeeklyChart } from '@/components/recovery/report-charts';
import { VerdictBadge } from '@/components/recovery/verdict-badge';
import { DrillCoverageSection } from '@/components/drills/drill-coverage';
import { EmptyState } from '@/components/ui/empty-state';
import { LinkAnchor } from '@/components/ui/link-anchor';
import { PageHeader } from '@/components/ui/page-header';
import { getRecoveryReport, getServiceTraffic } from '@/lib/recovery/data';
import { formatRatio, formatSpan } from '@/lib/recovery/format';
import { DISRUPTION_SHORT } from '@/lib/recovery/model';
import { periodFromSearch, type Period } from '@/lib/recovery/period';
import { describeEvidenceBreach, gridDigest } from '@/lib/recovery/report-pdf';
import { breachOf } from '@/lib/recovery/compliance';
import { requirePageUser } from '@/lib/server/page-user';
import { formatUtc } from '@/lib/shared/format';

export const metadata: Metadata = { title: 'Recovery report' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function RecoveryReportPage({ searchParams }: Props) {
  await requirePageUser('estate.read');
  // A quarter by default: what an audit asks for.
  const { period, choices } = periodFromSearch((await searchParams).period, 'quarter');
  if (!period) {
    return (
      <EmptyState title="No such period" action={<LinkAnchor href="/recovery/report">This quarter</LinkAnchor>}>
        Periods are a quarter (2026-Q3), 90d for the last 90 days, or two dates (2026-07-01..2026-08-15), and must have started.
      </EmptyState>
    );
  }
  const report = await getRecoveryReport(period);
  const s = report.summary;
  const query = `period=${encodeURIComponent(period.key)}`;
  return (
    <>
      <LinkAnchor href="/recovery" size="sm">
        ← Recovery
      </LinkAnchor>
      <PageHeader
        title={`Recovery report: ${report.period.label}`}
        description={`${formatUtc(report.period.from, 'second')} to ${formatUtc(report.period.to, 'second')}. The PDF and the CSV hold the figures of this page; the link keeps the period, so it shows the same figures later (objectives as they were then).`}
        actions={
          <>
            <PeriodSelect value={period.key} choices={choices} />
            <Button component="a" href={`/api/recovery/report/pdf?${query}`} leftSection={<IconDownload size={16} />} data-testid="download-pdf">
              PDF
            </Button>
            <Button component="a" href={`/api/recovery/report/csv?${query}`} variant="default" leftSection={<IconDownload size={16} />} data-testid="download-csv">
              CSV
            </Button>
          </>
        }
      />
      <Stack gap="lg">
        <Alert color={s.breached ? (s.critical ? 'red' : 'orange') : 'teal'} variant="light" title="Summary" data-testid="report-summary">
          <Text size="sm">
            {s.breached} of {s.cells} objectives breached ({s.critical} critical), {s.compliant} compliant, {s.unverified + s.noEvidence} unverified or without evidence, {s.atRisk} at risk by design. {s.episodes} disruption
            episode{s.episodes === 1 ? '' : 's'}
            {s.openEpisodes ? `, ${s.openEpisodes} still open` : ''}.
          </Text>
          <CopyLink path={`/recovery/report?${query}`} />
          <Text size="xs" c="dimmed" mt={4}>
            Grid SHA-256 {gridDigest(report)}: printed on every page of the PDF, the hash of the grid part of the CSV. For a period that has ended, the PDF and CSV of this link give the same hash whenever they are made; one still running changes as evidence arrives.
          </Text>
        </Alert>
        <Card withBorder radius="md" padding="md" component="section" aria-labelledby="charts-title">
          <Title order={4} id="charts-title" mb="sm">
            Verdicts, the worst against their objectives, and episodes per week
          </Title>
          <Stack gap="md">
            <VerdictChart components={report.components} />
            <RatioChart components={report.components} />
            <WeeklyChart weekly={report.weekly} from={report.period.from} to={report.period.to} />
          </Stack>
        </Card>
        <Card withBorder radius="md" padding="md" component="section" aria-labelledby="breaches-title">
          <Title order={4} id="breaches-title" mb="sm">
            Breaches and what was done
          </Title>
          {report.breaches.length === 0 ? (
            <Text size="sm" c="teal">
              No objective was breached in this period.
            </Text>
          ) : (
            <List spacing="xs" listStyleType="none" data-testid="breaches">
              {report.breaches.map((b) => (
                <ListItem key={`${b.componentName}-${b.disruption}`}>
                  <Group gap={6} wrap="nowrap" align="flex-start">
                    <VerdictBadge verdict={b.cell.verdict} size="xs" />
                    <Text size="sm">
                      <b>{b.componentName}</b>, {DISRUPTION_SHORT[b.disruption].toLowerCase()}: worst {formatRatio(b.cell.ratio)} the objective.{' '}
                      {b.episode ? (
                        <>
                          <LinkAnchor href={`/recovery/episodes/${b.episode.id}`} size="sm">
                            Episode of {formatUtc(b.episode.startedAt, 'second')}
                          </LinkAnchor>
                          : RTO {formatSpan(b.episode.rtoMs)} against {formatSpan(b.episode.objective?.rtoMs)}; {b.episode.assessedAt ? `assessed by ${describeCause(b.episode.details.assessedBy, b.episode.targetNames) || 'a person'}` : 'recovered automatically'}; {b.episode.status === 'open' ? 'still open' : `restored by ${describeCause(b.episode.details.restoredBy, b.episode.targetNames)}`}.
                        </>
                      ) : (
                        <LinkAnchor href={breachOf(b.cell).ref ? refHref(breachOf(b.cell).ref!) : '#'} size="sm">
                          {`${describeEvidenceBreach(b.cell).replace(/^./, (c) => c.toUpperCase())}.`}
                        </LinkAnchor>
                      )}
                    </Text>
                  </Group>
                </ListItem>
              ))}
            </List>
          )}
        </Card>
        <Card withBorder radius="md" padding="md" component="section" aria-labelledby="report-grid-title">
          <Title order={4} id="report-grid-title" mb="sm">
            Compliance grid
          </Title>
          <ComplianceGrid components={report.components} periodEnd={report.period.to} canWrite={false} />
        </Card>
        <Card withBorder radius="md" padding="md" component="section" aria-labelledby="report-episodes-title">
          <Title order={4} id="report-episodes-title" mb="sm">
            Episodes with their RTO breakdown
          </Title>
          <EpisodesTable episodes={report.episodes} total={report.episodesTotal} emptyText="No service or target was disrupted in this period, or nothing measured it." />
        </Card>
        <Card withBorder radius="md" padding="md" component="section" aria-labelledby="traffic-title">
          <Title order={4} id="traffic-title" mb="sm">
            Traffic through Standby
          </Title>
          <Suspense fallback={<Skeleton height={120} />}>
            <ReportTraffic period={period} />
          </Suspense>
        </Card>
        <DrillCoverageSection coverage={report.drills} />
        <Card withBorder radius="md" padding="md" component="section" aria-labelledby="report-posture-title">
          <Title order={4} id="report-posture-title" mb="sm">
            Posture per service: what to do
          </Title>
          <PostureList services={report.services} estate={report.estate} />
        </Card>
      </Stack>
    </>
  );
}

/** Requests per service over the period: half a million rollup rows a quarter for 200 services, so it streams in after the rest. */
async function ReportTraffic({ period }: { period: Period }) {
  const traffic = await getServiceTraffic(period);
  return (
    <TableScrollContainer minWidth={480}>
      <Table data-testid="report-traffic">
        <TableThead>
          <TableTr>
            <TableTh>Service</TableTh>
            <TableTh>Requests</TableTh>
            <TableTh>Failed</TableTh>
            <TableTh>Answered</TableTh>
          </TableTr>
        </TableThead>
        <TableTbody>
          {traffic.map((t) => (
            <TableTr key={t.serviceName}>
              <TableTd>{t.serviceName}</TableTd>
              <TableTd>{t.requests.toLocaleString('en-US')}</TableTd>
              <TableTd>{t.failures.toLocaleString('en-US')}</TableTd>
              <TableTd>{t.requests ? `${(((t.requests - t.failures) / t.requests) * 100).toFixed(3)}%` : '—'}</TableTd>
            </TableTr>
          ))}
        </TableTbody>
      </Table>
    </TableScrollContainer>
  );
}
