'use client';
// The post-mortem, drafted from the data: impact, the RTO breakdown against the
// objective, the slowest step, the curated timeline; and the parts people
// write (Markdown), the follow-ups with owners and due dates, tracked to done.
import { useState } from 'react';
import { Alert, Badge, Button, Card, Checkbox, Group, SimpleGrid, Stack, Table, Tabs, Text, Textarea, TextInput, Select, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconDownload } from '@tabler/icons-react';
import { TierBadge } from '@/components/degradation/tier-badge';
import { RtoBar } from '@/components/recovery/rto-bar';
import { MarkdownView } from '@/components/runbooks/markdown-view';
import { LinkAnchor } from '@/components/ui/link-anchor';
import { useActionForm } from '@/components/ui/use-action-form';
import { StatTile } from '@/components/ui/stat-tile';
import { addFollowUpAction, savePostmortemAction, setFollowUpDoneAction } from '@/lib/incidents/actions';
import type { PostmortemView as View } from '@/lib/incidents/data';
import { spokenDuration } from '@/lib/incidents/format';
import { addFollowUpInput, savePostmortemInput } from '@/lib/incidents/schemas';
import { formatUtc } from '@/lib/shared/format';
import { PART_LABELS } from '@/lib/recovery/rto-parts';
import { IncidentStatusBadge, SeverityBadge } from './badges';

const pct = (x: number | null) => (x === null ? '—' : `${x >= 0.1 ? Math.round(x * 100) : (x * 100).toFixed(1)}%`);

const SECTIONS = [
  { key: 'summary', label: 'Summary', hint: 'What happened, for someone who was not there, in three sentences.' },
  { key: 'rootCause', label: 'Root cause', hint: 'Why it happened, and why it was not caught earlier.' },
  { key: 'wentWell', label: 'What went well', hint: 'What to keep doing.' },
  { key: 'toImprove', label: 'What to improve', hint: 'What slowed detection, assessment, activation or restoration. Turn each into a follow-up below.' },
] as const;
type SectionKey = (typeof SECTIONS)[number]['key'];

