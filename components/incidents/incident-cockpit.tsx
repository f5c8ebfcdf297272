'use client';
// The incident commander's cockpit: what it is and who runs it, the RTO clock,
// the runbooks step by step, steering for the service, and the live timeline.
// Everything here follows the live stream (use-incident-live.ts), so two
// commanders see each other's changes within a second.
import { useState } from 'react';
import { Alert, Badge, Button, Card, Grid, GridCol, Group, Modal, Select, Stack, Text, Textarea, TextInput, Title, Tooltip } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { IconAlertTriangle, IconFileDescription, IconPencil, IconUserCheck } from '@tabler/icons-react';
import { ServiceRouting } from '@/components/failover/service-routing';
import { LinkAnchor } from '@/components/ui/link-anchor';
import { LiveDataAlert } from '@/components/ui/live-data-alert';
import { useActionForm } from '@/components/ui/use-action-form';
import type { ChainTargetOption, ServiceRouting as Routing } from '@/lib/failover/data';
import { acknowledgeIncidentAction, assignRoleAction, editIncidentAction, setSeverityAction, setStatusAction } from '@/lib/incidents/actions';
import type { IncidentView, StepChoices, TimelinePage } from '@/lib/incidents/data';
import { isOpen, ROLE_FIELDS, ROLE_LABELS, STATUSES, STATUS_HINTS, STATUS_LABELS, type IncidentRole } from '@/lib/incidents/model';
import { incidentQueries } from '@/lib/incidents/queries';
import { editIncidentInput } from '@/lib/incidents/schemas';
import { FAILURE_MODES, FAILURE_MODE_LABELS, SEVERITIES, SEVERITY_LABELS } from '@/lib/runbooks/model';
import { formatUtc } from '@/lib/shared/format';
import { IncidentStatusBadge, SeverityBadge } from './badges';
import { RtoClock } from './rto-clock';
import { IncidentRunbooks, type StepPermissions } from './runbook-steps';
import { IncidentTimeline } from './timeline';
import { useIncidentAction } from './use-incident-action';
import { useIncidentLive } from './use-incident-live';

const OPENED_VIA: Record<string, string> = {
  manual: 'by hand',
  primary_breaker: "because a primary's breaker stayed open",
  page_alert: 'because a page-level burn-rate alert fired',
  unservable: 'because nothing could serve a service',
};

/** The summary as a sentence: Standby's rule texts end without a full stop. */
const sentence = (text: string) => (text && !/[.!?]$/.test(text.trim()) ? `${text.trim()}.` : text);

export type CockpitProps = {
  initial: IncidentView;
  timeline: { curated: boolean; page: TimelinePage };
  names: StepChoices;
  webhooks: { id: string; name: string }[];
  library: { id: string; name: string }[];
  users: { id: string; name: string; role: string }[];
  can: StepPermissions & { note: boolean; steer: boolean };
  routing: { initial: Routing; options: ChainTargetOption[] } | null;
};

