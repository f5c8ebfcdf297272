'use client';
// The incident's timeline, live: curated (the story) beside all entries,
// newest first, a page at a time. Commanders correct a time (with a reason,
// the old time kept) and choose what the curated view shows; notes go on it
// at once for everyone watching.
import { memo, useCallback, useEffect, useRef, useState } from 'react';
import { ActionIcon, Alert, Badge, Button, Group, Menu, Modal, SegmentedControl, Stack, Text, Textarea, TextInput, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { IconClockEdit, IconDots, IconPencil, IconStar, IconStarOff } from '@tabler/icons-react';
import { addNoteAction, correctTimeAction, setCuratedAction } from '@/lib/incidents/actions';
import type { TimelinePage } from '@/lib/incidents/data';
import { incidentQueries } from '@/lib/incidents/queries';
import { addNoteInput, correctTimeInput } from '@/lib/incidents/schemas';
import { foldRepeats, type TimelineEventView, type TimelineLine } from '@/lib/incidents/timeline-view';
import { LiveDataAlert } from '@/components/ui/live-data-alert';
import { useActionForm } from '@/components/ui/use-action-form';
import { useIncidentAction } from './use-incident-action';
import { mergeEntries, type LiveState } from './use-incident-live';

const KIND_COLORS: Record<string, string> = {
  opened: 'red', acknowledged: 'violet', alert: 'red', breaker: 'orange', override: 'blue', tier: 'yellow', episode: 'grape', step: 'teal', runbook: 'teal',
  notification: 'cyan', role: 'gray', severity: 'red', status: 'indigo', note: 'dark', signal: 'orange', retirement: 'red', postmortem: 'grape', followup: 'gray', edit: 'gray',
};

const utcTime = (iso: string) => `${iso.slice(11, 19)}`;

/** Time from the incident's opening: +2m05s, +3h12m, or before it −40s. */
function offsetOf(ms: number): string {
  const sign = ms < 0 ? '−' : '+';
  const s = Math.floor(Math.abs(ms) / 1000);
  if (s < 60) return `${sign}${s}s`;
  if (s < 3600) return `${sign}${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86_400) return `${sign}${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${sign}${Math.floor(s / 86_400)}d${String(Math.floor((s % 86_400) / 3600)).padStart(2, '0')}h`;
}

type EntryProps = { event: TimelineEventView; openedAt: string; canCurate: boolean; onCorrect: (e: TimelineEventView) => void; onCurate: (e: TimelineEventView) => void };

const Entry = memo(function Entry({ event, openedAt, canCurate, onCorrect, onCurate }: EntryProps) {
  const offset = Date.parse(event.at) - Date.parse(openedAt);
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start" py={6} style={{ borderBottom: '1px solid var(--mantine-color-default-border)' }} data-testid="timeline-entry" data-kind={event.kind}>
      <Stack gap={0} w={74} style={{ flexShrink: 0 }}>
        <Text size="xs" ff="monospace" fw={600}>{utcTime(event.at)}</Text>
        <Tooltip label={`${event.at.slice(0, 10)}, ${offset >= 0 ? 'after' : 'before'} the incident opened`}>
          <Text size="10px" c="dimmed" ff="monospace">{offsetOf(offset)}</Text>
        </Tooltip>
      </Stack>
      <Stack gap={2} style={{ flex: 1, minWidth: 0 }}>
        <Group gap={6} wrap="wrap">
          <Badge size="xs" variant="light" color={KIND_COLORS[event.kind] ?? 'gray'}>{event.kind}</Badge>
          <Text size="xs" c="dimmed">{event.actorName ?? event.actor}</Text>
          {event.correctedAt && (
            <Tooltip label={`Recorded at ${event.originalAt?.slice(0, 19).replace('T', ' ')} UTC; corrected by ${event.correctedBy}: ${event.correctionReason}`} multiline w={280}>
              <Badge size="xs" variant="outline" color="gray" leftSection={<IconClockEdit size={10} />}>time corrected</Badge>
            </Tooltip>
          )}
        </Group>
        <Text size="sm" style={{ overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' }}>{event.text}</Text>
      </Stack>
      {canCurate && (
        <Menu position="bottom-end" withinPortal>
          <Menu.Target>
            <ActionIcon variant="subtle" size="sm" color="gray" aria-label="Entry actions">
              <IconDots size={14} />
            </ActionIcon>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Item leftSection={<IconPencil size={14} />} onClick={() => onCorrect(event)}>Correct the time</Menu.Item>
            <Menu.Item leftSection={event.curated ? <IconStarOff size={14} /> : <IconStar size={14} />} onClick={() => onCurate(event)}>
              {event.curated ? 'Leave out of the curated view' : 'Show in the curated view'}
            </Menu.Item>
          </Menu.Dropdown>
        </Menu>
      )}
    </Group>
  );
});

/** The entries between the first and the last of a run of one subject, as one line that shows them on request. */
function FoldedEntries({ line, onShow }: { line: Extract<TimelineLine, { kind: 'folded' }>; onShow: (key: string) => void }) {
  const newest = line.events[0];
  const oldest = line.events.at(-1)!;
  return (
    <Group gap="xs" wrap="nowrap" py={6} style={{ borderBottom: '1px solid var(--mantine-color-default-border)' }} data-testid="timeline-folded">
      <Text size="xs" c="dimmed" ff="monospace" w={74} style={{ flexShrink: 0 }}>⋮</Text>
      <Text size="sm" c="dimmed" style={{ flex: 1, minWidth: 0 }}>
        {line.events.length} more changes of the same {newest.kind}, {utcTime(oldest.at)} to {utcTime(newest.at)} UTC
      </Text>
      <Button variant="subtle" size="compact-xs" onClick={() => onShow(line.key)}>Show them</Button>
    </Group>
  );
}

function CorrectTimeDialog({ event, onClose }: { event: TimelineEventView; onClose: () => void }) {
  const [at, setAt] = useState(event.at.slice(0, 19).replace('T', ' '));
  const [reason, setReason] = useState('');
  const form = useActionForm({ schema: correctTimeInput, success: 'Time corrected; the time it had is kept.', onSuccess: onClose });
  const submit = () => form.submit({ eventId: event.id, at, reason }, correctTimeAction);
  return (
    <Modal opened onClose={onClose} title="Correct the time of an entry">
      <Stack gap="sm">
        <Text size="sm">{event.text}</Text>
        <TextInput label="When it really happened (UTC)" description="YYYY-MM-DD HH:MM:SS" value={at} onChange={(e) => setAt(e.currentTarget.value)} error={form.errorOf('at')} data-autofocus />
        <Textarea label="Why the recorded time is wrong" value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={form.errorOf('reason')} autosize minRows={2} maxLength={500} />
        {form.formError && !Object.keys(form.fieldErrors).length && <Alert color="red" variant="light">{form.formError}</Alert>}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button onClick={submit} loading={form.pending}>Correct</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function NoteComposer({ incidentId }: { incidentId: string }) {
  const [text, setText] = useState('');
  const [at, setAt] = useState('');
  const [withTime, setWithTime] = useState(false);
  // The note shows on the timeline at once (the live stream); the notification only confirms it was kept.
  const form = useActionForm({
    schema: addNoteInput,
    success: 'Note added',
    onSuccess: () => {
      setText('');
      setAt('');
      setWithTime(false);
    },
  });
  const submit = () => form.submit({ incidentId, text, at: withTime ? at : undefined }, addNoteAction);
  return (
    <Stack gap={6}>
      <Textarea
        placeholder="Add a note: what you see, what you decided, who you called"
        aria-label="Note"
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.metaKey || e.ctrlKey) && text.trim()) submit();
        }}
        error={form.errorOf('text') ?? (form.formError && !Object.keys(form.fieldErrors).length ? form.formError : undefined)}
        autosize
        minRows={2}
        maxLength={5_000}
      />
      {withTime && <TextInput size="xs" label="It happened at (UTC)" placeholder="YYYY-MM-DD HH:MM:SS" value={at} onChange={(e) => setAt(e.currentTarget.value)} error={form.errorOf('at')} />}
      <Group justify="space-between">
        <Button variant="subtle" size="compact-xs" onClick={() => setWithTime((v) => !v)}>{withTime ? 'Now' : 'Earlier…'}</Button>
        <Button size="xs" onClick={submit} loading={form.pending} disabled={!text.trim()}>Add note</Button>
      </Group>
    </Stack>
  );
}

type Props = { incidentId: string; openedAt: string; initial: { curated: boolean; page: TimelinePage }; live: LiveState; canCurate: boolean; canNote: boolean };

export function IncidentTimeline({ incidentId, openedAt, initial, live, canCurate, canNote }: Props) {
  const queryClient = useQueryClient();
  const [curated, setCurated] = useState(initial.curated);
  const [correcting, setCorrecting] = useState<TimelineEventView | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  // All entries fold a run of one subject (a flapping breaker) between its first and last; each can be shown.
  const [unfolded, setUnfolded] = useState<ReadonlySet<string>>(new Set());
  const showFolded = useCallback((key: string) => setUnfolded((current) => new Set([...current, key])), []);
  // One stable callback for every entry, so a live entry re-renders only itself (Entry is memoised).
  const curation = useIncidentAction(incidentId);
  const runCuration = useRef(curation.run);
  useEffect(() => {
    runCuration.current = curation.run;
  });
  const curate = useCallback(
    (event: TimelineEventView) => runCuration.current({ eventId: event.id, curated: !event.curated }, setCuratedAction, event.curated ? 'Left out of the curated view' : 'Shown in the curated view'),
    [],
  );
  const query = useQuery({ ...incidentQueries.timeline(incidentId, curated), initialData: curated === initial.curated ? initial.page : undefined });
  const page = query.data;

  const loadEarlier = async () => {
    if (!page?.cursor) return;
    setLoadingMore(true);
    try {
      const response = await fetch(`/api/incidents/${encodeURIComponent(incidentId)}/timeline?before=${encodeURIComponent(page.cursor)}${curated ? '&view=curated' : ''}`, { cache: 'no-store' });
      if (!response.ok) throw new Error(`Standby answered ${response.status}`);
      const older = (await response.json()) as TimelinePage;
      queryClient.setQueryData(incidentQueries.timeline(incidentId, curated).queryKey, (current: TimelinePage | undefined) => {
        const merged = mergeEntries(current, older.events, curated);
        return merged ? { ...merged, hasMore: older.hasMore, cursor: older.cursor } : merged;
      });
    } catch (error) {
      notifications.show({ color: 'red', message: `Could not load earlier entries: ${error instanceof Error ? error.message : 'unknown error'}` });
    } finally {
      setLoadingMore(false);
    }
  };

  return (
    <Stack gap="sm" data-testid="timeline">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <SegmentedControl size="xs" value={curated ? 'curated' : 'all'} onChange={(v) => setCurated(v === 'curated')} data={[{ value: 'curated', label: 'Curated' }, { value: 'all', label: 'All entries' }]} aria-label="Timeline view" />
        <Tooltip label={live === 'live' ? 'New entries appear here within a second, for everyone watching.' : 'Reconnecting to the live stream; the page also refreshes every 15 s.'}>
          <Badge color={live === 'live' ? 'teal' : 'yellow'} variant="dot" data-testid="live-state">{live === 'live' ? 'Live' : live === 'connecting' ? 'Connecting' : 'Reconnecting'}</Badge>
        </Tooltip>
      </Group>
      {canNote && <NoteComposer incidentId={incidentId} />}
      {query.error && <LiveDataAlert error={query.error} subject="The timeline" />}
      {!page ? (
        <Text size="sm" c="dimmed">Loading the timeline…</Text>
      ) : page.events.length === 0 ? (
        <Text size="sm" c="dimmed">{curated ? 'Nothing in the curated view yet. Switch to all entries, or mark entries for it.' : 'Nothing on the timeline yet.'}</Text>
      ) : (
        <div>
          {(curated ? page.events.map((event): TimelineLine => ({ kind: 'entry', event })) : foldRepeats(page.events, unfolded)).map((line) =>
            line.kind === 'entry' ? (
              <Entry key={line.event.id} event={line.event} openedAt={openedAt} canCurate={canCurate} onCorrect={setCorrecting} onCurate={curate} />
            ) : (
              <FoldedEntries key={`folded-${line.key}`} line={line} onShow={showFolded} />
            ),
          )}
        </div>
      )}
      {page?.hasMore && (
        <Button variant="subtle" size="xs" onClick={loadEarlier} loading={loadingMore}>
          Load earlier entries
        </Button>
      )}
      {correcting && <CorrectTimeDialog key={correcting.id} event={correcting} onClose={() => setCorrecting(null)} />}
    </Stack>
  );
}
