'use client';

import { useState } from 'react';
import { Text, TextInput } from '@mantine/core';
import { FormDrawer } from '@/components/ui/form-drawer';
import { useActionForm } from '@/components/ui/use-action-form';
import { saveObjectiveAction } from '@/lib/recovery/actions';
import { formatSpan, toSeconds } from '@/lib/recovery/format';
import { DISRUPTION_LABELS, type DisruptionKind } from '@/lib/recovery/model';
import { objectiveInput } from '@/lib/recovery/schemas';

type Props = {
  componentId: string;
  componentName: string;
  disruption: DisruptionKind;
  /** The objective edited, or null to set a new one (with these starting values). */
  current: { rtoMs: number; rpoMs: number; version: number } | null;
  suggested: { rtoMs: number; rpoMs: number };
  stateful: boolean;
};

/** Sets or changes one objective; the reason is kept with its version and in the audit log. */
export function ObjectiveForm({ componentId, componentName, disruption, current, suggested, stateful }: Props) {
  const [opened, setOpened] = useState(false);
  const start = current ?? suggested;
  const form = useActionForm<{ rtoMs: number; rpoMs: number }>({ schema: objectiveInput,
    success: (o) => `Objective saved: RTO ${formatSpan(o.rtoMs)}, RPO ${formatSpan(o.rpoMs)}.`,
    onSuccess: () => setOpened(false),
  });
  return (
    <FormDrawer
      noun="objective"
      editing={current ? `${DISRUPTION_LABELS[disruption].toLowerCase()}` : undefined}
      form={form}
      opened={opened}
      setOpened={setOpened}
      onSubmit={(event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        form.submit({ componentId, disruption, expectedVersion: current?.version ?? 0, rtoSeconds: data.get('rtoSeconds'), rpoSeconds: data.get('rpoSeconds') ?? '0', reason: data.get('reason') }, saveObjectiveAction);
      }}
    >
      <Text size="sm">
        {componentName}, {DISRUPTION_LABELS[disruption].toLowerCase()}
      </Text>
      <TextInput name="rtoSeconds" label="RTO (seconds)" description="How long it may take to serve again." defaultValue={String(toSeconds(start.rtoMs))} error={form.errorOf('rtoSeconds')} inputMode="decimal" required data-autofocus />
      <TextInput
        name="rpoSeconds"
        label="RPO (seconds)"
        description={stateful ? 'How much data, in time, it may lose.' : 'Holds no state: 0.'}
        defaultValue={String(toSeconds(start.rpoMs))}
        error={form.errorOf('rpoSeconds')}
        inputMode="decimal"
        readOnly={!stateful}
      />
    </FormDrawer>
  );
}
