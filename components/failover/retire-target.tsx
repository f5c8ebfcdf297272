'use client';
// "Retire a model everywhere" from a target's page: this target (or every
// target serving its model) out of every failover chain at once, or a named
// substitute in its place; previewed, with a reason, audited; and the
// retirements that touched it, each revertible.
import { useState } from 'react';
import { Alert, Button, Card, Group, List, ListItem, Modal, SegmentedControl, Select, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { IconAlertTriangle, IconArrowBackUp, IconBan } from '@tabler/icons-react';
import { ReasonField } from '@/components/ui/reason-field';
import { useActionForm } from '@/components/ui/use-action-form';
import { failoverQueries } from '@/lib/failover/queries';
import { retireInput, revertRetirementInput } from '@/lib/failover/retire';
import { retireModelAction, revertRetirementAction } from '@/lib/failover/retire-actions';
import type { RetirementView } from '@/lib/failover/retirement';
import { formatUtc } from '@/lib/shared/format';

type Props = { target: { id: string; name: string; model: string }; targets: { id: string; name: string; model: string }[]; retirements: RetirementView[]; canSteer: boolean };

function RetireDialog({ target, targets, onClose }: Omit<Props, 'retirements' | 'canSteer'> & { onClose: () => void }) {
  const [scope, setScope] = useState<'target' | 'model'>('target');
  const [substituteId, setSubstituteId] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const input = { ...(scope === 'target' ? { targetId: target.id } : { model: target.model }), substituteTargetId: substituteId ?? undefined };
  const preview = useQuery(failoverQueries.retirementPreview(input));
  const p = preview.data;
  const form = useActionForm<{ summary: string }>({
    schema: retireInput,
    success: (done) => ({ title: 'Retired everywhere', message: done.summary }),
    onSuccess: onClose,
    // The chains changed under the preview: read it again against what won.
    onError: () => void preview.refetch(),
    invalidate: [failoverQueries.all()],
  });
  const confirm = () => form.submit({ ...input, reason }, retireModelAction);
  const fieldErrors = form.fieldErrors;
  const substitutes = targets.filter((t) => t.id !== target.id && (scope === 'target' || t.model !== target.model));
  return (
    <Modal opened onClose={onClose} title="Retire everywhere" size="lg">
      <Stack gap="sm">
        <SegmentedControl value={scope} onChange={(v) => setScope(v as 'target' | 'model')} data={[{ value: 'target', label: 'This target' }, { value: 'model', label: 'Every target of its model' }]} fullWidth />
        {/* Names can be long (meta-llama/Llama-3.3-70B-Instruct): said once here, not squeezed into the switch. */}
        <Text size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }}>{scope === 'target' ? `Retires ${target.name} only.` : `Retires every target serving ${target.model}.`}</Text>
        <Select label="Substitute" description="Takes its place, with its settings, in every chain. Without one it is only removed." data={substitutes.map((t) => ({ value: t.id, label: `${t.name} (${t.model})` }))} value={substituteId} onChange={setSubstituteId} clearable searchable error={fieldErrors.substituteTargetId?.join(' ')} />
        {preview.isFetching && <Text size="sm" c="dimmed">Previewing…</Text>}
        {preview.error && <Alert color="red" variant="light">{preview.error.message}</Alert>}
        {p && (
          <Stack gap={6} data-testid="retire-preview">
            {p.services.length === 0 ? <Text size="sm">It is in no failover chain.</Text> : (
              <List size="sm">
                {p.services.map((s) => <ListItem key={s.serviceId}><b>{s.serviceName}</b>: {s.before.join(' → ')} <Text span c="dimmed">becomes</Text> {s.after.join(' → ') || 'nothing'}</ListItem>)}
                {p.degradedTargets.map((d) => <ListItem key={d.serviceName}><b>{d.serviceName}</b>: degraded target {d.from} becomes {d.to ?? 'none'}</ListItem>)}
              </List>
            )}
            {p.warnings.length > 0 && <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />} title="Check before confirming"><List size="sm">{p.warnings.map((w) => <ListItem key={w}>{w}</ListItem>)}</List></Alert>}
            {p.refusal && <Alert color="red" variant="light">{p.refusal}</Alert>}
          </Stack>
        )}
        <ReasonField value={reason} onChange={setReason} error={fieldErrors.reason} description="Kept in the audit log; shown beside the retirement." />
        {form.formError && !Object.keys(fieldErrors).length && <Alert color="red" variant="light">{form.formError}</Alert>}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button color="red" onClick={confirm} loading={form.pending} disabled={!p || !!p.refusal || reason.trim().length < 3}>Retire everywhere</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function RevertDialog({ retirement, onClose }: { retirement: RetirementView; onClose: () => void }) {
  const [reason, setReason] = useState('');
  const form = useActionForm<{ summary: string }>({
    schema: revertRetirementInput,
    success: (done) => ({ title: 'Reverted', message: done.summary }),
    onSuccess: onClose,
    invalidate: [failoverQueries.all()],
  });
  return (
    <Modal opened onClose={onClose} title={`Revert: ${retirement.subject}`}>
      <Stack gap="sm">
        <Text size="sm">Puts the chains of {retirement.services.join(', ')} back exactly as they were before {formatUtc(retirement.createdAt)}, if nobody has edited them since. Pins it ended are not restored.</Text>
        <ReasonField value={reason} onChange={setReason} error={form.fieldErrors.reason} description="Kept in the audit log." />
        {form.formError && !form.fieldErrors.reason && <Alert color="red" variant="light">{form.formError}</Alert>}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button onClick={() => form.submit({ retirementId: retirement.id, reason }, revertRetirementAction)} loading={form.pending} disabled={reason.trim().length < 3}>Revert</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function RetireTargetButton(props: Omit<Props, 'retirements' | 'canSteer'>) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button color="red" variant="light" leftSection={<IconBan size={16} />} onClick={() => setOpen(true)}>Retire everywhere…</Button>
      {open && <RetireDialog {...props} onClose={() => setOpen(false)} />}
    </>
  );
}

export function RetirementsCard({ retirements, canSteer }: Pick<Props, 'retirements' | 'canSteer'>) {
  const [reverting, setReverting] = useState<RetirementView | null>(null);
  if (retirements.length === 0) return null;
  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="retirements-title">
      <Title order={3} size="h4" id="retirements-title" mb="sm">Retirements</Title>
      <Stack gap="xs">
        {retirements.map((r) => (
          <Group key={r.id} justify="space-between" wrap="wrap" gap="xs">
            <Text size="sm">
              {formatUtc(r.createdAt)}: <b>{r.subject}</b> retired from {r.services.join(', ') || 'no chain'}{r.substitute ? ` for ${r.substitute}` : ''} by {r.createdBy} (“{r.reason}”)
              {r.revertedAt && <Text span c="dimmed">; reverted by {r.revertedBy} {formatUtc(r.revertedAt)}</Text>}
            </Text>
            {canSteer && !r.revertedAt && <Button size="compact-sm" variant="light" leftSection={<IconArrowBackUp size={14} />} onClick={() => setReverting(r)}>Revert…</Button>}
          </Group>
        ))}
      </Stack>
      {reverting && <RevertDialog retirement={reverting} onClose={() => setReverting(null)} />}
    </Card>
  );
}
