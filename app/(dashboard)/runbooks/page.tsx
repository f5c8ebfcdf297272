import type { Metadata } from 'next';
import { Button, Card, Stack, Text, Title } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { InstallLibraryButton } from '@/components/runbooks/library-actions';
import { RunbookList } from '@/components/runbooks/runbook-list';
import { WebhooksPanel } from '@/components/runbooks/webhooks-panel';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { canEditRunbooks, canManageWebhooks } from '@/lib/incidents/policy';
import { listRunbooks, listWebhooks } from '@/lib/runbooks/data';
import { LIBRARY } from '@/lib/runbooks/library';
import { requirePageUser } from '@/lib/server/page-user';

export const metadata: Metadata = { title: 'Runbooks' };

export default async function RunbooksPage() {
  const user = await requirePageUser('estate.read');
  const [rows, webhooks] = await Promise.all([listRunbooks({ includeArchived: true }), listWebhooks()]);
  const canEdit = canEditRunbooks(user.role);
  const names = new Set(rows.map((r) => r.name));
  const missing = LIBRARY.filter((r) => !names.has(r.name)).length;
  return (
    <>
      <PageHeader
        title="Runbooks"
        description="What to do for each failure mode, step by step. A runbook attaches to an incident by its conditions (failure mode, severity, services, targets); its action steps act on the gateway with a preview, its checks turn green by themselves from live telemetry, its notifications go to webhooks. Every edit makes a new version; an incident keeps the version it ran."
        actions={
          canEdit ? (
            <>
              {missing > 0 && <InstallLibraryButton missing={missing} />}
              <Button component="a" href="/runbooks/new" leftSection={<IconPlus size={16} />}>New runbook</Button>
            </>
          ) : null
        }
      />
      <Stack gap="lg">
        {rows.length === 0 ? (
          <EmptyState title="No runbooks yet">
            {canEdit ? 'Add the standard library (one runbook for each failure mode, ready to edit) or write your own.' : 'Operators and commanders write runbooks.'}
          </EmptyState>
        ) : (
          <RunbookList rows={rows} />
        )}
        <Card withBorder radius="md" padding="md" component="section" aria-labelledby="webhooks-title">
          <Title order={4} id="webhooks-title" mb={4}>Notification webhooks</Title>
          <Text size="xs" c="dimmed" mb="sm">Where notify steps post, with retries; every attempt goes on the incident&apos;s timeline. Admins manage them: their URLs are secrets.</Text>
          <WebhooksPanel webhooks={webhooks} canManage={canManageWebhooks(user.role)} />
        </Card>
      </Stack>
    </>
  );
}
