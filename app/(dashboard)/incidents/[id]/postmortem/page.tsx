import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { PostmortemPage } from '@/components/incidents/postmortem';
import { getPostmortem, listAssignableUsers, resolveIncidentId } from '@/lib/incidents/data';
import { canRunIncident } from '@/lib/incidents/policy';
import { requirePageUser } from '@/lib/server/page-user';

type Params = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  return { title: `${decodeURIComponent((await params).id).toUpperCase()} post-mortem` };
}

export default async function Page({ params }: Params) {
  const user = await requirePageUser('estate.read');
  const id = await resolveIncidentId(decodeURIComponent((await params).id));
  const view = id ? await getPostmortem(id) : null;
  if (!view) notFound();
  const canWrite = canRunIncident(user.role);
  const users = canWrite ? await listAssignableUsers() : [];
  return <PostmortemPage view={view} canWrite={canWrite} users={users.map((u) => ({ id: u.id, name: u.name }))} />;
}
