'use client';
// Small writes of the Runbooks pages: add the standard library, archive or restore a runbook.
import { Button } from '@mantine/core';
import { IconArchive, IconBooks, IconRestore } from '@tabler/icons-react';
import { useActionForm } from '@/components/ui/use-action-form';
import { installLibraryAction, setRunbookArchivedAction } from '@/lib/runbooks/actions';
import { archiveRunbookInput } from '@/lib/runbooks/schemas';

export function InstallLibraryButton({ missing }: { missing: number }) {
  const form = useActionForm<{ added: string[] }>({ success: (d) => `Added ${d.added.length} runbook${d.added.length === 1 ? '' : 's'}: ${d.added.join(', ')}` });
  return (
    <Button variant="light" leftSection={<IconBooks size={16} />} loading={form.pending} onClick={() => form.submit(undefined, installLibraryAction)}>
      Add the standard library ({missing})
    </Button>
  );
}

export function ArchiveRunbookButton({ runbookId, version, archived }: { runbookId: string; version: number; archived: boolean }) {
  const form = useActionForm<{ archived: boolean }>({ schema: archiveRunbookInput, success: (d) => (d.archived ? 'Archived: no longer attached to new incidents' : 'Restored to the library') });
  return (
    <Button variant="default" leftSection={archived ? <IconRestore size={16} /> : <IconArchive size={16} />} loading={form.pending} onClick={() => form.submit({ runbookId, expectedVersion: version, archived: !archived }, setRunbookArchivedAction)}>
      {archived ? 'Restore' : 'Archive'}
    </Button>
  );
}
