import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Badge, Button, Card, Group, NativeSelect, Stack, Text, Title } from '@mantine/core';
import { BackupsTabs } from '@/components/backups/backups-tabs';
import { DiffView } from '@/components/config-history/diff-view';
import { RestoreVersionButton } from '@/components/config-history/restore-version';
import { formatUtc } from '@/lib/shared/format';
import { LinkAnchor } from '@/components/ui/link-anchor';
import { PageHeader } from '@/components/ui/page-header';
import { getConfigVersion } from '@/lib/config-history/data';
import { formatSpan } from '@/lib/recovery/format';
import { requirePageUser } from '@/lib/server/page-user';
import { hasPermission } from '@/lib/server/permissions';

export const metadata: Metadata = { title: 'Configuration version' };

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function ConfigVersionPage({ params, searchParams }: Props) {
  const user = await requirePageUser('estate.read');
  const against = (await searchParams).against;
  const detail = await getConfigVersion((await params).id, typeof against === 'string' ? against : null);
  if (!detail) notFound();
  const { version: v } = detail;
  const canRestore = hasPermission(user.role, 'settings.write');
  const label = (n: number, at: string) => `v${n} · ${formatUtc(at)}`;
  return (
    <>
      <PageHeader
        title={`Version ${v.number}: ${v.sectionTitle}`}
        description={v.summary}
        actions={canRestore ? <RestoreVersionButton versionId={v.id} number={v.number} /> : <Text size="xs" c="dimmed">An admin can restore this version.</Text>}
      />
      <BackupsTabs current="/backups/config" />
      <Card withBorder radius="md" padding="md" mb="lg">
        <Group gap="xl" align="flex-start" wrap="wrap">
          <Stack gap={2}>
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              Who
            </Text>
            <Text size="sm">{v.actorEmail === 'system' ? 'Standby' : `${v.actorEmail} (${v.actorRole})`}</Text>
          </Stack>
          <Stack gap={2} maw={420}>
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              Why
            </Text>
            <Text size="sm">{v.reason ?? 'no reason given'}</Text>
          </Stack>
          <Stack gap={2}>
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              When
            </Text>
            <Text size="sm">{formatUtc(v.createdAt, 'second')}</Text>
          </Stack>
          <Stack gap={2}>
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              In git
            </Text>
            <Text size="sm" ff="monospace">
              {v.gitCommit ? `${v.gitCommit.slice(0, 12)} (${formatSpan(v.lagMs)} after the change)` : v.gitError ? `not written: ${v.gitError}` : 'waiting'}
            </Text>
          </Stack>
          <Stack gap={2}>
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              Change
            </Text>
            <Group gap={4}>
              <Badge variant="light" tt="none">
                {v.action}
              </Badge>
              {v.restoredFrom && (
                <Badge variant="light" color="grape">
                  restores v{v.restoredFrom}
                </Badge>
              )}
            </Group>
          </Stack>
        </Group>
      </Card>
      <Card withBorder radius="md" padding="md" component="section" aria-labelledby="diff-title">
        <Group justify="space-between" mb="sm" wrap="wrap">
          <Title order={4} id="diff-title">
            {detail.against ? `Compared with version ${detail.against.number}` : 'The first version of this section'}{' '}
            <Text span size="sm" c="dimmed">
              +{detail.added} −{detail.removed} lines
            </Text>
          </Title>
          {detail.siblings.length > 0 && (
            <form method="get">
              <Group gap="xs">
                <NativeSelect
                  name="against"
                  aria-label="Compare with"
                  size="xs"
                  defaultValue={detail.against?.id}
                  data={detail.siblings.map((s) => ({ value: s.id, label: `${label(s.number, s.createdAt)}: ${s.summary.slice(0, 60)}` }))}
                />
                <Button type="submit" size="xs" variant="default">
                  Compare
                </Button>
              </Group>
            </form>
          )}
        </Group>
        <DiffView
          rows={detail.rows}
          left={detail.against ? (detail.against.number < v.number ? label(detail.against.number, detail.against.createdAt) : label(v.number, v.createdAt)) : '(nothing before)'}
          right={detail.against && detail.against.number > v.number ? label(detail.against.number, detail.against.createdAt) : label(v.number, v.createdAt)}
        />
        <Text size="xs" c="dimmed" mt="sm">
          The whole file of this version is in the repository at its commit; <LinkAnchor href="/backups/config">all versions</LinkAnchor>.
        </Text>
      </Card>
    </>
  );
}
