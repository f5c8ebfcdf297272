'use client';

import { useState } from 'react';
import { Alert, Badge, Button, Group, List, ListItem, Modal, Stack, Text, Textarea, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useActionForm } from '@/components/ui/use-action-form';
import { restoreConfigVersionAction } from '@/lib/config-history/actions';
import type { RestoreResult } from '@/lib/config-history/mutations';
import { configHistoryQueries } from '@/lib/config-history/queries';
import { restoreVersionInput } from '@/lib/config-history/schemas';

const show = (value: unknown) => (value === null || value === undefined ? '(none)' : Array.isArray(value) ? `[${value.join(', ')}]` : typeof value === 'object' ? JSON.stringify(value) : String(value));

/** Restore a saved version: the impact is previewed first, and the restore refuses to run on an estate changed since. */
export function RestoreVersionButton({ versionId, number }: { versionId: string; number: number }) {
  const queryClient = useQueryClient();
  const [opened, setOpened] = useState(false);
  const [reason, setReason] = useState('');
  const previewQuery = useQuery({ ...configHistoryQueries.restorePreview(versionId), enabled: opened });
  const preview = previewQuery.data ?? null;
  const form = useActionForm<RestoreResult>({
    schema: restoreVersionInput,
    success: (r) => `Version ${number} restored: new version${r.versions.length === 1 ? '' : 's'} ${r.versions.map((v) => `v${v}`).join(', ')}.`,
    onSuccess: () => {
      setOpened(false);
      setReason('');
    },
    // A stale preview: show what the restore would change now.
    onError: (failure) => {
      if (failure.code === 'CONFLICT') void previewQuery.refetch();
    },
    invalidate: [configHistoryQueries.all()],
  });
  const open = () => {
    form.reset();
    queryClient.removeQueries({ queryKey: configHistoryQueries.restorePreview(versionId).queryKey });
    setOpened(true);
  };
  const restore = () => form.submit({ versionId, reason, expectedFingerprint: preview?.fingerprint }, restoreConfigVersionAction);
  const loading = previewQuery.isFetching && !preview;
  const error = form.formError ?? previewQuery.error?.message ?? null;

  const changing = preview?.sections.filter((s) => !s.unchanged) ?? [];
  return (
    <>
      <Button onClick={open} variant="light" color="orange">
        Restore this version
      </Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title={`Restore version ${number}?`} size="lg" centered>
        <Stack>
          {loading && <Text size="sm">Working out what the restore would change…</Text>}
          {error && (
            <Alert color="red" variant="light" role="alert">
              {error}
            </Alert>
          )}
          {preview && preview.unchanged && <Text size="sm">The configuration already is as it was at version {number}: nothing to restore.</Text>}
          {preview && !preview.unchanged && (
            <>
              <Text size="sm">The estate goes back to how it was at version {number} ({preview.version.summary}). Everything below changes at once, or nothing does.</Text>
              {changing.map((section) => (
                <Stack key={section.key} gap={4} data-testid="restore-section">
                  <Title order={5}>
                    {section.title} <Badge variant="light">from v{section.fromVersion}</Badge>
                  </Title>
                  {section.problems.length > 0 && (
                    <Alert color="red" variant="light" title="This version cannot be restored as it stands">
                      <List size="sm">
                        {section.problems.map((p) => (
                          <ListItem key={`${p.path}${p.message}`}>
                            {p.path ? `${p.path}: ` : ''}
                            {p.message}
                          </ListItem>
                        ))}
                      </List>
                    </Alert>
                  )}
                  {section.impact.length > 0 && (
                    <List size="sm" c="orange.8" data-testid="restore-impact">
                      {section.impact.map((line) => (
                        <ListItem key={line}>{line}</ListItem>
                      ))}
                    </List>
                  )}
                  <List size="xs" spacing={2}>
                    {section.changes.filter((c) => c.kind !== 'unmanaged').slice(0, 30).map((c) => (
                      <ListItem key={`${c.entity}/${c.name}/${c.kind}`}>
                        <b>
                          {c.kind} {c.entity} {c.name}
                        </b>
                        {c.changes.slice(0, 6).map((f) => (
                          <Text key={f.field} size="xs" c="dimmed">
                            {f.field}: {show(f.from)} → {show(f.to)}
                          </Text>
                        ))}
                      </ListItem>
                    ))}
                  </List>
                </Stack>
              ))}
              <List size="xs" c="dimmed">
                {preview.notes.map((n) => (
                  <ListItem key={n}>{n}</ListItem>
                ))}
              </List>
              <Textarea label="Reason (kept in the audit log and the new version)" value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={form.errorOf('reason')} minRows={2} autosize maxLength={500} required data-autofocus />
              <Group justify="flex-end">
                <Button variant="default" onClick={() => setOpened(false)}>
                  Cancel
                </Button>
                <Button color="orange" loading={form.pending} disabled={preview.blocked} onClick={restore}>
                  Restore version {number}
                </Button>
              </Group>
            </>
          )}
        </Stack>
      </Modal>
    </>
  );
}
