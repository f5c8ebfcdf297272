'use client';
// The runbooks an incident follows, step by step: what is ready is marked as
// the next thing to do, lanes run beside each other, and each kind of step has
// its own one-click control (start/done, run the action, send, choose). Check
// steps are watched by Standby and turn green by themselves.
import { useState } from 'react';
import { Alert, Badge, Button, Card, Group, Menu, Modal, Select, SimpleGrid, Stack, Text, Textarea, ThemeIcon, Title, Tooltip } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconChevronDown, IconClock, IconCircleDashed, IconEye, IconPlayerPlay, IconPlayerSkipForward, IconSend, IconX } from '@tabler/icons-react';
import { useNow } from '@/components/health/use-now';
import { MarkdownView } from '@/components/runbooks/markdown-view';
import { attachRunbookAction, chooseDecisionAction, finishStepAction, runNotifyStepAction, startStepAction } from '@/lib/incidents/actions';
import type { AttachedRunbookView, IncidentView, StepChoices, StepRunView } from '@/lib/incidents/data';
import { spokenDuration } from '@/lib/incidents/format';
import { laneRows } from '@/lib/runbooks/lanes';
import { LANE_LABELS, STEP_ACTION_LABELS, STEP_KIND_LABELS } from '@/lib/runbooks/model';
import { ActionStepDialog } from './action-step-dialog';
import { useIncidentAction } from './use-incident-action';

/** attach: offer to attach another runbook (open incidents only). */
export type StepPermissions = { runIncident: boolean; runActions: boolean; attach?: boolean };

const STATUS_ICON = {
  pending: { icon: IconCircleDashed, color: 'gray', label: 'to do' },
  running: { icon: IconClock, color: 'blue', label: 'in progress' },
  done: { icon: IconCheck, color: 'teal', label: 'done' },
  failed: { icon: IconX, color: 'red', label: 'failed' },
  skipped: { icon: IconPlayerSkipForward, color: 'gray', label: 'skipped' },
} as const;

function actionSummary(step: StepRunView, names: StepChoices): string {
  const a = step.prepared.action as { action?: keyof typeof STEP_ACTION_LABELS; serviceId?: string; targetId?: string; tier?: string; model?: string; substituteTargetId?: string } | undefined;
  if (!a?.action) return step.paramsError ?? '';
  const service = names.services.find((s) => s.id === a.serviceId)?.name;
  const target = names.targets.find((t) => t.id === a.targetId)?.name;
  const substitute = names.targets.find((t) => t.id === a.substituteTargetId)?.name;
  const on = service ? ` on ${service}` : ' (choose the service when you run it)';
  switch (a.action) {
    case 'pin':
      return `Pin${on}${target ? ` to ${target}` : ''}`;
    case 'drain':
      return `Drain ${target ?? 'a target (choose when you run it)'}`;
    case 'tier_override':
      return `Hold${on} in ${a.tier}`;
    case 'retire_model':
      return `Retire ${a.model ? `model ${a.model}` : (target ?? 'a model (choose when you run it)')}${substitute ? ` for ${substitute}` : ''}`;
    case 'apply_config_version':
      return 'Apply a saved configuration version';
    default:
      return `${STEP_ACTION_LABELS[a.action]}${on}`;
  }
}

function Elapsed({ since, expectedMinutes }: { since: string; expectedMinutes: number | null }) {
  const now = useNow();
  if (now === null) return null;
  const ms = now - Date.parse(since);
  const over = expectedMinutes !== null && ms > expectedMinutes * 60_000;
  return <Text span size="xs" c={over ? 'red' : 'dimmed'}>{spokenDuration(ms)}{expectedMinutes !== null ? ` of ~${expectedMinutes} min` : ''}</Text>;
}

