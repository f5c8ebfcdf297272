import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Badge, Card, Code, Group, List, ListItem, SimpleGrid, Stack, Table, TableScrollContainer, TableTbody, TableTd, TableTh, TableThead, TableTr, Text, Title } from '@mantine/core';
import { BackupsTabs } from '@/components/backups/backups-tabs';
import { CopiesTable } from '@/components/backups/copies-table';
import { ModelSettingsForm, PartForm, RemovePartButton } from '@/components/backups/model-forms';
import { BackupVerdictBadge } from '@/components/backups/verdict';
import { formatUtc } from '@/lib/shared/format';
import { EmptyState } from '@/components/ui/empty-state';
import { LinkAnchor } from '@/components/ui/link-anchor';
import { PageHeader } from '@/components/ui/page-header';
import { StatTile } from '@/components/ui/stat-tile';
import { getModelBackups } from '@/lib/backups/data';
import { formatBandwidth, formatBytes } from '@/lib/backups/estimate';
import { PART_KIND_LABELS, type ModelPartKind } from '@/lib/backups/parts';
import { formatRatio, formatSpan } from '@/lib/recovery/format';
import { requirePageUser } from '@/lib/server/page-user';
import { db } from '@/lib/server/db';
import { hasPermission } from '@/lib/server/permissions';

export const metadata: Metadata = { title: 'Model backups' };

type Props = { params: Promise<{ id: string }> };

