'use client';
// Opens an incident by hand: a title, the service, a severity (Standby's
// suggestion is computed when it opens), the failure mode that attaches a
// runbook. The commander who opens it commands it.
import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { Alert, Button, Group, Modal, Select, Stack, Textarea, TextInput } from '@mantine/core';
import { IconAlertOctagon } from '@tabler/icons-react';
import { openIncidentAction } from '@/lib/incidents/actions';
import { openIncidentInput } from '@/lib/incidents/schemas';
import { FAILURE_MODES, FAILURE_MODE_LABELS, SEVERITIES, SEVERITY_LABELS } from '@/lib/runbooks/model';
import { useActionForm } from '@/components/ui/use-action-form';

type Props = { services: { id: string; name: string }[]; runbooks: { id: string; name: string }[] };

export function OpenIncidentButton({ services, runbooks }: Props) {
  const router = useRouter();
  const [opened, setOpened] = useState(false);
  const [title, setTitle] = useState('');
  const [serviceId, setServiceId] = useState<string | null>(null);
  const [severity, setSeverity] = useState<string | null>('P2');
  const [failureMode, setFailureMode] = useState<string | null>(null);
  const [runbookId, setRunbookId] = useState<string | null>(null);
  const [summary, setSummary] = useState('');
  const form = useActionForm<{ id: string; publicId: string }>({
    schema: openIncidentInput,
    success: (data) => `${data.publicId} opened`,
    onSuccess: (data) => {
      setOpened(false);
      router.push(`/incidents/${data.publicId}`);
    },
  });
  const open = () => {
    form.reset();
    setTitle('');
    setServiceId(null);
    setSeverity('P2');
    setFailureMode(null);
    setRunbookId(null);
    setSummary('');
    setOpened(true);
  };
  return (
    <>
      <Button color="red" leftSection={<IconAlertOctagon size={16} />} onClick={open}>Open incident</Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title="Open an incident" size="lg">
        <Stack gap="sm">
          <TextInput label="What is happening" placeholder="support-bot answers slowly from OpenAI" value={title} onChange={(e) => setTitle(e.currentTarget.value)} error={form.errorOf('title')} maxLength={200} data-autofocus required />
          <Group grow align="flex-start" wrap="wrap">
            <Select label="Service" data={services.map((s) => ({ value: s.id, label: s.name }))} value={serviceId} onChange={setServiceId} clearable searchable error={form.errorOf('serviceId')} miw={180} />
            <Select label="Severity" data={SEVERITIES.map((s) => ({ value: s, label: SEVERITY_LABELS[s] }))} value={severity} onChange={setSeverity} allowDeselect={false} error={form.errorOf('severity')} miw={140} />
          </Group>
          <Select label="Failure mode" description="The runbook that matches it (and the service) is attached at once." data={FAILURE_MODES.map((m) => ({ value: m, label: FAILURE_MODE_LABELS[m] }))} value={failureMode} onChange={setFailureMode} clearable />
          <Select label="Or this runbook" data={runbooks.map((r) => ({ value: r.id, label: r.name }))} value={runbookId} onChange={setRunbookId} clearable searchable error={form.errorOf('runbookId')} />
          <Textarea label="Summary" value={summary} onChange={(e) => setSummary(e.currentTarget.value)} autosize minRows={2} maxLength={5_000} />
          {form.formError && !form.fieldErrors.title && <Alert color="red" variant="light">{form.formError}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpened(false)}>Cancel</Button>
            <Button color="red" loading={form.pending} onClick={() => form.submit({ title, serviceId: serviceId ?? '', severity, failureMode: failureMode ?? '', runbookId: runbookId ?? '', summary }, openIncidentAction)}>
              Open incident
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