function NotifyDialog({ step, webhooks, incidentId, onClose }: { step: StepRunView; webhooks: { id: string; name: string }[]; incidentId: string; onClose: () => void }) {
  const params = step.params?.kind === 'notify' ? step.params.params : null;
  const [webhookId, setWebhookId] = useState<string | null>(params?.webhookId ?? webhooks[0]?.id ?? null);
  const [message, setMessage] = useState(params?.message ?? '');
  const { run, pending } = useIncidentAction(incidentId);
  return (
    <Modal opened onClose={onClose} title={`Send: ${step.title}`}>
      <Stack gap="sm">
        {webhooks.length === 0 ? (
          <Alert color="yellow" variant="light">No webhook is set up. An admin adds one under Runbooks → Notification webhooks; until then, mark this step done by hand once you have told people.</Alert>
        ) : (
          <Select label="Send to" data={webhooks.map((w) => ({ value: w.id, label: w.name }))} value={webhookId} onChange={setWebhookId} allowDeselect={false} />
        )}
        <Textarea label="Message" description="{incident}, {title}, {severity}, {status}, {service}, {commander} and {link} are filled in." value={message} onChange={(e) => setMessage(e.currentTarget.value)} autosize minRows={3} maxLength={3_000} />
        {step.prepared.message && <Text size="xs" c="dimmed">As the runbook words it now: {step.prepared.message}</Text>}
        <Text size="xs" c="dimmed">Delivered in the background with retries; each attempt goes on the timeline.</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button leftSection={<IconSend size={16} />} loading={pending} disabled={!webhookId || !message.trim()} onClick={() => { run({ stepRunId: step.runId, expectedVersion: step.version, webhookId, message }, runNotifyStepAction, 'Queued for delivery'); onClose(); }}>
            Send
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function StepCard({ step, index, incident, names, webhooks, can }: { step: StepRunView; index: number; incident: IncidentView; names: StepChoices; webhooks: { id: string; name: string }[]; can: StepPermissions }) {
  const { run, pending } = useIncidentAction(incident.id);
  const [dialog, setDialog] = useState<'action' | 'notify' | null>(null);
  const status = STATUS_ICON[step.status];
  const Icon = status.icon;
  const open = step.status !== 'done' && step.status !== 'skipped';
  const next = step.ready && step.status === 'pending';
  const canAct = step.kind === 'action' ? can.runActions : can.runIncident;
  const finish = (outcome: 'done' | 'failed' | 'skipped') => run({ stepRunId: step.runId, expectedVersion: step.version, outcome }, finishStepAction, `${outcome === 'done' ? 'Done' : outcome === 'skipped' ? 'Skipped' : 'Marked failed'}: ${step.title}`);
  const result = step.result as { summary?: string; label?: string; effects?: string[]; webhook?: string; error?: string; note?: string; met?: string };

  return (
    <Card withBorder radius="md" padding="sm" data-testid="step" data-step={step.key} data-status={step.status} style={next ? { borderColor: 'var(--mantine-color-blue-5)', borderWidth: 2 } : undefined}>
      {/* On a phone the controls go under the title rather than squeezing it to a word a line. */}
      <Group justify="space-between" wrap="wrap" align="flex-start" gap="xs">
        <Group gap="xs" wrap="nowrap" align="flex-start" style={{ minWidth: 0, flex: '1 1 220px' }}>
          <Tooltip label={status.label}>
            <ThemeIcon size="sm" radius="xl" color={status.color} variant={step.status === 'pending' ? 'light' : 'filled'} aria-label={status.label}>
              <Icon size={14} />
            </ThemeIcon>
          </Tooltip>
          <Stack gap={2} style={{ minWidth: 0 }}>
            <Text fw={600} size="sm" td={step.status === 'skipped' ? 'line-through' : undefined}>{index}. {step.title}</Text>
            <Group gap={4} wrap="wrap">
              <Badge size="xs" variant="light" color="gray">{STEP_KIND_LABELS[step.kind]}</Badge>
              {next && <Badge size="xs" color="blue">next</Badge>}
              {step.status === 'running' && step.startedAt && <Elapsed since={step.startedAt} expectedMinutes={step.expectedMinutes} />}
              {step.status === 'pending' && step.expectedMinutes !== null && <Text span size="xs" c="dimmed">~{step.expectedMinutes} min</Text>}
              {step.status === 'pending' && !step.ready && step.waitingOn.length > 0 && <Text span size="xs" c="dimmed">after {step.waitingOn.join(', ')}</Text>}
            </Group>
          </Stack>
        </Group>
        {(can.runIncident || (can.runActions && step.kind === 'action')) && open && (
          <Group gap={4} wrap="nowrap">
            {step.kind === 'instruction' && step.status !== 'running' && can.runIncident && <Button size="compact-xs" variant="light" leftSection={<IconPlayerPlay size={12} />} loading={pending} onClick={() => run({ stepRunId: step.runId, expectedVersion: step.version }, startStepAction, `Started: ${step.title}`)}>Start</Button>}
            {step.kind === 'instruction' && can.runIncident && <Button size="compact-xs" leftSection={<IconCheck size={12} />} loading={pending} onClick={() => finish('done')}>Done</Button>}
            {step.kind === 'action' && canAct && step.status !== 'running' && <Button size="compact-xs" color="orange" leftSection={<IconPlayerPlay size={12} />} onClick={() => setDialog('action')} disabled={!step.prepared.action}>Run…</Button>}
            {step.kind === 'notify' && step.status !== 'running' && can.runIncident && <Button size="compact-xs" leftSection={<IconSend size={12} />} onClick={() => setDialog('notify')}>Send…</Button>}
            {can.runIncident && (
              <Menu position="bottom-end" withinPortal>
                <Menu.Target>
                  <Button size="compact-xs" variant="subtle" color="gray" aria-label={`More for step ${index}`} px={4}><IconChevronDown size={14} /></Button>
                </Menu.Target>
                <Menu.Dropdown>
                  {step.kind !== 'instruction' && <Menu.Item leftSection={<IconCheck size={14} />} onClick={() => finish('done')}>Mark done by hand</Menu.Item>}
                  <Menu.Item leftSection={<IconPlayerSkipForward size={14} />} onClick={() => finish('skipped')}>Skip</Menu.Item>
                  <Menu.Item leftSection={<IconX size={14} />} color="red" onClick={() => finish('failed')}>Mark failed</Menu.Item>
                </Menu.Dropdown>
              </Menu>
            )}
          </Group>
        )}
      </Group>

      {(open || step.kind === 'decision') && step.body && <div style={{ marginTop: 6 }}><MarkdownView source={step.body} size="sm" /></div>}
      {step.kind === 'action' && <Text size="sm" mt={6} fw={500}>{actionSummary(step, names)}</Text>}
      {step.kind === 'check' && (
        <Stack gap={2} mt={6}>
          <Group gap={4} wrap="nowrap" align="flex-start"><IconEye size={14} style={{ flexShrink: 0, marginTop: 3 }} /><Text size="sm" fw={500}>{step.prepared.check ?? step.prepared.checkError}</Text></Group>
          {step.evaluation && (
            <Text size="xs" c={step.evaluation.met ? 'teal' : 'dimmed'} data-testid="check-reading">
              Now: {step.evaluation.value}{step.evaluation.met ? '' : ` (${step.evaluation.detail})`}
            </Text>
          )}
          {step.status === 'pending' && !step.ready && <Text size="xs" c="dimmed">Watched once the steps before it are done.</Text>}
        </Stack>
      )}
      {step.kind === 'notify' && open && step.prepared.message && <Text size="xs" c="dimmed" mt={6}>“{step.prepared.message}”</Text>}
      {step.kind === 'decision' && step.params?.kind === 'decision' && open && (
        <Stack gap={6} mt={6}>
          <Text size="sm" fw={500}>{step.params.params.question}</Text>
          <Group gap={6}>
            {step.params.params.options.map((o, i) => (
              <Button key={o.label} size="xs" variant="light" h="auto" mih={30} py={4} maw="100%" styles={{ label: { whiteSpace: 'normal', textAlign: 'left' } }} loading={pending} disabled={!can.runIncident} onClick={() => run({ stepRunId: step.runId, expectedVersion: step.version, option: i }, chooseDecisionAction, `Decided: ${o.label}`)}>
                {o.label}
              </Button>
            ))}
          </Group>
        </Stack>
      )}
      {(step.finishedAt || step.status === 'running') && (
        <Text size="xs" c="dimmed" mt={6}>
          {step.startedBy && step.status === 'running' && `Started by ${step.startedBy}. `}
          {step.finishedAt && `${step.status === 'skipped' ? 'Skipped' : step.status === 'failed' ? 'Failed' : 'Done'} by ${step.finishedBy}${step.startedAt && step.finishedAt && step.status === 'done' ? ` in ${spokenDuration(Date.parse(step.finishedAt) - Date.parse(step.startedAt))}` : ''}. `}
          {result.summary && result.summary}
          {result.label && `Chose “${result.label}”${result.effects?.length ? `: ${result.effects.join('; ')}` : ''}.`}
          {result.met && `Met: ${result.met}.`}
          {result.webhook && step.status === 'running' && `Delivering to ${result.webhook}…`}
          {result.error && ` ${result.error}`}
          {result.note && ` ${result.note}`}
        </Text>
      )}
      {dialog === 'action' && <ActionStepDialog step={step} incidentId={incident.id} names={names} onClose={() => setDialog(null)} />}
      {dialog === 'notify' && <NotifyDialog step={step} webhooks={webhooks} incidentId={incident.id} onClose={() => setDialog(null)} />}
    </Card>
  );
}

function RunbookCard({ runbook, incident, names, webhooks, can }: { runbook: AttachedRunbookView; incident: IncidentView; names: StepChoices; webhooks: { id: string; name: string }[]; can: StepPermissions }) {
  const rows = laneRows(runbook.steps);
  const numbers = new Map(runbook.steps.map((s, i) => [s.runId, i + 1]));
  const done = runbook.steps.filter((s) => s.status === 'done' || s.status === 'skipped').length;
  return (
    <Card withBorder radius="md" padding="md" component="section" aria-label={`Runbook ${runbook.name}`} data-testid="runbook">
      <Group justify="space-between" mb="sm" wrap="wrap" gap="xs">
        <Stack gap={0}>
          <Title order={4}>{runbook.name}</Title>
          <Text size="xs" c="dimmed">
            Version {runbook.version}{runbook.latestVersion > runbook.version ? ` (the runbook is at version ${runbook.latestVersion} now; this incident keeps the version it started with)` : ''} · attached by {runbook.attachedBy}: {runbook.reason}
          </Text>
        </Stack>
        <Badge variant="light" color={done === runbook.steps.length ? 'teal' : 'blue'}>{done} of {runbook.steps.length} done</Badge>
      </Group>
      <Stack gap="xs">
        {rows.map((row, i) =>
          row.main ? (
            <StepCard key={row.main.runId} step={row.main} index={numbers.get(row.main.runId)!} incident={incident} names={names} webhooks={webhooks} can={can} />
          ) : (
            <SimpleGrid key={i} cols={{ base: 1, md: Math.min(3, row.lanes.size) }} spacing="xs">
              {[...row.lanes.entries()].map(([lane, steps]) => (
                <Stack key={lane} gap={6} p={6} style={{ borderLeft: '3px solid var(--mantine-color-blue-2)' }}>
                  <Text size="xs" c="dimmed" fw={600}>{LANE_LABELS[lane]}: runs beside the others</Text>
                  {steps.map((s) => <StepCard key={s.runId} step={s} index={numbers.get(s.runId)!} incident={incident} names={names} webhooks={webhooks} can={can} />)}
                </Stack>
              ))}
            </SimpleGrid>
          ),
        )}
      </Stack>
    </Card>
  );
}

export function IncidentRunbooks({ incident, names, webhooks, library, can }: { incident: IncidentView; names: StepChoices; webhooks: { id: string; name: string }[]; library: { id: string; name: string }[]; can: StepPermissions }) {
  const attached = new Set(incident.runbooks.map((r) => r.runbookId));
  const suggested = new Set(incident.suggestions.map((s) => s.id));
  const choices = [
    ...incident.suggestions.map((s) => ({ value: s.id, label: `${s.name}${s.because.length ? ` (matches ${s.because.join(', ')})` : ''}` })),
    ...library.filter((r) => !attached.has(r.id) && !suggested.has(r.id)).map((r) => ({ value: r.id, label: r.name })),
  ];
  const { run, pending } = useIncidentAction(incident.id);
  const [choice, setChoice] = useState<string | null>(null);
  return (
    <Stack gap="md">
      {incident.runbooks.map((r) => <RunbookCard key={r.id} runbook={r} incident={incident} names={names} webhooks={webhooks} can={can} />)}
      {incident.runbooks.length === 0 && (
        <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />} title="No runbook attached">
          {incident.failureMode ? 'No runbook of the library matches this incident\'s failure mode.' : 'Set the failure mode, or attach a runbook below.'}
        </Alert>
      )}
      {can.runIncident && can.attach !== false && choices.length > 0 && (
        <Group gap="xs" align="flex-end" wrap="wrap">
          <Select
            label="Attach another runbook"
            data={choices}
            value={choice}
            onChange={setChoice}
            searchable
            placeholder="Matching runbooks first"
            w={{ base: '100%', sm: 360 }}
          />
          <Button variant="light" disabled={!choice} loading={pending} onClick={() => choice && run({ incidentId: incident.id, runbookId: choice }, attachRunbookAction, 'Runbook attached')}>
            Attach
          </Button>
        </Group>
      )}
    </Stack>
  );
}
