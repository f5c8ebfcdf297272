import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Alert, Badge, Button, Card, Grid, GridCol, Group, Stack, Table, TableTbody, TableTd, TableTh, TableThead, TableTr, Text, Title } from '@mantine/core';
import { IconPencil } from '@tabler/icons-react';
import { ArchiveRunbookButton } from '@/components/runbooks/library-actions';
import { MarkdownView } from '@/components/runbooks/markdown-view';
import { RunbookStepsView } from '@/components/runbooks/runbook-view';
import { LinkAnchor } from '@/components/ui/link-anchor';
import { PageHeader } from '@/components/ui/page-header';
import { canEditRunbooks } from '@/lib/incidents/policy';
import { getEditorChoices, getRunbook } from '@/lib/runbooks/data';
import { FAILURE_MODE_LABELS } from '@/lib/runbooks/model';
import { requirePageUser } from '@/lib/server/page-user';

type Params = { params: Promise<{ id: string }>; searchParams: Promise<{ version?: string }> };

export const metadata: Metadata = { title: 'Runbook' };

export default async function RunbookPage({ params, searchParams }: Params) {
  const user = await requirePageUser('estate.read');
  const { id } = await params;
  const asked = Number((await searchParams).version);
  if (!/^[0-9a-f-]{36}$/i.test(id)) notFound();
  const [runbook, choices] = await Promise.all([getRunbook(id, Number.isInteger(asked) && asked > 0 ? asked : undefined), getEditorChoices()]);
  if (!runbook) notFound();
  const v = runbook.shown;
  const current = v.number === runbook.version;
  const canEdit = canEditRunbooks(user.role);
  const byId = <T extends { id: string; name: string }>(rows: T[]) => Object.fromEntries(rows.map((r) => [r.id, r.name]));
  return (
    <>
      <LinkAnchor href="/runbooks" size="sm">← Runbooks</LinkAnchor>
      <PageHeader
        title={v.name}
        description={`${FAILURE_MODE_LABELS[v.failureMode]}. Version ${v.number} of ${runbook.version}, by ${v.createdBy} on ${v.createdAt.slice(0, 16).replace('T', ' ')} UTC${v.note ? `: ${v.note}` : ''}.`}
        actions={
          canEdit ? (
            <>
              {current && !runbook.archived && <Button component="a" href={`/runbooks/${runbook.id}/edit`} leftSection={<IconPencil size={16} />}>Edit</Button>}
              <ArchiveRunbookButton runbookId={runbook.id} version={runbook.version} archived={runbook.archived} />
            </>
          ) : null
        }
      />
      {!current && <Alert color="yellow" variant="light" mb="md">This is version {v.number}, kept for the incidents that ran it. <LinkAnchor href={`/runbooks/${runbook.id}`}>The current version is {runbook.version}.</LinkAnchor></Alert>}
      {runbook.archived && <Alert color="gray" variant="light" mb="md">Archived: it no longer attaches to new incidents.</Alert>}
      <Grid gap="md">
        <GridCol span={{ base: 12, lg: 8 }}>
          <Stack gap="sm">
            {v.summary && <MarkdownView source={v.summary} />}
            <RunbookStepsView steps={v.steps} names={{ services: byId(choices.services), targets: byId(choices.targets), webhooks: byId(choices.webhooks), runbooks: { ...byId(choices.runbooks), ...runbook.linked } }} />
          </Stack>
        </GridCol>
        <GridCol span={{ base: 12, lg: 4 }}>
          <Stack gap="md">
            <Card withBorder radius="md" padding="md">
              <Title order={5} mb="xs">Attaches to incidents of</Title>
              <Group gap={4}>
                <Badge variant="light">{FAILURE_MODE_LABELS[v.failureMode]}</Badge>
                {v.severities.length ? v.severities.map((s) => <Badge key={s} variant="outline">{s}</Badge>) : <Badge variant="outline" color="gray">any severity</Badge>}
              </Group>
              <Text size="sm" mt="xs">Services: {v.services.length ? v.services.join(', ') : 'any'}</Text>
              <Text size="sm">Targets: {v.targets.length ? v.targets.join(', ') : 'any'}</Text>
            </Card>
            <Card withBorder radius="md" padding="md">
              <Title order={5} mb="xs">Versions</Title>
              <Table verticalSpacing={4}>
                <TableThead><TableTr><TableTh>v</TableTh><TableTh>By</TableTh><TableTh>Incidents</TableTh></TableTr></TableThead>
                <TableTbody>
                  {runbook.versions.map((x) => (
                    <TableTr key={x.number}>
                      <TableTd><LinkAnchor href={`/runbooks/${runbook.id}?version=${x.number}`} size="sm" fw={x.number === v.number ? 700 : undefined}>{x.number}</LinkAnchor></TableTd>
                      <TableTd><Text size="xs">{x.createdBy}, {x.createdAt.slice(0, 10)}{x.note ? `: ${x.note}` : ''}</Text></TableTd>
                      <TableTd><Text size="xs">{x.incidents}</Text></TableTd>
                    </TableTr>
                  ))}
                </TableTbody>
              </Table>
            </Card>
          </Stack>
        </GridCol>
      </Grid>
    </>
  );
}