function EditDialog({ incident, services, onClose }: { incident: IncidentView; services: { id: string; name: string }[]; onClose: () => void }) {
  const [title, setTitle] = useState(incident.title);
  const [summary, setSummary] = useState(incident.summary);
  const [serviceId, setServiceId] = useState<string | null>(incident.service?.id ?? null);
  const [failureMode, setFailureMode] = useState<string | null>(incident.failureMode);
  const form = useActionForm({ schema: editIncidentInput, success: 'Saved', onSuccess: onClose, invalidate: [incidentQueries.incident(incident.id).queryKey] });
  const save = () => form.submit({ incidentId: incident.id, expectedVersion: incident.version, title, summary, serviceId: serviceId ?? '', failureMode: failureMode ?? '' }, editIncidentAction);
  return (
    <Modal opened onClose={onClose} title={`Edit ${incident.publicId}`} size="lg">
      <Stack gap="sm">
        <TextInput label="Title" value={title} onChange={(e) => setTitle(e.currentTarget.value)} error={form.errorOf('title')} maxLength={200} />
        <Select label="Service" data={services.map((s) => ({ value: s.id, label: s.name }))} value={serviceId} onChange={setServiceId} clearable searchable error={form.errorOf('serviceId')} />
        <Select label="Failure mode" description="Runbooks attach by it." data={FAILURE_MODES.map((m) => ({ value: m, label: FAILURE_MODE_LABELS[m] }))} value={failureMode} onChange={setFailureMode} clearable />
        <Textarea label="Summary" value={summary} onChange={(e) => setSummary(e.currentTarget.value)} autosize minRows={3} maxLength={5_000} error={form.errorOf('summary')} />
        {form.formError && !Object.keys(form.fieldErrors).length && <Alert color="red" variant="light">{form.formError}</Alert>}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button onClick={save} loading={form.pending}>Save</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function Header({ incident, can, services }: { incident: IncidentView; can: CockpitProps['can']; services: { id: string; name: string }[] }) {
  const { run, pending } = useIncidentAction(incident.id);
  const [editing, setEditing] = useState(false);
  const v = incident.version;
  return (
    <Stack gap="sm">
      <LinkAnchor href="/incidents" size="sm">← Incidents</LinkAnchor>
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
        <Stack gap={4} style={{ minWidth: 0, flex: '1 1 280px' }}>
          <Group gap="xs" wrap="wrap">
            <Title order={2} style={{ overflowWrap: 'anywhere' }}>{incident.publicId}: {incident.title}</Title>
          </Group>
          <Group gap="xs" wrap="wrap">
            <SeverityBadge severity={incident.severity} size="lg" />
            <IncidentStatusBadge status={incident.status} size="lg" />
            {incident.isDrill && <Badge color="grape" variant="light" size="lg">drill</Badge>}
            {incident.failureMode && <Badge variant="outline" color="gray">{FAILURE_MODE_LABELS[incident.failureMode]}</Badge>}
            {incident.service && <LinkAnchor href={`/services/${encodeURIComponent(incident.service.name)}`} size="sm">{incident.service.name}</LinkAnchor>}
          </Group>
          <Text size="xs" c="dimmed">
            Opened {formatUtc(incident.openedAt, 'second')} by {incident.openedBy === 'system' ? 'Standby' : incident.openedBy} {OPENED_VIA[incident.openedVia] ?? ''}
            {incident.acknowledgedAt && ` · acknowledged ${formatUtc(incident.acknowledgedAt, 'second')} by ${incident.acknowledgedBy}`}
            {incident.resolvedAt && ` · resolved ${formatUtc(incident.resolvedAt, 'second')}`}
          </Text>
        </Stack>
        <Group gap="xs" wrap="wrap">
          <Button component="a" href={`/incidents/${incident.publicId}/postmortem`} variant="light" leftSection={<IconFileDescription size={16} />}>
            Post-mortem{incident.postmortem?.publishedAt ? '' : incident.postmortem ? ' (draft)' : ''}
          </Button>
          {can.runIncident && <Button variant="default" leftSection={<IconPencil size={16} />} onClick={() => setEditing(true)}>Edit</Button>}
        </Group>
      </Group>
      {!incident.acknowledgedAt && (
        <Alert color="red" variant="filled" icon={<IconAlertTriangle size={18} />} title="Nobody has acknowledged this incident" data-testid="unacknowledged" styles={{ body: { minWidth: 0 } }}>
          <Group justify="space-between" wrap="wrap" gap="xs">
            <Text size="sm">{sentence(incident.summary) || `Standby opened it ${OPENED_VIA[incident.openedVia] ?? ''}.`} Assessment time counts until someone takes it.</Text>
            {can.runIncident && (
              <Button color="white" variant="white" c="red" leftSection={<IconUserCheck size={16} />} h="auto" mih={36} py={6} maw="100%" styles={{ label: { whiteSpace: 'normal' } }} loading={pending} onClick={() => run({ incidentId: incident.id, expectedVersion: v }, acknowledgeIncidentAction, 'Acknowledged: you command this incident')}>
                Acknowledge and take command
              </Button>
            )}
          </Group>
        </Alert>
      )}
      <Card withBorder radius="md" padding="sm">
        <Group gap="md" wrap="wrap" align="flex-end">
          <Select
            label="Severity"
            w={170}
            data={SEVERITIES.map((s) => ({ value: s, label: SEVERITY_LABELS[s] }))}
            value={incident.severity}
            onChange={(s) => s && s !== incident.severity && run({ incidentId: incident.id, expectedVersion: v, severity: s }, setSeverityAction, `Severity ${s}`)}
            disabled={!can.runIncident || pending}
            allowDeselect={false}
            aria-label="Severity"
          />
          <Select
            label="Status"
            w={190}
            data={STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] }))}
            value={incident.status}
            onChange={(s) => s && s !== incident.status && run({ incidentId: incident.id, expectedVersion: v, status: s }, setStatusAction, `${STATUS_LABELS[s as keyof typeof STATUS_LABELS]}: ${STATUS_HINTS[s as keyof typeof STATUS_HINTS].toLowerCase()}`)}
            disabled={!can.runIncident || pending}
            allowDeselect={false}
            aria-label="Status"
          />
          {incident.suggestedSeverity && (
            <Tooltip label={incident.severityReasons.join('; ') || 'no measured impact'} multiline w={320}>
              <Text size="sm" c={incident.suggestedSeverity !== incident.severity ? 'orange' : 'dimmed'} data-testid="suggested-severity">
                Standby suggests {incident.suggestedSeverity}: {incident.severityReasons[0] ?? 'no measured impact'}
              </Text>
            </Tooltip>
          )}
        </Group>
      </Card>
      {editing && <EditDialog incident={incident} services={services} onClose={() => setEditing(false)} />}
    </Stack>
  );
}

