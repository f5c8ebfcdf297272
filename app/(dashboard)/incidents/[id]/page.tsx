import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { IncidentCockpit } from '@/components/incidents/incident-cockpit';
import { getIncident, getTimeline, listAssignableUsers, resolveIncidentId } from '@/lib/incidents/data';
import { isOpen } from '@/lib/incidents/model';
import { canAddNote, canRunIncident } from '@/lib/incidents/policy';
import { getChainTargetOptions, getServiceRouting } from '@/lib/failover/data';
import { listRunbooks } from '@/lib/runbooks/data';
import { requirePageUser } from '@/lib/server/page-user';
import { db } from '@/lib/server/db';
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
  // During the incident every entry counts; afterwards the curated story comes first.
  const curated = !isOpen(incident.status);
  const [timeline, services, targets, webhooks, library, users, routing, options] = await Promise.all([
    getTimeline(incident.id, { curated }),
    db().service.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true, chain: { orderBy: { position: 'asc' }, select: { target: { select: { id: true, name: true } } } } } }),
    db().target.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true, model: true } }),
    // A drill incident offers only its plan's drill channel (lib/incidents/mutations.ts assertDrillChannel).
    db().notificationWebhook.findMany({ where: { disabledAt: null, ...(incident.isDrill ? { drillPlans: { some: { runs: { some: { incidentId: incident.id } } } } } : {}) }, orderBy: { name: 'asc' }, select: { id: true, name: true } }),
    listRunbooks(),
    runIncident ? listAssignableUsers() : Promise.resolve([]),
    incident.service ? getServiceRouting(incident.service.name) : Promise.resolve(null),
    steer && incident.service ? getChainTargetOptions() : Promise.resolve([]),
  ]);
  return (
    <IncidentCockpit
      initial={incident}
      timeline={{ curated, page: timeline }}
      names={{ services: services.map((s) => ({ id: s.id, name: s.name, chain: s.chain.map((e) => e.target) })), targets }}
      webhooks={webhooks}
      library={library.map((r) => ({ id: r.id, name: r.name }))}
      users={users}
      can={{ runIncident, runActions: steer, note: canAddNote(user.role), steer }}
      routing={routing ? { initial: routing, options } : null}
    />
  );
}
