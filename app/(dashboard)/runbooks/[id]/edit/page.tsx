import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { RunbookEditor } from '@/components/runbooks/runbook-editor';
import { LinkAnchor } from '@/components/ui/link-anchor';
import { PageHeader } from '@/components/ui/page-header';
import { RoleRequired } from '@/components/ui/role-required';
import { getEditorChoices, getRunbook } from '@/lib/runbooks/data';
import { pageUserIfPermitted } from '@/lib/server/page-user';

export const metadata: Metadata = { title: 'Edit runbook' };

export default async function EditRunbookPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await pageUserIfPermitted('runbooks.write');
  if (!user) return <RoleRequired role="operator, commander or admin">Runbooks are edited by operators, commanders and admins; everyone reads them on the Runbooks page.</RoleRequired>;
  const { id } = await params;
  if (!/^[0-9a-f-]{36}$/i.test(id)) notFound();
  const [runbook, choices] = await Promise.all([getRunbook(id), getEditorChoices()]);
  if (!runbook) notFound();
  const v = runbook.shown;
  return (
    <>
      <LinkAnchor href={`/runbooks/${id}`} size="sm">← {v.name}</LinkAnchor>
      <PageHeader title={`Edit: ${v.name}`} description={`Saving makes version ${runbook.version + 1}. Incidents that are following version ${runbook.version} keep it.`} />
      <RunbookEditor
        choices={choices}
        initial={{
          id, version: runbook.version, name: v.name, failureMode: v.failureMode, summary: v.summary, severities: v.severities, serviceIds: v.serviceIds, targetIds: v.targetIds,
          steps: v.steps.map((s) => ({ key: s.key, kind: s.kind, title: s.title, body: s.body, lane: s.lane, expectedMinutes: s.expectedMinutes, params: (s.rawParams ?? {}) as Record<string, unknown> })),
        }}
      />
    </>
  );
}
