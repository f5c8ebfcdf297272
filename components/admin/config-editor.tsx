'use client';

import { useRef, useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import { Alert, Anchor, Button, Checkbox, FileButton, Group, List, Paper, Stack, Text, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAlertCircle, IconCheck, IconDownload, IconFileImport, IconRefresh } from '@tabler/icons-react';
import { applyConfigAction } from '@/lib/config/actions';
import type { ConfigApplyResult } from '@/lib/config/apply';
import { ConfigDiff, ConfigSummary } from './config-diff';

type Outcome = { kind: 'validated' | 'applied'; result: ConfigApplyResult; text: string; prune: boolean } | { kind: 'error'; message: string };

const UNREACHABLE = 'Standby could not be reached. Check your connection and try again.';

/**
 * Paste or upload a file, validate it (every problem, or the diff), then apply
 * exactly what was validated: editing the text or the prune choice afterwards
 * asks for a new validation, and the apply carries the fingerprint of the
 * estate it was compared against, so a change made meanwhile is refused.
 */
export function ConfigEditor() {
  const router = useRouter();
  const editor = useRef<HTMLTextAreaElement>(null);
  const [text, setText] = useState('');
  const [prune, setPrune] = useState(false);
  const [reason, setReason] = useState('');
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [pending, startTransition] = useTransition();
  const [loading, setLoading] = useState(false);

  const current = outcome?.kind === 'validated' && outcome.text === text && outcome.prune === prune ? outcome.result : null;
  const canApply = current?.ok === true && current.summary.create + current.summary.update + current.summary.delete > 0;

  const run = (dryRun: boolean) =>
    startTransition(async () => {
      const fingerprint = !dryRun && current?.ok ? current.fingerprint : undefined;
      const response = await applyConfigAction({ yaml: text, dryRun, prune, reason: dryRun ? undefined : reason, expectedFingerprint: fingerprint }).catch(() => null);
      if (!response) return setOutcome({ kind: 'error', message: UNREACHABLE });
      if (!response.ok) return setOutcome({ kind: 'error', message: response.error });
      if (!dryRun && response.data.ok) {
        notifications.show({ color: 'green', message: response.data.applied ? 'Configuration applied.' : 'Nothing to apply: Standby already matched the file.' });
        setReason('');
        router.refresh();
      }
      setOutcome({ kind: dryRun || !response.data.ok ? 'validated' : 'applied', result: response.data, text, prune });
    });

  async function loadCurrent() {
    setLoading(true);
    try {
      const response = await fetch('/api/config', { cache: 'no-store' });
      if (!response.ok) throw new Error(String(response.status));
      setText(await response.text());
      setOutcome(null);
    } catch {
      setOutcome({ kind: 'error', message: 'The current configuration could not be loaded. Reload the page and try again.' });
    } finally {
      setLoading(false);
    }
  }

  async function upload(file: File | null) {
    if (!file) return;
    setText(await file.text());
    setOutcome(null);
  }

  /** Puts the cursor on a problem's line. */
  function goToLine(line: number) {
    const area = editor.current;
    if (!area) return;
    const lines = text.split('\n');
    const start = lines.slice(0, line - 1).reduce((sum, l) => sum + l.length + 1, 0);
    area.focus();
    area.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
    // Selecting does not scroll a textarea in every browser; show a little context above the line.
    area.scrollTop = Math.max(0, (line - 4) * (parseFloat(getComputedStyle(area).lineHeight) || 20));
  }

  const problems = outcome?.kind === 'validated' && !outcome.result.ok ? outcome.result.problems : null;
  const stale = outcome?.kind === 'validated' && !current;

  return (
    <Stack>
      <Group gap="sm">
        <Button component="a" href="/api/config?download=1" variant="default" leftSection={<IconDownload size={16} />}>
          Export (download YAML)
        </Button>
        <Button variant="default" leftSection={<IconRefresh size={16} />} onClick={loadCurrent} loading={loading}>
          Load current configuration
        </Button>
        <FileButton onChange={upload} accept=".yaml,.yml,application/yaml,text/yaml,text/plain">
          {(props) => (
            <Button {...props} variant="default" leftSection={<IconFileImport size={16} />}>
              Upload file
            </Button>
          )}
        </FileButton>
      </Group>

      <Textarea
        ref={editor}
        label="Configuration (YAML)"
        description="Paste a file, upload one, or load the current configuration and edit it. Credentials are referred to by name; secrets never go in this file."
        value={text}
        onChange={(event) => setText(event.currentTarget.value)}
        autosize
        minRows={14}
        maxRows={32}
        spellCheck={false}
        wrap="off"
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 13, whiteSpace: 'pre', overflowX: 'auto' } }}
        placeholder={'apiVersion: standby/v1\nkind: RoutingConfig\nproviders: []\n…'}
      />
      <Checkbox
        label="Prune: delete providers, regions, targets and services that the file leaves out"
        description="Off: they are left as they are. Credentials are never deleted by a file."
        checked={prune}
        onChange={(event) => setPrune(event.currentTarget.checked)}
      />
      <Group>
        <Button onClick={() => run(true)} loading={pending} disabled={!text.trim()}>
          Validate
        </Button>
        {stale && (
          <Text size="sm" c="dimmed">
            The file or the prune choice changed since it was validated: validate again.
          </Text>
        )}
      </Group>

      {outcome?.kind === 'error' && (
        <Alert color="red" variant="light" icon={<IconAlertCircle size={18} />} role="alert">
          {outcome.message}
        </Alert>
      )}

      {problems && !stale && (
        <Alert color="red" variant="light" icon={<IconAlertCircle size={18} />} title={`${problems.length} problem${problems.length === 1 ? '' : 's'}: nothing can be applied until ${problems.length === 1 ? 'it is' : 'they are'} fixed`} role="alert">
          <List size="sm" spacing={4} data-testid="config-problems">
            {problems.map((problem, index) => (
              <List.Item key={index}>
                {problem.line !== undefined && (
                  <Anchor component="button" type="button" size="sm" onClick={() => goToLine(problem.line!)} mr={6}>
                    line {problem.line}
                  </Anchor>
                )}
                {problem.path && (
                  <Text span ff="monospace" size="sm" fw={600} mr={6}>
                    {problem.path}
                  </Text>
                )}
                {problem.message}
              </List.Item>
            ))}
          </List>
        </Alert>
      )}

      {current?.ok && (
        <Paper withBorder p="md" radius="md">
          <Stack>
            <Group justify="space-between">
              <Title order={4}>What applying would change</Title>
              <ConfigSummary summary={current.summary} />
            </Group>
            {current.diff.length === 0 ? (
              <Text size="sm" c="dimmed">Nothing: Standby already matches this file.</Text>
            ) : (
              <ConfigDiff diff={current.diff} />
            )}
            {canApply && (
              <>
                <Textarea label="Reason (kept in the audit log)" value={reason} onChange={(event) => setReason(event.currentTarget.value)} maxLength={500} autosize minRows={2} />
                <Group>
                  <Button color={current.summary.delete ? 'red' : undefined} onClick={() => run(false)} loading={pending}>
                    Apply {current.summary.create + current.summary.update + current.summary.delete} change{current.summary.create + current.summary.update + current.summary.delete === 1 ? '' : 's'}
                  </Button>
                  <Text size="sm" c="dimmed">All of them in one transaction, or none.</Text>
                </Group>
              </>
            )}
          </Stack>
        </Paper>
      )}

      {outcome?.kind === 'applied' && outcome.result.ok && (
        <Alert color="green" variant="light" icon={<IconCheck size={18} />} title={outcome.result.applied ? 'Applied' : 'Nothing to apply'} data-testid="config-applied">
          {outcome.result.applied ? (
            <>
              <ConfigSummary summary={outcome.result.summary} />
              <Text size="sm" mt="xs">
                The gateway picks the change up within seconds. The audit log has one entry for this apply.
              </Text>
            </>
          ) : (
            'Standby already matched the file.'
          )}
        </Alert>
      )}
    </Stack>
  );
}
