import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { Card, Group, SimpleGrid, Table, TableScrollContainer, TableTbody, TableTd, TableTh, TableThead, TableTr, Text, Title } from '@mantine/core';
import { BackupHowTo } from '@/components/backups/backup-howto';
import { BackupsTabs } from '@/components/backups/backups-tabs';
import { LinkForm, RegisterModelForm } from '@/components/backups/model-forms';
import { ModelsTable } from '@/components/backups/models-table';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { StatTile } from '@/components/ui/stat-tile';
import { getBackupsOverview } from '@/lib/backups/data';
import { formatBandwidth } from '@/lib/backups/estimate';
import { requirePageUser } from '@/lib/server/page-user';
import { hasPermission } from '@/lib/server/permissions';

export const metadata: Metadata = { title: 'Backups' };

export default async function BackupsPage() {
  const user = await requirePageUser('estate.read');
  const [overview, host] = await Promise.all([getBackupsOverview(), headers()]);
  const canWrite = hasPermission(user.role, 'backups.write');
  const origin = `${host.get('x-forwarded-proto') ?? 'http'}://${host.get('host') ?? 'localhost'}`;
  const { summary } = overview;
  return (
    <>
      <PageHeader
        title="Backups and state"
        description="Can each model be restored, whole, outside the region it serves from, within its RTO? A copy counts only when every part is in it (weights, tokenizer, config, chat template, prompts) with the checksums of what serves. Times are UTC."
        actions={canWrite ? <RegisterModelForm regions={overview.regions} /> : undefined}
      />
      <BackupsTabs current="/backups" />
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }} spacing="sm" mb="lg">
        <StatTile label="Restorable in time" testId="backups-protected" value={summary.protected} color={summary.protected === summary.models ? 'teal' : undefined} hint={`of ${summary.models} models`} />
        <StatTile label="Not restorable elsewhere" testId="backups-unprotected" value={summary.unprotected} color={summary.unprotected ? 'red' : 'teal'} hint="no complete copy outside the serving region" />
        <StatTile label="Slower than the RTO" testId="backups-slow" value={summary.slowerThanRto} color={summary.slowerThanRto ? 'orange' : 'teal'} hint="restore time above the serving RTO" />
        <StatTile label="Missed backups" testId="backups-overdue" value={summary.overdue} color={summary.overdue ? 'orange' : 'teal'} hint="late on schedule, or the deployed version has no copy" />
        <StatTile label="At risk" testId="backups-at-risk" value={summary.atRisk} color={summary.atRisk ? 'orange' : 'teal'} hint="restorable, but something needs doing" />
      </SimpleGrid>
      <Card withBorder radius="md" padding="md" mb="lg" component="section" aria-labelledby="models-title">
        <Title order={4} id="models-title" mb="sm">
          Models
        </Title>
        {overview.models.length === 0 ? (
          <EmptyState title="No models to back up yet">
            Every self-hosted target gets one within a minute of being added; models no target serves yet can be registered here. API models (OpenAI, Anthropic, …) are the provider&apos;s to keep.
          </EmptyState>
        ) : (
          <ModelsTable models={overview.models} />
        )}
      </Card>
      <Card withBorder radius="md" padding="md" mb="lg" component="section" aria-labelledby="links-title">
        <Group justify="space-between" mb="xs">
          <Title order={4} id="links-title">
            Bandwidth between regions
          </Title>
          {canWrite && <LinkForm regions={overview.regions} />}
        </Group>
        <Text size="xs" c="dimmed" mb="sm">
          What a restore transfers at, from where copies are to where a model serves. A timed restore&apos;s measure replaces what is declared here; without either, 1 Gbit/s is assumed and the page says so.
        </Text>
        {overview.links.length === 0 ? (
          <Text size="sm" c="dimmed">
            Nothing declared: every estimate assumes {formatBandwidth(1e9)}.
          </Text>
        ) : (
          <TableScrollContainer minWidth={600}>
            <Table verticalSpacing={6} data-testid="links-table">
              <TableThead>
                <TableTr>
                  <TableTh>From</TableTh>
                  <TableTh>To</TableTh>
                  <TableTh>Bandwidth</TableTh>
                  <TableTh>Note</TableTh>
                  <TableTh>Declared by</TableTh>
                  {canWrite && <TableTh />}
                </TableTr>
              </TableThead>
              <TableTbody>
                {overview.links.map((l) => (
                  <TableTr key={`${l.fromRegion}>${l.toRegion}`}>
                    <TableTd>{l.fromRegion}</TableTd>
                    <TableTd>{l.toRegion}</TableTd>
                    <TableTd ff="monospace">{formatBandwidth(l.bitsPerSecond)}</TableTd>
                    <TableTd>
                      <Text size="sm">{l.note || '—'}</Text>
                    </TableTd>
                    <TableTd>
                      <Text size="sm">{l.updatedBy}</Text>
                    </TableTd>
                    {canWrite && (
                      <TableTd>
                        <LinkForm regions={overview.regions} link={l} />
                      </TableTd>
                    )}
                  </TableTr>
                ))}
              </TableTbody>
            </Table>
          </TableScrollContainer>
        )}
      </Card>
      <Card withBorder radius="md" padding="md" component="section" aria-labelledby="howto-title">
        <Title order={4} id="howto-title" mb="sm">
          Reporting copies
        </Title>
        <BackupHowTo origin={origin} />
      </Card>
    </>
  );
}
