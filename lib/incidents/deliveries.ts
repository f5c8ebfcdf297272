import 'server-only';
// The leader's delivery loop for notify steps: every second it claims the
// deliveries that are due (FOR UPDATE SKIP LOCKED, with a lease, so two
// leaders for a moment never send one twice and a leader that died mid-send
// is taken over), posts each to its webhook, and records the outcome on the
// incident's timeline: delivered, or failed with the next try after an
// exponential backoff (1, 2, 4, 8, 16 s), until it gives up. Never on the
// request path: a step only queues its message.
//
// A webhook URL is a secret (Slack's carries its token in the path): it is
// decrypted here, in memory, and never logged or written anywhere; errors say
// the webhook's name. Connections go through the same guarded connector as
// the gateway, so a webhook cannot reach private addresses an admin has not
// allowed (Admin → Settings).
import { Agent, request } from 'undici';
import { decryptSecret } from '@/lib/server/crypto';
import { db, Prisma } from '@/lib/server/db';
import { endpointPolicyOf, PRIVATE_NETWORKS_SETTING, readPrivateNetworks } from '@/lib/server/endpoint-policy';
import { guardedConnector, policyBoundAgents, setEndpointPolicy } from '@/lib/server/guarded-connect';
import { incidentLink } from './context';
import { publicIdOf } from './model';
import { STANDBY } from './mutations';
import { appendTimeline, spoken, type TimelineEntry } from './timeline';

export const DELIVERY_INTERVAL_MS = 1_000;
const BATCH = 20;
const LEASE_MS = 30_000;
export const DELIVERY_TIMEOUT_MS = 5_000;
const MAX_RESPONSE_BYTES = 16 * 1024;

/** The wait before attempt `attempt + 1` after `attempt` failed ones: 1 s, 2 s, 4 s, ... up to a minute. */
export const backoffMs = (attempt: number) => Math.min(60_000, 1_000 * 2 ** Math.max(0, attempt - 1));

const agents = policyBoundAgents(() => new Agent({ connect: guardedConnector(DELIVERY_TIMEOUT_MS), keepAliveTimeout: 10_000 }));

type Claimed = { id: string };

export type Payload = { kind: 'slack' | 'generic'; text: string; incident: { id: string; publicId: string; title: string; severity: string; status: string; link: string } | null; sentAt: string };

/** What goes over the wire: Slack's incoming-webhook `text` (and a fallback block), or Standby's generic JSON. */
export function bodyFor(p: Payload): string {
  if (p.kind === 'slack') return JSON.stringify({ text: p.text });
  return JSON.stringify({ source: 'standby', text: p.text, incident: p.incident, sentAt: p.sentAt });
}

async function send(url: string, body: string): Promise<{ ok: boolean; status: number | null; error: string | null; ms: number }> {
  const began = performance.now();
  // undici's request never follows redirects: a webhook that redirects is a failed delivery, not a hop elsewhere.
  try {
    const response = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Standby-incidents' },
      body,
      dispatcher: agents.get(null),
      headersTimeout: DELIVERY_TIMEOUT_MS,
      bodyTimeout: DELIVERY_TIMEOUT_MS,
    });
    // Read a little of the answer (Slack says "ok" or why not), never all of it.
    let text = '';
    for await (const chunk of response.body) {
      if (text.length < MAX_RESPONSE_BYTES) text += chunk.toString();
    }
    const ok = response.statusCode >= 200 && response.statusCode < 300;
    return { ok, status: response.statusCode, error: ok ? null : `HTTP ${response.statusCode}${text ? `: ${text.trim().slice(0, 200)}` : ''}`, ms: performance.now() - began };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Never the URL: it holds the webhook's secret.
    return { ok: false, status: null, error: message.split(url).join('<webhook URL>').slice(0, 300), ms: performance.now() - began };
  }
}

