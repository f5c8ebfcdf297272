import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { IncidentCockpit } from '@/components/incidents/incident-cockpit';
import { getIncident, getStepChoices, getTimeline, listAssignableUsers, resolveIncidentId } from '@/lib/incidents/data';
import { canAddNote, canRunIncident } from '@/lib/incidents/policy';
import { getChainTargetOptions, getServiceRouting } from '@/lib/failover/data';
import { listActiveWebhooks, listRunbooks } from '@/lib/runbooks/data';
import { requirePageUser } from '@/lib/server/page-user';
import { hasPermission } from '@/lib/server/permissions';

type Params = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  return { title: decodeURIComponent((await params).id).toUpperCase() };
}

export default async function IncidentPage({ params }: Params) {
  const user = await requirePageUser('estate.read');
  const id = await resolveIncidentId(decodeURIComponent((await params).id));
  const incident = id ? await getIncident(id) : null;
  if (!incident) notFound();
  const runIncident = canRunIncident(user.role);
  const steer = hasPermission(user.role, 'failover.write');
  // The curated story first, during the incident too: a flapping breaker writes two entries at every
  // half-open probe, which bury the steps and notes; the full view is one click away.
  const curated = true;
  const [timeline, names, webhooks, library, users, routing, options] = await Promise.all([
    getTimeline(incident.id, { curated }),
    getStepChoices(),
    listActiveWebhooks(incident.isDrill ? incident.id : undefined),
    listRunbooks(),
    runIncident ? listAssignableUsers() : Promise.resolve([]),
    incident.service ? getServiceRouting(incident.service.name) : Promise.resolve(null),
    steer && incident.service ? getChainTargetOptions() : Promise.resolve([]),
  ]);
  return (
    <IncidentCockpit
      initial={incident}
      timeline={{ curated, page: timeline }}
      names={names}
      webhooks={webhooks}
      library={library.map((r) => ({ id: r.id, name: r.name }))}
      users={users}
      can={{ runIncident, runActions: steer, note: canAddNote(user.role), steer }}
      routing={routing ? { initial: routing, options } : null}
    />
  );
}
