import type { Metadata } from 'next';
import { Alert, Card, Code, Group, SimpleGrid, Text, Title } from '@mantine/core';
import { BackupsTabs } from '@/components/backups/backups-tabs';
import { VersionsTable } from '@/components/config-history/versions-table';
import { EmptyState } from '@/components/ui/empty-state';
import { LinkAnchor } from '@/components/ui/link-anchor';
import { PageHeader } from '@/components/ui/page-header';
import { StatTile } from '@/components/ui/stat-tile';
import { listConfigVersions } from '@/lib/config-history/data';
import { CONFIG_SECTIONS } from '@/lib/config-history/sections';
import { formatSpan } from '@/lib/recovery/format';
import { requirePageUser } from '@/lib/server/page-user';

export const metadata: Metadata = { title: 'Configuration history' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function ConfigHistoryPage({ searchParams }: Props) {
  await requirePageUser('estate.read');
  const query = await searchParams;
  const section = typeof query.section === 'string' && CONFIG_SECTIONS.some((s) => s.key === query.section) ? query.section : undefined;
  const before = typeof query.before === 'string' && /^\d+$/.test(query.before) ? Number(query.before) : undefined;
  const page = await listConfigVersions({ section, before, limit: 50 });
  const { repository } = page;
  const oldest = page.versions.at(-1)?.number;
  return (
    <>
      <PageHeader
        title="Backups and state"
        description="Every change to routing, degradation, settings and recovery objectives is a version (who, why, when), committed to a git repository outside the database: one commit per version, so the estate can be rebuilt from it into an empty Standby."
      />
      <BackupsTabs current="/backups/config" />
      <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm" mb="lg">
        <StatTile label="Versions" testId="config-versions" value={page.total} hint={section ? `of ${CONFIG_SECTIONS.find((s) => s.key === section)!.title.toLowerCase()}` : 'settings, routing, objectives'} />
        <StatTile
          label="In git within (median)"
          testId="config-lag"
          value={repository.lagP50Ms === null ? '—' : formatSpan(repository.lagP50Ms)}
          hint={repository.lagMaxMs === null ? 'nothing committed in 30 days' : `worst ${formatSpan(repository.lagMaxMs)} over ${repository.measured} changes in 30 days: the configuration's RPO`}
        />
        <StatTile label="Waiting for git" testId="config-pending" value={repository.pending} color={repository.failing ? 'red' : repository.pending ? 'orange' : 'teal'} hint={repository.failing ? 'the repository cannot be written' : 'committed within a second or so'} />
        <StatTile label="Newest commit" testId="config-commit" value={<Text ff="monospace" fz={20} fw={700}>{repository.newestCommit?.slice(0, 10) ?? '—'}</Text>} hint={`branch ${repository.branch}`} />
      </SimpleGrid>
      {repository.failing && (
        <Alert color="red" variant="light" mb="lg" title="Versions are not reaching the repository">
          {repository.failing} The versions are safe in the database and will be committed, in order, once it can be written.
        </Alert>
      )}
      <Card withBorder radius="md" padding="md" mb="lg" component="section" aria-labelledby="repo-title">
        <Title order={4} id="repo-title" mb="xs">
          Repository
        </Title>
        <Text size="sm">
          <Code>{repository.location}</Code> {repository.remote ? '(a remote: pushed after each commit)' : '(a local path: set STANDBY_CONFIG_REPO to a remote so it survives this machine)'}. Rebuild an empty Standby from it with{' '}
          <Code>npm run standby -- config rebuild {repository.location} --secrets secrets.env</Code>.
        </Text>
      </Card>
      <Card withBorder radius="md" padding="md" component="section" aria-labelledby="versions-title">
        <Group justify="space-between" mb="sm">
          <Title order={4} id="versions-title">
            Versions
          </Title>
          <Group gap="sm">
            <LinkAnchor href="/backups/config" size="sm" fw={section ? 400 : 700}>
              All
            </LinkAnchor>
            {CONFIG_SECTIONS.map((s) => (
              <LinkAnchor key={s.key} href={`/backups/config?section=${s.key}`} size="sm" fw={section === s.key ? 700 : 400}>
                {s.title}
              </LinkAnchor>
            ))}
          </Group>
        </Group>
        {page.versions.length === 0 ? (
          <EmptyState title="No version yet">History begins with the configuration as it is, within a minute of Standby starting; every change after that is a version.</EmptyState>
        ) : (
          <>
            <VersionsTable versions={page.versions} />
            {oldest !== undefined && oldest > 1 && page.versions.length === 50 && (
              <Group justify="flex-end" mt="sm">
                <LinkAnchor href={`/backups/config?${section ? `section=${section}&` : ''}before=${oldest}`} size="sm">
                  Older versions
                </LinkAnchor>
              </Group>
            )}
          </>
        )}
      </Card>
    </>
  );
}