/** One pass: claims what is due and delivers it; returns how many were sent successfully and how many attempts failed. */
export async function deliverDue(now = Date.now()): Promise<{ delivered: number; failed: number }> {
  const claimed = await db().$queryRaw<Claimed[]>(Prisma.sql`
    UPDATE "NotificationDelivery" SET status = 'sending', "leaseUntil" = ${new Date(now + LEASE_MS)}::timestamp
    WHERE id IN (
      SELECT id FROM "NotificationDelivery"
      WHERE (status = 'pending' AND "nextAttemptAt" <= ${new Date(now)}::timestamp) OR (status = 'sending' AND "leaseUntil" < ${new Date(now)}::timestamp)
      ORDER BY "nextAttemptAt" LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
    RETURNING id`);
  if (claimed.length === 0) return { delivered: 0, failed: 0 };
  const setting = await db().setting.findUnique({ where: { key: PRIVATE_NETWORKS_SETTING }, select: { value: true } });
  setEndpointPolicy(endpointPolicyOf(readPrivateNetworks(setting?.value)));
  const outcomes = await Promise.all(claimed.map((c) => deliverOne(c.id)));
  return { delivered: outcomes.filter((o) => o === 'delivered').length, failed: outcomes.filter((o) => o !== 'delivered').length };
}

async function deliverOne(id: string): Promise<'delivered' | 'retry' | 'failed'> {
  const d = await db().notificationDelivery.findUniqueOrThrow({
    where: { id },
    select: {
      id: true, text: true, attempts: true, maxAttempts: true, createdAt: true, stepRunId: true, incidentId: true,
      webhook: { select: { name: true, kind: true, urlCiphertext: true, disabledAt: true } },
      incident: { select: { id: true, number: true, title: true, severity: true, status: true } },
    },
  });
  const attempt = d.attempts + 1;
  const payload: Payload = {
    kind: d.webhook.kind, text: d.text, sentAt: new Date().toISOString(),
    incident: d.incident ? { id: d.incident.id, publicId: publicIdOf(d.incident.number), title: d.incident.title, severity: d.incident.severity, status: d.incident.status, link: incidentLink(d.incident.number) } : null,
  };
  const result = d.webhook.disabledAt
    ? { ok: false, status: null, error: 'the webhook was disabled', ms: 0 }
    : await send(decryptSecret(d.webhook.urlCiphertext), bodyFor(payload));
  const finished = new Date();
  const last = !result.ok && (attempt >= d.maxAttempts || d.webhook.disabledAt !== null);
  const entries: TimelineEntry[] = [];
  const base = { at: finished, kind: 'notification', actor: STANDBY.email, sourceKey: `delivery:${d.id}:${attempt}` };
  if (result.ok) {
    entries.push({ ...base, incidentId: d.incidentId!, curated: true, text: `Delivered to ${d.webhook.name}${attempt > 1 ? ` on attempt ${attempt}` : ''} (${spoken(finished.getTime() - d.createdAt.getTime())} after it was sent)` });
  } else if (last) {
    entries.push({ ...base, incidentId: d.incidentId!, curated: true, text: `Gave up delivering to ${d.webhook.name} after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${result.error}` });
  } else {
    entries.push({ ...base, incidentId: d.incidentId!, curated: false, text: `Attempt ${attempt} of ${d.maxAttempts} to ${d.webhook.name} failed: ${result.error}; next try in ${spoken(backoffMs(attempt))}` });
  }
  await db().$transaction(async (tx) => {
    await tx.notificationDelivery.update({
      where: { id },
      data: result.ok
        ? { status: 'delivered', attempts: attempt, deliveredAt: finished, lastStatus: result.status, lastError: null, leaseUntil: null }
        : { status: last ? 'failed' : 'pending', attempts: attempt, lastStatus: result.status, lastError: result.error, leaseUntil: null, nextAttemptAt: new Date(finished.getTime() + backoffMs(attempt)) },
    });
    if (d.incidentId) await appendTimeline(tx, entries);
    if (d.stepRunId && (result.ok || last)) {
      await tx.stepRun.updateMany({
        where: { id: d.stepRunId, status: 'running' },
        data: { status: result.ok ? 'done' : 'failed', finishedAt: finished, finishedBy: STANDBY.email, result: { deliveryId: d.id, webhook: d.webhook.name, attempts: attempt, ...(result.ok ? {} : { error: result.error }) }, version: { increment: 1 } },
      });
    }
  });
  return result.ok ? 'delivered' : last ? 'failed' : 'retry';
}

/** The leader task (worker/control-loops.ts). */
export const notificationDeliveryTask = {
  name: 'incident-notifications',
  intervalMs: DELIVERY_INTERVAL_MS,
  run: async ({ log }: { log: (line: string) => void }): Promise<void> => {
    const { failed } = await deliverDue();
    if (failed) log(`incidents: ${failed} notification attempt${failed === 1 ? '' : 's'} failed (see the incidents' timelines)`);
  },
};