function Roles({ incident, users, can }: { incident: IncidentView; users: CockpitProps['users']; can: CockpitProps['can'] }) {
  const { run, pending } = useIncidentAction(incident.id);
  return (
    <Card withBorder radius="md" padding="md" component="section" aria-label="Roles">
      <Title order={5} mb="xs">Roles</Title>
      <Stack gap={6}>
        {ROLE_FIELDS.map((role: IncidentRole) =>
          can.runIncident ? (
            <Select
              key={role}
              label={ROLE_LABELS[role]}
              size="xs"
              data={users.map((u) => ({ value: u.id, label: `${u.name} (${u.role})` }))}
              value={incident.roles[role]?.id ?? null}
              onChange={(userId) => run({ incidentId: incident.id, expectedVersion: incident.version, role, userId: userId ?? '' }, assignRoleAction, userId ? `${ROLE_LABELS[role]}: ${users.find((u) => u.id === userId)?.name ?? 'assigned'}` : `${ROLE_LABELS[role]}: nobody`)}
              placeholder="Nobody yet"
              clearable
              searchable
              disabled={pending}
            />
          ) : (
            <Group key={role} justify="space-between">
              <Text size="sm" c="dimmed">{ROLE_LABELS[role]}</Text>
              <Text size="sm">{incident.roles[role]?.name ?? 'nobody yet'}</Text>
            </Group>
          ),
        )}
      </Stack>
    </Card>
  );
}

export function IncidentCockpit({ initial, timeline, names, webhooks, library, users, can, routing }: CockpitProps) {
  const live = useIncidentLive(initial.id);
  const query = useQuery({ ...incidentQueries.incident(initial.id), initialData: initial });
  const incident = query.data;
  const open = isOpen(incident.status);
  return (
    <Stack gap="md">
      <Header incident={incident} can={can} services={names.services} />
      {query.error && <LiveDataAlert error={query.error} subject="This incident" note="What follows is from the last successful update." />}
      <Grid gap="md">
        <GridCol span={{ base: 12, lg: 7 }}>
          <Stack gap="md">
            <RtoClock clock={incident.clock} openedAt={incident.openedAt} endedAt={incident.resolvedAt} />
            <IncidentRunbooks incident={incident} names={names} webhooks={webhooks} library={library} can={open ? can : { ...can, attach: false }} />
            {routing && open && <ServiceRouting initial={routing.initial} canSteer={can.steer} options={routing.options} />}
          </Stack>
        </GridCol>
        <GridCol span={{ base: 12, lg: 5 }}>
          <Stack gap="md">
            <Roles incident={incident} users={users} can={can} />
            <Card withBorder radius="md" padding="md" component="section" aria-labelledby="timeline-title">
              <Title order={5} id="timeline-title" mb="xs">Timeline</Title>
              <IncidentTimeline incidentId={incident.id} openedAt={incident.openedAt} initial={timeline} live={live} canCurate={can.runIncident} canNote={can.note} />
            </Card>
          </Stack>
        </GridCol>
      </Grid>
    </Stack>
  );
}
