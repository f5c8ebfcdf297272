'use client';

import { useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import { Alert, Badge, Button, Group, List, ListItem, Modal, Stack, Text, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { previewConfigVersionAction, restoreConfigVersionAction } from '@/lib/config-history/actions';
import type { RestorePreview } from '@/lib/config-history/mutations';

const show = (value: unknown) => (value === null || value === undefined ? '(none)' : Array.isArray(value) ? `[${value.join(', ')}]` : typeof value === 'object' ? JSON.stringify(value) : String(value));

/** Restore a saved version: the impact is previewed first, and the restore refuses to run on an estate changed since. */
export function RestoreVersionButton({ versionId, number }: { versionId: string; number: number }) {
  const router = useRouter();
  const [opened, setOpened] = useState(false);
  const [preview, setPreview] = useState<RestorePreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [loading, startLoading] = useTransition();
  const [pending, startRestore] = useTransition();

  const open = () => {
    setOpened(true);
    setError(null);
    setPreview(null);
    startLoading(async () => {
      const result = await previewConfigVersionAction(versionId).catch(() => ({ ok: false as const, error: 'Standby could not be reached.' }));
      if (result.ok) setPreview(result.data);
      else setError(result.error);
    });
  };
  const restore = () =>
    startRestore(async () => {
      const result = await restoreConfigVersionAction({ versionId, reason, expectedFingerprint: preview?.fingerprint }).catch(() => ({ ok: false as const, error: 'Standby could not be reached.' }));
      if (!result.ok) return setError(result.error);
      notifications.show({ color: 'green', message: `Version ${number} restored: new version${result.data.versions.length === 1 ? '' : 's'} ${result.data.versions.map((v) => `v${v}`).join(', ')}.` });
      setOpened(false);
      router.refresh();
    });

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
              <Textarea label="Reason (kept in the audit log and the new version)" value={reason} onChange={(e) => setReason(e.currentTarget.value)} minRows={2} autosize maxLength={500} data-autofocus />
              <Group justify="flex-end">
                <Button variant="default" onClick={() => setOpened(false)}>
                  Cancel
                </Button>
                <Button color="orange" loading={pending} disabled={preview.blocked} onClick={restore}>
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
