import { Badge, Group, Table, TableScrollContainer, TableTbody, TableTd, TableTh, TableThead, TableTr, Text } from '@mantine/core';
import { formatUtc } from '@/lib/shared/format';
import { LinkAnchor } from '@/components/ui/link-anchor';
import { PhoneList, PhoneListItem } from '@/components/ui/phone-list';
import type { VersionRow } from '@/lib/config-history/data';
import { formatSpan } from '@/lib/recovery/format';

const who = (v: VersionRow) => (v.actorEmail === 'system' ? 'Standby' : v.actorEmail);
const when = (v: VersionRow) => formatUtc(v.createdAt).replace(' UTC', '');

/** The version's number, linking to its diff, and the section it is a version of. */
function VersionName({ v }: { v: VersionRow }) {
  return (
    <>
      <LinkAnchor href={`/backups/config/${v.id}`} fw={700} ff="monospace">
        v{v.number}
      </LinkAnchor>
      <Text size="xs" c="dimmed">
        {v.sectionTitle}
      </Text>
    </>
  );
}

/** A version not (yet) in git: waiting for the writer, or refused by the repository. */
function NotInGit({ v }: { v: VersionRow }) {
  return (
    <Text size="sm" c={v.gitError ? 'red' : 'orange'}>
      {v.gitError ? 'not written' : 'waiting'}
    </Text>
  );
}

/** Versions newest first: what changed, who, why, when, and where it is in git; on a phone, a few lines each. */
export function VersionsTable({ versions }: { versions: VersionRow[] }) {
  return (
    <>
      <PhoneList label="Configuration versions">
        {versions.map((v) => (
          <PhoneListItem key={v.id}>
            <Group justify="space-between" align="baseline" wrap="nowrap" gap="xs">
              <Group gap={6} align="baseline" wrap="nowrap">
                <VersionName v={v} />
              </Group>
              <Text size="xs" ff="monospace" c="dimmed">
                {when(v)} UTC
              </Text>
            </Group>
            <Text size="sm">{v.summary}</Text>
            {/* Beside the text, not in it: a Badge is a div, which a paragraph cannot hold (the browser would split it, and hydration fail). */}
            {v.restoredFrom && (
              <Badge size="xs" variant="light" color="grape">
                restores v{v.restoredFrom}
              </Badge>
            )}
            <Text size="xs" c="dimmed" lineClamp={2}>
              {who(v)}: {v.reason ?? 'no reason given'}
            </Text>
            {v.gitCommit ? (
              <Text size="xs" c="dimmed">
                git <Text span ff="monospace" inherit>{v.gitCommit.slice(0, 10)}</Text>
                {v.lagMs !== null ? `, ${formatSpan(v.lagMs)} after the change` : ''}
              </Text>
            ) : (
              <NotInGit v={v} />
            )}
          </PhoneListItem>
        ))}
      </PhoneList>
      <TableScrollContainer minWidth={960} visibleFrom="sm">
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
                  <VersionName v={v} />
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
                  <Text size="sm">{who(v)}</Text>
                  <Text size="xs" c="dimmed" lineClamp={2}>
                    {v.reason ?? 'no reason given'}
                  </Text>
                </TableTd>
                <TableTd>
                  <Text size="sm" ff="monospace">
                    {when(v)}
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
                    <NotInGit v={v} />
                  )}
                </TableTd>
              </TableTr>
            ))}
          </TableTbody>
        </Table>
      </TableScrollContainer>
    </>
  );
}
