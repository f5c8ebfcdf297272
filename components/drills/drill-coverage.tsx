import { Card, Table, TableScrollContainer, TableTbody, TableTd, TableTh, TableThead, TableTr, Text, Title } from '@mantine/core';
import { LinkAnchor } from '@/components/ui/link-anchor';
import type { DrillCoverage } from '@/lib/recovery/drill-states';
import { formatSpan } from '@/lib/recovery/format';
import { DISRUPTION_SHORT } from '@/lib/recovery/model';
import { formatUtc } from '@/lib/shared/format';
import { FreshnessBadge } from './drill-badges';

/** The compliance report's drill section: each plan's status and score, what changed since an unverified pass, and what was never drilled. */
export function DrillCoverageSection({ coverage }: { coverage: DrillCoverage }) {
  const { plans, never, score } = coverage;
  return (
    <Card withBorder radius="md" padding="md" component="section" aria-labelledby="report-drills-title">
      <Title order={4} id="report-drills-title" mb={4}>Drills: freshness and coverage</Title>
      <Text size="xs" c="dimmed" mb="sm">
        Score {score === null ? '–' : `${score}/100`}: 100 for a pass within its cadence, 75 within two, 50 within three, then 0; a pass the estate changed since counts at most 50; a failed, halted or missing drill 0.
      </Text>
      {plans.length === 0 ? <Text size="sm" c="dimmed">No drill is planned.</Text> : (
        <TableScrollContainer minWidth={640}>
          <Table verticalSpacing="xs" striped>
            <TableThead><TableTr><TableTh>Drill</TableTh><TableTh>Failure mode</TableTh><TableTh>Status</TableTh><TableTh>Score</TableTh><TableTh>Last result</TableTh></TableTr></TableThead>
            <TableTbody>
              {plans.map((p) => (
                <TableTr key={p.planId}>
                  <TableTd><LinkAnchor href={`/drills/${p.planId}`}>{p.planName}</LinkAnchor></TableTd>
                  <TableTd>{DISRUPTION_SHORT[p.disruption as keyof typeof DISRUPTION_SHORT]}</TableTd>
                  <TableTd><FreshnessBadge status={p.freshness.status} />{p.freshness.changes.map((c) => <Text key={c} size="xs" c="dimmed">{c}</Text>)}</TableTd>
                  <TableTd>{p.freshness.score}</TableTd>
                  <TableTd>{p.last ? `${formatUtc(p.last.finishedAt!)}${p.last.measuredRtoMs != null ? `, RTO ${formatSpan(p.last.measuredRtoMs)} of ${formatSpan(p.last.objectiveRtoMs)}` : ''}` : 'never run'}</TableTd>
                </TableTr>
              ))}
            </TableTbody>
          </Table>
        </TableScrollContainer>
      )}
      {never.length > 0 && <Text size="sm" mt="sm"><b>Never drilled:</b> {never.map((c) => c.name).join(', ')}</Text>}
    </Card>
  );
}