function Figures({ view }: { view: View }) {
  const { figures, sources } = view;
  const i = figures.impact;
  const rto = figures.rto;
  return (
    <Stack gap="md">
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="sm">
        <StatTile label="Requests failed" value={i.failures.toLocaleString('en-US')} hint={i.requests ? `of ${i.requests.toLocaleString('en-US')} (${pct(i.failedShare)})${sources.requests === 'episodes' ? ', as the disruption episodes measured them' : ''}` : 'no traffic recorded in the window'} color={i.failures ? 'red' : undefined} testId="pm-failed" />
        <StatTile label="Lasted" value={spokenDuration(figures.window.durationMs)} hint={`${formatUtc(figures.window.from, 'second')}${figures.window.ongoing ? ', still open' : ''}`} testId="pm-duration" />
        <StatTile label="RTO" value={rto?.rtoMs != null ? spokenDuration(rto.rtoMs) : '—'} hint={rto ? (rto.objectiveRtoMs ? `objective ${spokenDuration(rto.objectiveRtoMs)}${rto.ratio !== null ? ` (${rto.ratio.toFixed(1)}x)` : ''}` : 'no objective set') : 'no episode linked'} color={rto?.ratio != null && rto.ratio >= 1 ? 'red' : undefined} testId="pm-rto" />
        <StatTile label="Slowest step" value={figures.slowestStep ? spokenDuration(figures.slowestStep.durationMs) : '—'} hint={figures.slowestStep ? figures.slowestStep.title : 'no step was timed'} testId="pm-slowest" />
      </SimpleGrid>
      <Card withBorder radius="md" padding="md" component="section" aria-labelledby="impact-title">
        <Title order={4} id="impact-title" mb="xs">Impact</Title>
        {i.services.length === 0 ? (
          <Text size="sm" c="dimmed">The incident names no service.</Text>
        ) : (
          <Table.ScrollContainer minWidth={520}>
            <Table verticalSpacing={6} aria-label="Impact per service">
              <Table.Thead>
                <Table.Tr><Table.Th>Service</Table.Th><Table.Th>Requests</Table.Th><Table.Th>Failed</Table.Th><Table.Th>Error budget used</Table.Th><Table.Th>Worst tier</Table.Th></Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {i.services.map((s) => (
                  <Table.Tr key={s.name}>
                    <Table.Td><Text size="sm" fw={500}>{s.name}</Text></Table.Td>
                    <Table.Td><Text size="sm">{s.requests.toLocaleString('en-US')}</Text></Table.Td>
                    <Table.Td><Text size="sm">{s.failures.toLocaleString('en-US')} ({pct(s.failedShare)})</Text></Table.Td>
                    <Table.Td><Text size="sm" c={s.budgetBurned !== null && s.budgetBurned >= 0.1 ? 'red' : undefined}>{s.budgetBurned === null ? 'not stated' : `${pct(s.budgetBurned)} of the window's budget`}</Text></Table.Td>
                    <Table.Td><Group gap={4}><TierBadge tier={s.worstTier} />{s.tierChanges > 0 && <Text size="xs" c="dimmed">{s.tierChanges} change{s.tierChanges === 1 ? '' : 's'}</Text>}</Group></Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        <Text size="xs" c="dimmed" mt="xs">{sources.budget}</Text>
      </Card>
      <Card withBorder radius="md" padding="md" component="section" aria-labelledby="rto-title">
        <Title order={4} id="rto-title" mb="xs">{rto?.componentKind === 'service_routing' ? 'RTO = T_detect + T_assess + T_activate, then T_restore' : 'RTO = T_detect + T_assess + T_activate + T_restore'}</Title>
        {!rto ? (
          <Text size="sm" c="dimmed">No disruption episode was linked to this incident, so there is no measured recovery time.</Text>
        ) : (
          <Stack gap={6}>
            <Text size="sm">
              {rto.componentName} ({rto.disruption.toLowerCase()}): <b>{rto.rtoMs === null ? 'still open' : spokenDuration(rto.rtoMs)}</b>
              {rto.objectiveRtoMs ? ` against an objective of ${spokenDuration(rto.objectiveRtoMs)}` : ', no objective set'}
              {rto.slowest ? `. The slowest part was ${PART_LABELS[rto.slowest].toLowerCase()}.` : '.'}
            </Text>
            <RtoBar parts={rto.parts} kind={rto.componentKind} width={520} showLegend />
            {figures.episodes.filter((e) => e.id !== rto.id).map((e) => (
              <Text key={e.id} size="xs" c="dimmed">Also: {e.componentName}, RTO {e.rtoMs === null ? 'open' : spokenDuration(e.rtoMs)}{e.objectiveRtoMs ? ` of ${spokenDuration(e.objectiveRtoMs)}` : ''}.</Text>
            ))}
          </Stack>
        )}
      </Card>
      <Card withBorder radius="md" padding="md" component="section" aria-labelledby="steps-title">
        <Title order={4} id="steps-title" mb="xs">Runbook steps</Title>
        {figures.steps.length === 0 ? <Text size="sm" c="dimmed">No runbook was followed.</Text> : (
          <Table.ScrollContainer minWidth={520}>
            <Table verticalSpacing={4} aria-label="Steps">
              <Table.Thead><Table.Tr><Table.Th>Step</Table.Th><Table.Th>Outcome</Table.Th><Table.Th>Took</Table.Th><Table.Th>By</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {figures.steps.map((s, n) => (
                  <Table.Tr key={n}>
                    <Table.Td><Text size="sm">{s.title} <Text span size="xs" c="dimmed">({s.runbook})</Text></Text></Table.Td>
                    <Table.Td><Badge size="sm" variant="light" color={s.status === 'done' ? 'teal' : s.status === 'failed' ? 'red' : 'gray'}>{s.status}</Badge></Table.Td>
                    <Table.Td><Text size="sm" fw={figures.slowestStep && s.title === figures.slowestStep.title && s.durationMs === figures.slowestStep.durationMs ? 700 : undefined}>{s.durationMs === null ? '' : spokenDuration(s.durationMs)}</Text></Table.Td>
                    <Table.Td><Text size="sm">{s.finishedBy ?? s.startedBy ?? ''}</Text></Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Card>
    </Stack>
  );
}

function Written({ view, canWrite }: { view: View; canWrite: boolean }) {
  const [values, setValues] = useState<Record<SectionKey, string>>({ summary: view.written.summary, rootCause: view.written.rootCause, wentWell: view.written.wentWell, toImprove: view.written.toImprove });
  const form = useActionForm<{ published: boolean }>({ schema: savePostmortemInput, success: (done) => (done.published ? 'Post-mortem published' : 'Saved') });
  const save = (publish: boolean) => form.submit({ incidentId: view.incident.id, expectedVersion: view.written.version, ...values, publish }, savePostmortemAction);
  if (!canWrite) {
    return (
      <Stack gap="md">
        {SECTIONS.map((s) => (
          <Card key={s.key} withBorder radius="md" padding="md" component="section" aria-label={s.label}>
            <Title order={4} mb="xs">{s.label}</Title>
            <MarkdownView source={values[s.key]} empty="Not written yet." />
          </Card>
        ))}
      </Stack>
    );
  }
  return (
    <Card withBorder radius="md" padding="md" component="section" aria-labelledby="written-title">
      <Group justify="space-between" mb="xs" wrap="wrap">
        <Title order={4} id="written-title">Written by the team</Title>
        <Text size="xs" c="dimmed">{view.written.updatedBy ? `Last saved by ${view.written.updatedBy}, ${formatUtc(view.written.updatedAt!, 'second')}` : 'Not saved yet'}{view.written.publishedAt ? ` · published ${formatUtc(view.written.publishedAt, 'second')}` : ''}</Text>
      </Group>
      <Stack gap="md">
        {SECTIONS.map((s) => (
          <Tabs key={s.key} defaultValue="write" variant="outline">
            <Group justify="space-between" wrap="wrap" gap="xs">
              <Text fw={600} size="sm">{s.label}</Text>
              <Tabs.List>
                <Tabs.Tab value="write">Write</Tabs.Tab>
                <Tabs.Tab value="preview">Preview</Tabs.Tab>
              </Tabs.List>
            </Group>
            <Tabs.Panel value="write" pt={6}>
              <Textarea aria-label={s.label} description={`${s.hint} Markdown: **bold**, \`code\`, - lists, \`\`\` for commands.`} value={values[s.key]} onChange={(e) => { const value = e.currentTarget.value; setValues((v) => ({ ...v, [s.key]: value })); }} error={form.errorOf(s.key)} autosize minRows={3} maxRows={20} />
            </Tabs.Panel>
            <Tabs.Panel value="preview" pt={6}>
              <MarkdownView source={values[s.key]} empty="Nothing written yet." />
            </Tabs.Panel>
          </Tabs>
        ))}
        {form.formError && <Alert color="red" variant="light">{form.formError}</Alert>}
        <Group justify="flex-end">
          <Button variant="default" onClick={() => save(false)} loading={form.pending}>Save draft</Button>
          <Button onClick={() => save(true)} loading={form.pending}>{view.written.publishedAt ? 'Save' : 'Publish'}</Button>
        </Group>
      </Stack>
    </Card>
  );
}

function FollowUps({ view, canWrite, users }: { view: View; canWrite: boolean; users: { id: string; name: string }[] }) {
  const [title, setTitle] = useState('');
  const [ownerId, setOwnerId] = useState<string | null>(null);
  const [dueOn, setDueOn] = useState('');
  const today = new Date().toISOString().slice(0, 10);
  const adding = useActionForm({
    schema: addFollowUpInput,
    success: 'Follow-up added',
    onSuccess: () => {
      setTitle('');
      setOwnerId(null);
      setDueOn('');
    },
  });
  const marking = useActionForm({ success: 'Saved', onError: (failure) => notifications.show({ color: 'red', title: 'Not changed', message: failure.error }) });
  const pending = adding.pending || marking.pending;
  return (
    <Card withBorder radius="md" padding="md" component="section" aria-labelledby="followups-title">
      <Title order={4} id="followups-title" mb="xs">Follow-ups</Title>
      <Stack gap={6}>
        {view.followUps.length === 0 && <Text size="sm" c="dimmed">None yet.</Text>}
        {view.followUps.map((f) => (
          <Group key={f.id} gap="xs" wrap="nowrap" align="flex-start" data-testid="follow-up">
            <Checkbox checked={f.status === 'done'} disabled={!canWrite || pending} aria-label={`Done: ${f.title}`} onChange={(e) => { const done = e.currentTarget.checked; marking.submit({ followUpId: f.id, expectedVersion: f.version, done }, setFollowUpDoneAction); }} />
            <Stack gap={0} style={{ minWidth: 0 }}>
              <Text size="sm" td={f.status === 'done' ? 'line-through' : undefined}>{f.title}</Text>
              <Text size="xs" c={f.status === 'open' && f.dueOn && f.dueOn < today ? 'red' : 'dimmed'}>
                {f.owner?.name ?? 'no owner'}{f.dueOn ? `, due ${f.dueOn}${f.status === 'open' && f.dueOn < today ? ' (overdue)' : ''}` : ''}{f.status === 'done' && f.doneBy ? `, done by ${f.doneBy}` : ''}
              </Text>
            </Stack>
          </Group>
        ))}
        {canWrite && (
          <Group gap="xs" align="flex-start" wrap="wrap" mt="xs">
            <TextInput aria-label="New follow-up" placeholder="Add a follow-up: what to change" value={title} onChange={(e) => setTitle(e.currentTarget.value)} error={adding.errorOf('title') ?? (adding.formError && !Object.keys(adding.fieldErrors).length ? adding.formError : undefined)} style={{ flex: 1, minWidth: 220 }} maxLength={300} />
            <Select aria-label="Owner" placeholder="Owner" data={users.map((u) => ({ value: u.id, label: u.name }))} value={ownerId} onChange={setOwnerId} clearable w={170} error={adding.errorOf('ownerId')} />
            <TextInput aria-label="Due date" placeholder="Due YYYY-MM-DD" value={dueOn} onChange={(e) => setDueOn(e.currentTarget.value)} w={150} error={adding.errorOf('dueOn')} />
            <Button variant="light" loading={pending} disabled={!title.trim()} onClick={() => adding.submit({ incidentId: view.incident.id, title, ownerId: ownerId ?? '', dueOn }, addFollowUpAction)}>Add</Button>
          </Group>
        )}
      </Stack>
    </Card>
  );
}

export function PostmortemPage({ view, canWrite, users }: { view: View; canWrite: boolean; users: { id: string; name: string }[] }) {
  const { incident } = view;
  return (
    <Stack gap="md">
      <LinkAnchor href={`/incidents/${incident.publicId}`} size="sm">← {incident.publicId}</LinkAnchor>
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
        <Stack gap={4} style={{ minWidth: 0, flex: 1 }}>
          <Title order={2} style={{ overflowWrap: 'anywhere' }}>Post-mortem: {incident.publicId} {incident.title}</Title>
          <Group gap="xs">
            <SeverityBadge severity={incident.severity} />
            <IncidentStatusBadge status={incident.status} />
            <Badge variant="light" color={view.written.publishedAt ? 'teal' : 'gray'}>{view.written.publishedAt ? 'published' : 'draft'}</Badge>
          </Group>
          <Text size="sm" c="dimmed">Figures are computed from what Standby recorded; the sections are written by the team. Times are UTC.</Text>
        </Stack>
        <Button component="a" href={`/api/incidents/${incident.publicId}/postmortem`} variant="light" leftSection={<IconDownload size={16} />}>PDF</Button>
      </Group>
      {view.figures.window.ongoing && <Alert color="yellow" variant="light">The incident is still open: the figures run up to now and will change.</Alert>}
      <Figures view={view} />
      <Written view={view} canWrite={canWrite} />
      <FollowUps view={view} canWrite={canWrite} users={users} />
      <Card withBorder radius="md" padding="md" component="section" aria-labelledby="pm-timeline-title">
        <Title order={4} id="pm-timeline-title" mb="xs">Timeline (curated)</Title>
        {view.timeline.length === 0 ? <Text size="sm" c="dimmed">Nothing curated.</Text> : (
          <Stack gap={4}>
            {view.timeline.map((e) => (
              <Group key={e.id} gap="sm" wrap="nowrap" align="flex-start">
                <Text size="xs" ff="monospace" w={140} style={{ flexShrink: 0 }}>{e.at.slice(0, 19).replace('T', ' ')}</Text>
                <Text size="sm" style={{ overflowWrap: 'anywhere' }}>{e.text}{e.correctedAt ? ` (time corrected: ${e.correctionReason})` : ''}</Text>
              </Group>
            ))}
          </Stack>
        )}
      </Card>
    </Stack>
  );
}