export default async function ModelBackupsPage({ params }: Props) {
  const user = await requirePageUser('estate.read');
  const model = await getModelBackups((await params).id);
  if (!model) notFound();
  const regions = await db().region.findMany({ orderBy: { code: 'asc' }, select: { code: true, name: true } });
  const canWrite = hasPermission(user.role, 'backups.write');
  const { status } = model;
  const best = status.best;
  return (
    <>
      <PageHeader
        title={model.name}
        description={
          <>
            {model.target ? (
              <>
                Served by <LinkAnchor href={`/targets/${encodeURIComponent(model.target.name)}`}>{model.target.name}</LinkAnchor> ({model.target.model}) from {model.servingRegion}
                {model.target.services.length ? `, in the chains of ${model.target.services.join(', ')}` : ''}.
              </>
            ) : (
              `Registered by hand; serves from ${model.servingRegion}.`
            )}{' '}
            A backup is due every {formatSpan(model.scheduleHours * 3_600_000)} and after every change of the deployed version.
          </>
        }
        actions={canWrite ? <ModelSettingsForm model={{ id: model.id, name: model.name, version: model.version, servingRegion: model.servingRegion, scheduleHours: model.scheduleHours, loadMs: model.loadMs, hasTarget: model.target !== null }} regions={regions} /> : undefined}
      />
      <BackupsTabs current="/backups" />
      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm" mb="lg">
        <StatTile label="Verdict" testId="model-verdict" value={<BackupVerdictBadge verdict={status.verdict} />} hint={status.findings.length ? `${status.findings.length} finding${status.findings.length === 1 ? '' : 's'} below` : 'nothing to do'} />
        <StatTile
          label="Restore time / RTO"
          testId="model-restore"
          value={status.restoreMs === null ? '—' : `${formatSpan(status.restoreMs)} / ${formatSpan(model.rtoMs)}`}
          color={status.ratio !== null && status.ratio >= 1 ? 'red' : status.ratio !== null ? 'teal' : undefined}
          hint={status.restoreMs === null ? 'no restorable copy outside the serving region' : `${status.restoreBasis === 'restore_test' ? 'timed restore' : 'estimate'}, ${formatRatio(status.ratio)} the RTO (${model.rtoSource})`}
        />
        <StatTile
          label="Newest restorable copy"
          testId="model-age"
          value={status.backup.ageMs === null ? 'none' : `${formatSpan(status.backup.ageMs)} ago`}
          color={status.backup.overdue || status.backup.missingSinceChange ? 'orange' : undefined}
          hint={status.backup.overdue ? 'the scheduled backup was missed' : status.backup.missingSinceChange ? 'the deployed version has no copy yet' : `due every ${formatSpan(model.scheduleHours * 3_600_000)}`}
        />
      </SimpleGrid>
      <Card withBorder radius="md" padding="md" mb="lg" component="section" aria-labelledby="restore-title">
        <Title order={4} id="restore-title" mb="xs">
          Restoring it after a disaster
        </Title>
        {best && (
          <Text size="sm" mb="xs" data-testid="restore-breakdown">
            From <b>{best.region}</b> ({best.location}): {formatBytes(best.sizeBytes)} over {formatBandwidth(best.estimate.bandwidth.bitsPerSecond)} ({best.estimate.bandwidth.detail}) ={' '}
            <b>{formatSpan(best.estimate.transferMs)}</b> to transfer, then <b>{formatSpan(best.estimate.loadMs)}</b> to load and warm up ({best.estimate.loadSource}): {formatSpan(best.estimate.totalMs)} in all.
          </Text>
        )}
        {status.findings.length > 0 ? (
          <List size="sm" spacing={4} data-testid="model-findings">
            {status.findings.map((f) => (
              <ListItem key={f}>{f}</ListItem>
            ))}
          </List>
        ) : (
          <Text size="sm" c="teal">
            A complete copy outside {model.servingRegion} restores within the RTO, and backups are on schedule.
          </Text>
        )}
        {status.fixes.length > 0 && (
          <>
            <Text size="sm" fw={600} mt="sm">
              What would bring it within {formatSpan(model.rtoMs)}, quickest first:
            </Text>
            <List size="sm" spacing={4} type="ordered" data-testid="model-fixes">
              {status.fixes.map((f) => (
                <ListItem key={f.change}>
                  {f.change}
                  {f.restoreMs !== null && (
                    <Text span size="xs" c="dimmed">
                      {' '}
                      (restore then {formatSpan(f.restoreMs)})
                    </Text>
                  )}
                </ListItem>
              ))}
            </List>
          </>
        )}
      </Card>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg" mb="lg">
        <Card withBorder radius="md" padding="md" component="section" aria-labelledby="deployed-title">
          <Title order={4} id="deployed-title" mb="xs">
            Deployed version
          </Title>
          {model.deployed ? (
            <Stack gap={6}>
              <Text size="sm">
                {model.deployed.fileCount} files, {formatBytes(model.deployed.sizeBytes)}; reported {model.deployed.at ? formatUtc(model.deployed.at) : ''} by {model.deployed.source}. Copies are compared with
                it file by file.
              </Text>
              <Group gap={6}>
                {Object.entries(model.deployed.kinds).map(([kind, v]) => (
                  <Badge key={kind} variant="light" color={kind === 'other' ? 'gray' : 'blue'}>
                    {PART_KIND_LABELS[kind as ModelPartKind]}: {v.count} ({formatBytes(v.sizeBytes)})
                  </Badge>
                ))}
              </Group>
              <Text size="xs" c="dimmed">
                Chat template: {model.deployed.chatTemplate ?? 'none (a base model)'}.
              </Text>
            </Stack>
          ) : (
            <Text size="sm" c="orange">
              Not reported: no copy can be called restorable until Standby knows what serves. Run <Code>backup scan &lt;serving folder&gt; --model {model.name} --deployed</Code>.
            </Text>
          )}
        </Card>
        <Card withBorder radius="md" padding="md" component="section" aria-labelledby="parts-title">
          <Group justify="space-between" mb="xs">
            <Title order={4} id="parts-title">
              Required parts
            </Title>
            {canWrite && <PartForm modelId={model.id} />}
          </Group>
          <Text size="xs" c="dimmed" mb="xs">
            Always: the weights (every shard the index names), the tokenizer, config.json, and every file of the deployed version with its checksum (chat template, generation config, adapters,
            prompts…). Add what lives elsewhere: system prompts, serving arguments.
          </Text>
          {model.parts.length === 0 ? (
            <Text size="sm" c="dimmed">
              No part added.
            </Text>
          ) : (
            <Table verticalSpacing={4}>
              <TableTbody>
                {model.parts.map((p) => (
                  <TableTr key={p.id}>
                    <TableTd ff="monospace">{p.path}</TableTd>
                    <TableTd>{PART_KIND_LABELS[p.kind]}</TableTd>
                    <TableTd>
                      <Text size="xs" c="dimmed">
                        {p.note || '—'} · {p.createdBy}
                      </Text>
                    </TableTd>
                    {canWrite && (
                      <TableTd>
                        <RemovePartButton partId={p.id} path={p.path} />
                      </TableTd>
                    )}
                  </TableTr>
                ))}
              </TableTbody>
            </Table>
          )}
        </Card>
      </SimpleGrid>
      <Card withBorder radius="md" padding="md" mb="lg" component="section" aria-labelledby="copies-title">
        <Title order={4} id="copies-title" mb="sm">
          Copies
        </Title>
        {model.copies.length === 0 ? <EmptyState title="No copy reported">Report copies with backup scan or the API (see Model backups).</EmptyState> : <CopiesTable copies={model.copies} servingRegion={model.servingRegion} canWrite={canWrite} />}
      </Card>
      <Card withBorder radius="md" padding="md" component="section" aria-labelledby="tests-title">
        <Title order={4} id="tests-title" mb="sm">
          Restore tests
        </Title>
        {model.restoreTests.length === 0 ? (
          <Text size="sm" c="dimmed">
            No restore was timed{status.restoreMs !== null ? ': the restore time above is an estimate' : ''}. A restore job reports its time to POST /api/v1/backups/restore-tests, and it replaces the estimate.
          </Text>
        ) : (
          <TableScrollContainer minWidth={700}>
            <Table verticalSpacing={6} striped data-testid="restore-tests">
              <TableThead>
                <TableTr>
                  <TableTh>When (UTC)</TableTh>
                  <TableTh>Result</TableTh>
                  <TableTh>Transfer</TableTh>
                  <TableTh>Load</TableTh>
                  <TableTh>Total</TableTh>
                  <TableTh>Detail</TableTh>
                </TableTr>
              </TableThead>
              <TableTbody>
                {model.restoreTests.map((t) => (
                  <TableTr key={t.id}>
                    <TableTd ff="monospace">{formatUtc(t.observedAt).replace(' UTC', '')}</TableTd>
                    <TableTd>
                      <Badge color={t.ok ? 'teal' : 'red'} variant="light" miw="max-content">
                        {t.ok ? 'restored' : 'failed'}
                      </Badge>
                    </TableTd>
                    <TableTd ff="monospace">{formatSpan(t.transferMs)}</TableTd>
                    <TableTd ff="monospace">{formatSpan(t.loadMs)}</TableTd>
                    <TableTd ff="monospace" fw={600} c={t.restoreMs > model.rtoMs ? 'red' : undefined}>
                      {formatSpan(t.restoreMs)}
                    </TableTd>
                    <TableTd>
                      <Text size="xs">
                        {t.detail || '—'} · {t.source}
                      </Text>
                    </TableTd>
                  </TableTr>
                ))}
              </TableTbody>
            </Table>
          </TableScrollContainer>
        )}
      </Card>
    </>
  );
}
