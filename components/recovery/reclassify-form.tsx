'use client';

import { useState } from 'react';
import { Select } from '@mantine/core';
import { FormDrawer } from '@/components/ui/form-drawer';
import { useActionForm } from '@/components/ui/use-action-form';
import { reclassifyEpisodeAction } from '@/lib/recovery/actions';
import { DISRUPTIONS, DISRUPTION_LABELS, type DisruptionKind } from '@/lib/recovery/model';
import { reclassifyInput } from '@/lib/recovery/schemas';

/** A person's word on the kind of disruption, when the detector's inference was wrong. */
export function ReclassifyForm({ episodeId, disruption }: { episodeId: string; disruption: DisruptionKind }) {
  const [opened, setOpened] = useState(false);
  const [value, setValue] = useState<string | null>(disruption);
  const form = useActionForm({ schema: reclassifyInput, success: 'Episode reclassified.', onSuccess: () => setOpened(false) });
  return (
    <FormDrawer
      noun="classification"
      editing="of this episode"
      form={form}
      opened={opened}
      setOpened={setOpened}
      onOpen={() => setValue(disruption)}
      onSubmit={(event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        form.submit({ episodeId, disruption: value, reason: data.get('reason') }, reclassifyEpisodeAction);
      }}
    >
      <Select label="Kind of disruption" data={DISRUPTIONS.map((d) => ({ value: d, label: DISRUPTION_LABELS[d] }))} value={value} onChange={setValue} allowDeselect={false} error={form.errorOf('disruption')} />
    </FormDrawer>
  );
}
