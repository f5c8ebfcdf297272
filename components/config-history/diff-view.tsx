import { Box, Table, TableScrollContainer, TableTbody, TableTd, TableTh, TableThead, TableTr, Text } from '@mantine/core';
import type { DiffRow } from '@/lib/config-history/line-diff';

const cell = { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12, whiteSpace: 'pre-wrap' as const, wordBreak: 'break-all' as const, verticalAlign: 'top' as const };
const number = { ...cell, color: 'var(--mantine-color-dimmed)', width: 44, textAlign: 'right' as const, userSelect: 'none' as const };
const REMOVED = 'var(--mantine-color-red-light)';
const ADDED = 'var(--mantine-color-green-light)';

/** Two versions of a file side by side: the older on the left; unchanged stretches folded. */
export function DiffView({ rows, left, right }: { rows: DiffRow[]; left: string; right: string }) {
  if (rows.every((r) => r.kind === 'skipped' || r.kind === 'same')) return <Text size="sm" c="dimmed">The two versions are the same.</Text>;
  return (
    <TableScrollContainer minWidth={860}>
      <Table withColumnBorders verticalSpacing={1} horizontalSpacing={6} data-testid="diff-view">
        <TableThead>
          <TableTr>
            <TableTh colSpan={2}>{left}</TableTh>
            <TableTh colSpan={2}>{right}</TableTh>
          </TableTr>
        </TableThead>
        <TableTbody>
          {rows.map((row, i) => {
            if (row.kind === 'skipped') {
              return (
                <TableTr key={i}>
                  <TableTd colSpan={4} style={{ ...cell, color: 'var(--mantine-color-dimmed)', textAlign: 'center' }}>
                    … {row.lines} unchanged line{row.lines === 1 ? '' : 's'} …
                  </TableTd>
                </TableTr>
              );
            }
            const leftText = row.kind === 'same' ? row.text : row.kind === 'changed' ? row.from : row.kind === 'removed' ? row.text : '';
            const rightText = row.kind === 'same' ? row.text : row.kind === 'changed' ? row.to : row.kind === 'added' ? row.text : '';
            const leftNo = row.kind === 'added' ? '' : row.left;
            const rightNo = row.kind === 'removed' ? '' : row.right;
            const leftBg = row.kind === 'removed' || row.kind === 'changed' ? REMOVED : undefined;
            const rightBg = row.kind === 'added' || row.kind === 'changed' ? ADDED : undefined;
            return (
              <TableTr key={i} data-kind={row.kind}>
                <TableTd style={{ ...number, background: leftBg }}>{leftNo}</TableTd>
                <TableTd style={{ ...cell, background: leftBg }}>
                  <Box component="span" aria-label={leftBg ? 'removed' : undefined}>
                    {leftText}
                  </Box>
                </TableTd>
                <TableTd style={{ ...number, background: rightBg }}>{rightNo}</TableTd>
                <TableTd style={{ ...cell, background: rightBg }}>
                  <Box component="span" aria-label={rightBg ? 'added' : undefined}>
                    {rightText}
                  </Box>
                </TableTd>
              </TableTr>
            );
          })}
        </TableTbody>
      </Table>
    </TableScrollContainer>
  );
}
