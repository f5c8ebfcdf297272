import { Badge, Table, TableScrollContainer, TableTbody, TableTd, TableTh, TableThead, TableTr, Text } from '@mantine/core';
import { formatUtc } from '@/lib/shared/format';
import { LinkAnchor } from '@/components/ui/link-anchor';
import type { VersionRow } from '@/lib/config-history/data';
import { formatSpan } from '@/lib/recovery/format';

/** Versions newest first: what changed, who, why, when, and where it is in git. */
export function VersionsTable({ versions }: { versions: VersionRow[] }) {
  return (
    <TableScrollContainer minWidth={960}>
      <Table verticalSpacing={8} striped highlightOnHover data-testid="versions-table">
        <TableThead>
          <TableTr>
            <TableTh>Version</TableTh>
            <TableTh>What changed</TableTh>
            <TableTh>Who and why</TableTh>
            <TableTh>When (UTC)</TableTh>
            <TableTh>In git</TableTh>
          </TableTr>
        </TableThead>
        <TableTbody>
          {versions.map((v) => (
            <TableTr key={v.id} data-testid="version-row">
              <TableTd>
                <LinkAnchor href={`/backups/config/${v.id}`} fw={700} ff="monospace">
                  v{v.number}
                </LinkAnchor>
                <Text size="xs" c="dimmed">
                  {v.sectionTitle}
                </Text>
              </TableTd>
              <TableTd maw={380}>
                <Text size="sm">{v.summary}</Text>
                {v.restoredFrom && (
                  <Badge size="xs" variant="light" color="grape">
                    restores v{v.restoredFrom}
                  </Badge>
                )}
              </TableTd>
              <TableTd maw={320}>
                <Text size="sm">{v.actorEmail === 'system' ? 'Standby' : v.actorEmail}</Text>
                <Text size="xs" c="dimmed" lineClamp={2}>
                  {v.reason ?? 'no reason given'}
                </Text>
              </TableTd>
              <TableTd>
                <Text size="sm" ff="monospace">
                  {formatUtc(v.createdAt).replace(' UTC', '')}
                </Text>
              </TableTd>
              <TableTd>
                {v.gitCommit ? (
                  <>
                    <Text size="sm" ff="monospace">
                      {v.gitCommit.slice(0, 10)}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {v.lagMs !== null ? `${formatSpan(v.lagMs)} after the change` : ''}
                    </Text>
                  </>
                ) : (
                  <Text size="sm" c={v.gitError ? 'red' : 'orange'}>
                    {v.gitError ? 'not written' : 'waiting'}
                  </Text>
                )}
              </TableTd>
            </TableTr>
          ))}
        </TableTbody>
      </Table>
    </TableScrollContainer>
  );
}
