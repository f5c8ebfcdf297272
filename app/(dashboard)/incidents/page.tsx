import type { Metadata } from 'next';
import { Card, Stack, Text, Title } from '@mantine/core';
import { FollowUpsTable, OpenIncidentCards, PastIncidentsTable } from '@/components/incidents/incident-list';
import { IncidentsLiveRefresh } from '@/components/incidents/live-refresh';
import { OpenIncidentButton } from '@/components/incidents/open-incident-button';
import { EmptyState } from '@/components/ui/empty-state';
import { LinkAnchor } from '@/components/ui/link-anchor';
import { PageHeader } from '@/components/ui/page-header';
import { listIncidents, listOpenFollowUps, listServiceChoices } from '@/lib/incidents/data';
import { isOpen } from '@/lib/incidents/model';
import { canRunIncident } from '@/lib/incidents/policy';
import { listRunbooks } from '@/lib/runbooks/data';
import { requirePageUser } from '@/lib/server/page-user';

export const metadata: Metadata = { title: 'Incidents' };

export default async function IncidentsPage() {
  const user = await requirePageUser('estate.read');
  const canOpen = canRunIncident(user.role);
  const [{ rows }, followUps, services, runbooks] = await Promise.all([
    listIncidents('all', { limit: 100 }),
    listOpenFollowUps(),
    canOpen ? listServiceChoices() : Promise.resolve([]),
    canOpen ? listRunbooks() : Promise.resolve([]),
  ]);
  const open = rows.filter((r) => isOpen(r.status));
  const past = rows.filter((r) => !isOpen(r.status));
  return (
    <>
      <IncidentsLiveRefresh />
      <PageHeader
        title="Incidents"
        description="Run an outage from here: the incident's runbook step by step, steering from the same screen, a timeline Standby writes itself, and the post-mortem. Standby opens an incident by itself when a page-level burn-rate alert fires, a primary's breaker stays open for a minute, or nothing can serve a service. Times are UTC."
        actions={canOpen ? <OpenIncidentButton services={services} runbooks={runbooks.map((r) => ({ id: r.id, name: r.name }))} /> : null}
      />
      <Stack gap="lg">
        <section aria-labelledby="open-title">
          <Title order={4} id="open-title" mb="sm">Open now</Title>
          {open.length === 0 ? (
            <EmptyState title="No open incident">Callers are served. When a rule fires, the incident appears here by itself, with its runbook attached.</EmptyState>
          ) : (
            <OpenIncidentCards rows={open} />
          )}
        </section>
        <Card withBorder radius="md" padding="md" component="section" aria-labelledby="followups-title">
          <Title order={4} id="followups-title" mb={4}>Open follow-ups</Title>
          <Text size="xs" c="dimmed" mb="sm">What post-mortems asked for, until it is done.</Text>
          {followUps.length === 0 ? <Text size="sm" c="dimmed">None open.</Text> : <FollowUpsTable rows={followUps} today={new Date().toISOString().slice(0, 10)} />}
        </Card>
        <Card withBorder radius="md" padding="md" component="section" aria-labelledby="past-title">
          <Title order={4} id="past-title" mb="sm">Past incidents</Title>
          {past.length === 0 ? (
            <Text size="sm" c="dimmed">None yet. <LinkAnchor href="/runbooks" size="sm">The runbooks</LinkAnchor> say what an incident will follow.</Text>
          ) : (
            <PastIncidentsTable rows={past} />
          )}
        </Card>
      </Stack>
    </>
  );
}
