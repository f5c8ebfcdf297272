import { Badge, Table, TableScrollContainer, TableTbody, TableTd, TableTh, TableThead, TableTr, Text } from '@mantine/core';
import { EmptyState } from '@/components/ui/empty-state';
import { LinkAnchor } from '@/components/ui/link-anchor';
import type { EpisodeView } from '@/lib/recovery/data';
import { formatRatio, formatSpan } from '@/lib/recovery/format';
import { DISRUPTION_SHORT } from '@/lib/recovery/model';
import { bandOf, ratioOf } from '@/lib/recovery/verdict';
import { RtoBar } from './rto-bar';
import { VerdictBadge } from './verdict-badge';
import { formatUtc } from '@/lib/shared/format';

/** Episodes with their RTO against the objective and its parts; the worst against its objective first. */
export function EpisodesTable({ episodes, total, emptyText }: { episodes: EpisodeView[]; total: number; emptyText: string }) {
  if (episodes.length === 0) return <EmptyState title="No disruption episodes in this period">{emptyText}</EmptyState>;
  return (
    <>
      <TableScrollContainer minWidth={900}>
        <Table verticalSpacing={6} striped highlightOnHover data-testid="episodes-table">
          <TableThead>
            <TableTr>
              <TableTh>Started (UTC)</TableTh>
              <TableTh>Component</TableTh>
              <TableTh>Disruption</TableTh>
              <TableTh>RTO measured</TableTh>
              <TableTh>Objective</TableTh>
              <TableTh>Detect · assess · activate · restore</TableTh>
              <TableTh>Requests failed</TableTh>
            </TableTr>
          </TableThead>
          <TableTbody>
            {episodes.map((e) => {
              const ratio = e.rtoMs !== null && e.objective ? ratioOf(e.rtoMs, e.objective.rtoMs) : null;
              return (
                <TableTr key={e.id} data-testid="episode-row">
                  <TableTd>
                    <LinkAnchor href={`/recovery/episodes/${e.id}`} size="sm" ff="monospace">
                      {formatUtc(e.startedAt, 'second').replace(' UTC', '')}
                    </LinkAnchor>
                  </TableTd>
                  <TableTd>
                    <Text size="sm">{e.componentName}</Text>
                    {e.source === 'drill' && (
                      <Badge size="xs" variant="light" color="grape">
                        drill
                      </Badge>
                    )}
                  </TableTd>
                  <TableTd>
                    <Text size="sm">{DISRUPTION_SHORT[e.disruption]}</Text>
                  </TableTd>
                  <TableTd>
                    {e.rtoMs === null ? (
                      <Badge size="sm" color="red" variant="light">
                        ongoing
                      </Badge>
                    ) : (
                      <Text size="sm" ff="monospace" fw={600}>
                        {formatSpan(e.rtoMs)}
                      </Text>
                    )}
                  </TableTd>
                  <TableTd>
                    {e.objective ? (
                      <Text size="sm" component="div">
                        {formatSpan(e.objective.rtoMs)} {ratio !== null && <VerdictBadge verdict={bandOf(ratio)} size="xs" />} {ratio !== null && ratio >= 1 && <Text span size="xs" c="red" fw={700}>{formatRatio(ratio)}</Text>}
                      </Text>
                    ) : (
                      <Text size="sm" c="dimmed">none</Text>
                    )}
                  </TableTd>
                  <TableTd>
                    <RtoBar parts={e.parts} kind={e.componentKind} width={160} />
                  </TableTd>
                  <TableTd>
                    <Text size="sm">
                      {e.failedRequests.toLocaleString('en-US')} of {e.totalRequests.toLocaleString('en-US')}
                      {e.componentKind === 'model_serving' ? ' attempts' : ''}
                    </Text>
                  </TableTd>
                </TableTr>
              );
            })}
          </TableTbody>
        </Table>
      </TableScrollContainer>
      {total > episodes.length && (
        <Text size="xs" c="dimmed" mt={4}>
          Showing {episodes.length} of {total.toLocaleString('en-US')} episodes, the longest against their objective first. The CSV export lists them all.
        </Text>
      )}
    </>
  );
}
