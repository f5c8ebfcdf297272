'use client';

import { useState } from 'react';
import { Button, NativeSelect, NumberInput, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { FormDrawer } from '@/components/ui/form-drawer';
import { useActionForm } from '@/components/ui/use-action-form';
import { addPartAction, registerModelAction, removePartAction, setLinkAction, updateModelSettingsAction, verifyCopyAction } from '@/lib/backups/actions';
import { PART_KIND_LABELS, PART_KINDS } from '@/lib/backups/parts';
import { linkInput, modelSettingsInput, partInput, registerModelInput } from '@/lib/backups/schemas';

type Region = { code: string; name: string };
const regionOptions = (regions: Region[]) => regions.map((r) => ({ value: r.code, label: `${r.code} (${r.name})` }));
const field = (data: FormData, name: string) => data.get(name) ?? '';

/** Registers a model no self-hosted target serves (a fine-tune, a model staged for later). */
export function RegisterModelForm({ regions }: { regions: Region[] }) {
  const [opened, setOpened] = useState(false);
  const form = useActionForm<{ name: string }>({ schema: registerModelInput, success: (m) => `${m.name} registered: report its copies with backup scan or the API.`, onSuccess: () => setOpened(false) });
  return (
    <FormDrawer
      noun="model"
      form={form}
      opened={opened}
      setOpened={setOpened}
      onSubmit={(event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        form.submit({ name: field(data, 'name'), servingRegion: field(data, 'servingRegion'), description: field(data, 'description'), scheduleHours: field(data, 'scheduleHours'), loadSeconds: field(data, 'loadSeconds'), reason: field(data, 'reason') }, registerModelAction);
      }}
    >
      <TextInput name="name" label="Name" description="As backup jobs will name it in their reports." error={form.errorOf('name')} required data-autofocus />
      <NativeSelect name="servingRegion" label="Serves from" data={regionOptions(regions)} error={form.errorOf('servingRegion')} />
      <TextInput name="description" label="Description" error={form.errorOf('description')} />
      <NumberInput name="scheduleHours" label="A backup every (hours)" defaultValue={24} min={1} error={form.errorOf('scheduleHours')} />
      <NumberInput name="loadSeconds" label="Load and warm-up (seconds)" description="Once the files are on the serving host. Empty: estimated from the size." min={0} error={form.errorOf('loadSeconds')} />
    </FormDrawer>
  );
}

export function ModelSettingsForm({ model, regions }: { model: { id: string; name: string; version: number; servingRegion: string; scheduleHours: number; loadMs: number | null; hasTarget: boolean }; regions: Region[] }) {
  const [opened, setOpened] = useState(false);
  const form = useActionForm({ schema: modelSettingsInput, success: 'Model settings saved.', onSuccess: () => setOpened(false) });
  return (
    <FormDrawer
      noun="model"
      editing={model.name}
      form={form}
      opened={opened}
      setOpened={setOpened}
      onSubmit={(event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        form.submit({ modelId: model.id, expectedVersion: model.version, servingRegion: field(data, 'servingRegion'), scheduleHours: field(data, 'scheduleHours'), loadSeconds: field(data, 'loadSeconds'), reason: field(data, 'reason') }, updateModelSettingsAction);
      }}
    >
      <NativeSelect name="servingRegion" label="Serves from" data={regionOptions(regions)} defaultValue={model.servingRegion} disabled={model.hasTarget} description={model.hasTarget ? "Its target's region." : undefined} error={form.errorOf('servingRegion')} />
      {model.hasTarget && <input type="hidden" name="servingRegion" value={model.servingRegion} />}
      <NumberInput name="scheduleHours" label="A backup every (hours)" defaultValue={model.scheduleHours} min={1} error={form.errorOf('scheduleHours')} data-autofocus />
      <NumberInput name="loadSeconds" label="Load and warm-up (seconds)" description="Empty: 30 s plus the size read at 2 GB/s." defaultValue={model.loadMs === null ? '' : model.loadMs / 1000} min={0} error={form.errorOf('loadSeconds')} />
    </FormDrawer>
  );
}

/** A file every copy must hold beyond the defaults: a prompt template, a system prompt, serving arguments. */
export function PartForm({ modelId }: { modelId: string }) {
  const [opened, setOpened] = useState(false);
  const form = useActionForm({ schema: partInput, success: 'Part required: copies without it are no longer restorable.', onSuccess: () => setOpened(false) });
  return (
    <FormDrawer
      noun="required part"
      form={form}
      opened={opened}
      setOpened={setOpened}
      onSubmit={(event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        form.submit({ modelId, path: field(data, 'path'), kind: field(data, 'kind'), note: field(data, 'note'), reason: field(data, 'reason') }, addPartAction);
      }}
    >
      <TextInput name="path" label="Path in the model folder" placeholder="prompts/system.txt" error={form.errorOf('path')} required data-autofocus />
      <NativeSelect name="kind" label="Kind" data={PART_KINDS.filter((k) => k !== 'other').map((k) => ({ value: k, label: PART_KIND_LABELS[k] }))} defaultValue="prompt_template" error={form.errorOf('kind')} />
      <TextInput name="note" label="Why it matters" placeholder="the support bot's system prompt" error={form.errorOf('note')} />
    </FormDrawer>
  );
}

export function RemovePartButton({ partId, path }: { partId: string; path: string }) {
  return (
    <ConfirmButton
      label="Remove"
      title={`Stop requiring ${path}?`}
      message="Copies without it can then be restorable again."
      confirmLabel="Stop requiring it"
      success={`${path} is no longer required.`}
      danger
      action={(reason) => removePartAction({ partId, reason })}
    />
  );
}

/** The bandwidth from where copies live to where a model serves; a timed restore's measure wins over it. */
export function LinkForm({ regions, link }: { regions: Region[]; link?: { fromRegion: string; toRegion: string; bitsPerSecond: number; note: string; version: number } }) {
  const [opened, setOpened] = useState(false);
  const form = useActionForm({ schema: linkInput, success: 'Bandwidth saved.', onSuccess: () => setOpened(false) });
  return (
    <FormDrawer
      noun="bandwidth"
      editing={link ? `${link.fromRegion} → ${link.toRegion}` : undefined}
      form={form}
      opened={opened}
      setOpened={setOpened}
      onSubmit={(event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        form.submit({ fromRegion: field(data, 'fromRegion'), toRegion: field(data, 'toRegion'), gbps: field(data, 'gbps'), note: field(data, 'note'), expectedVersion: link?.version ?? 0, reason: field(data, 'reason') }, setLinkAction);
      }}
    >
      {link ? <input type="hidden" name="fromRegion" value={link.fromRegion} /> : null}
      {link ? <input type="hidden" name="toRegion" value={link.toRegion} /> : null}
      <NativeSelect name="fromRegion" label="From (where copies are)" data={regionOptions(regions)} defaultValue={link?.fromRegion} disabled={!!link} error={form.errorOf('fromRegion')} />
      <NativeSelect name="toRegion" label="To (where the model serves)" data={regionOptions(regions)} defaultValue={link?.toRegion} disabled={!!link} error={form.errorOf('toRegion')} />
      <NumberInput name="gbps" label="Bandwidth (Gbit/s)" decimalScale={3} min={0.001} defaultValue={link ? link.bitsPerSecond / 1e9 : 1} error={form.errorOf('gbps')} data-autofocus />
      <TextInput name="note" label="Note" placeholder="10 Gbit/s interconnect, shared" defaultValue={link?.note} error={form.errorOf('note')} />
    </FormDrawer>
  );
}

/** Reads the copy where it lives and compares it with its manifest. */
export function VerifyCopyButton({ copyId }: { copyId: string }) {
  const form = useActionForm<{ problems: string[] }>({
    success: (r) =>
      r.problems.length === 0
        ? 'Every file of the copy is where it should be, with its size.'
        : { color: 'orange', title: 'The copy is incomplete', message: `${r.problems.slice(0, 3).join('; ')}${r.problems.length > 3 ? ', …' : ''}` },
    onError: (failure) => notifications.show({ color: 'red', message: failure.error }),
  });
  return (
    <Button size="xs" variant="light" loading={form.pending} onClick={() => form.submit({ copyId }, verifyCopyAction)}>
      Check copy
    </Button>
  );
}
