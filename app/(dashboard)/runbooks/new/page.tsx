import type { Metadata } from 'next';
import { RunbookEditor } from '@/components/runbooks/runbook-editor';
import { LinkAnchor } from '@/components/ui/link-anchor';
import { PageHeader } from '@/components/ui/page-header';
import { RoleRequired } from '@/components/ui/role-required';
import { getEditorChoices } from '@/lib/runbooks/data';
import { pageUserIfPermitted } from '@/lib/server/page-user';

export const metadata: Metadata = { title: 'New runbook' };

export default async function NewRunbookPage() {
  const user = await pageUserIfPermitted('runbooks.write');
  if (!user) return <RoleRequired role="operator, commander or admin">Runbooks are written by operators, commanders and admins; everyone reads them on the Runbooks page.</RoleRequired>;
  const choices = await getEditorChoices();
  return (
    <>
      <LinkAnchor href="/runbooks" size="sm">← Runbooks</LinkAnchor>
      <PageHeader title="New runbook" description="Blank parameters are filled from the incident when a step runs: its service, the target at the heart of it." />
      <RunbookEditor choices={choices} initial={{ id: null, version: 0, name: '', failureMode: 'provider_outage', summary: '', severities: [], serviceIds: [], targetIds: [], steps: [] }} />
    </>
  );
}
