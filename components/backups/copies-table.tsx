import { List, ListItem, Stack, Table, TableScrollContainer, TableTbody, TableTd, TableTh, TableThead, TableTr, Text } from '@mantine/core';
import type { CopyView } from '@/lib/backups/data';
import { formatBytes } from '@/lib/backups/estimate';
import { formatSpan } from '@/lib/recovery/format';
import { formatUtc } from '@/lib/shared/format';
import { VerifyCopyButton } from './model-forms';
import { RestorableBadge } from './verdict';

/** A model's copies, newest first, each with exactly what is missing or different. */
export function CopiesTable({ copies, servingRegion, canWrite }: { copies: CopyView[]; servingRegion: string; canWrite: boolean }) {
  return (
    <TableScrollContainer minWidth={960}>
      <Table verticalSpacing={8} striped data-testid="copies-table">
        <TableThead>
          <TableTr>
            <TableTh>Taken (UTC)</TableTh>
            <TableTh>Where</TableTh>
            <TableTh>Size</TableTh>
            <TableTh>Restorable</TableTh>
            <TableTh>Restore estimate</TableTh>
            <TableTh>Checked where it lives</TableTh>
          </TableTr>
        </TableThead>
        <TableTbody>
          {copies.map((c) => (
            <TableTr key={c.id} data-testid="copy-row">
              <TableTd>
                <Text size="sm" ff="monospace">
                  {formatUtc(c.takenAt).replace(' UTC', '')}
                </Text>
                <Text size="xs" c="dimmed">
                  by {c.source}
                </Text>
              </TableTd>
              <TableTd maw={320}>
                <Text size="sm" ff="monospace" style={{ wordBreak: 'break-all' }}>
                  {c.location}
                </Text>
                <Text size="xs" c={c.region === servingRegion ? 'orange' : 'dimmed'}>
                  {c.region}
                  {c.region === servingRegion ? ': the serving region, lost with it in a regional disaster' : ''}
                </Text>
              </TableTd>
              <TableTd>
                <Text size="sm">{formatBytes(c.sizeBytes)}</Text>
                <Text size="xs" c="dimmed">
                  {c.fileCount} files
                </Text>
              </TableTd>
              <TableTd maw={380}>
                <Stack gap={2}>
                  <RestorableBadge restorable={c.assessment.restorable} />
                  {c.assessment.problems.length > 0 && (
                    <List size="xs" spacing={0} c="red" data-testid="copy-problems">
                      {c.assessment.problems.slice(0, 6).map((p) => (
                        <ListItem key={`${p.path}/${p.message}`}>{p.message}</ListItem>
                      ))}
                      {c.assessment.problems.length > 6 && <ListItem>and {c.assessment.problems.length - 6} more</ListItem>}
                    </List>
                  )}
                  {c.assessment.notes.map((n) => (
                    <Text key={n} size="xs" c="dimmed">
                      {n}
                    </Text>
                  ))}
                </Stack>
              </TableTd>
              <TableTd>
                <Text size="sm" ff="monospace">
                  {c.estimateMs === null ? '—' : formatSpan(c.estimateMs)}
                </Text>
              </TableTd>
              <TableTd>
                <Stack gap={4} align="flex-start">
                  <Text size="xs" c={c.verifyProblems?.length ? 'red' : 'dimmed'}>
                    {c.verifiedAt ? `${formatUtc(c.verifiedAt)}: ${c.verifyProblems?.length ? `${c.verifyProblems.length} problem${c.verifyProblems.length === 1 ? '' : 's'}` : 'all there'}` : 'never'}
                  </Text>
                  {canWrite && <VerifyCopyButton copyId={c.id} />}
                </Stack>
              </TableTd>
            </TableTr>
          ))}
        </TableTbody>
      </Table>
    </TableScrollContainer>
  );
}
