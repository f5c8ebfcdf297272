import 'server-only';
// A drill's session-resume check (issue 14), for a service whose conversation
// store is on: does a conversation continue with its whole history once the
// drill's faults have moved traffic to another target? Run in process through
// the leader's gateway, as the drill's other requests are: a first turn not
// marked as the drill's (so a drill-only fault spares it and the primary
// answers), then a second turn marked as the drill's (faulted, so it fails
// over) that sends only its new message. The gateway says how many messages it
// sent upstream (x-standby-conversation-messages), which must be the whole
// history; and the history must reach PostgreSQL, where another replica would
// read it. The conversation is deleted afterwards.
import { randomUUID } from 'node:crypto';
import { deleteConversations } from '@/lib/conversations/mutations';
import type { GatewayHandler } from '@/lib/gateway/handler';
import { INTERNAL_TOKEN_ID } from '@/lib/gateway/queued';
import { db } from '@/lib/server/db';

export type ResumeOutcome = { ok: boolean; failedOver: boolean; text: string };

/** Whole history of the second turn: the first question, its answer, the new question. */
const EXPECTED_MESSAGES = 3;
/** Both turns' messages in PostgreSQL. */
const EXPECTED_STORED = 4;
const PERSIST_WAIT_MS = 5_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function checkResumeInDrill(complete: GatewayHandler['complete'], service: { id: string; name: string }, runId: string): Promise<ResumeOutcome> {
  const key = `drill-${runId}`;
  const word = randomUUID().slice(0, 8);
  const body = (content: string) => ({ max_tokens: 32, messages: [{ role: 'user', content }] });
  try {
    const first = await complete(service.name, body(`Remember the word ${word}.`), null, null, key);
    if (first.status !== 200) return { ok: false, failedOver: false, text: `Resume check: the first turn failed with HTTP ${first.status}, so nothing could be resumed.` };
    const second = await complete(service.name, body('Which word did I ask you to remember?'), null, { runId }, key);
    const [from, to] = [first.headers['x-standby-target'], second.headers['x-standby-target']].map((h) => (Array.isArray(h) ? h[0] : h) ?? 'no target');
    const sent = Number(second.headers['x-standby-conversation-messages']);
    const failedOver = from !== to;
    const path = failedOver ? `after a failover from ${from} to ${to}` : `without a failover (both turns served by ${from}: the faults did not touch the second turn)`;
    if (second.status !== 200) return { ok: false, failedOver, text: `Resume check failed: the second turn got HTTP ${second.status} ${path}.` };
    if (sent !== EXPECTED_MESSAGES) return { ok: false, failedOver, text: `Resume check failed: ${to} received ${Number.isFinite(sent) ? sent : 'no'} messages instead of the whole history (${EXPECTED_MESSAGES}) ${path}.` };
    const stored = await waitForStored(service.id, key);
    if (stored < EXPECTED_STORED) return { ok: false, failedOver, text: `Resume check failed: ${to} received the whole history ${path}, but only ${stored} of ${EXPECTED_STORED} messages reached PostgreSQL within ${PERSIST_WAIT_MS / 1000} s: another replica would resume without them.` };
    return { ok: true, failedOver, text: `Resume check passed: the conversation continued with its whole history (${sent} messages) ${path}, and every message was stored.` };
  } finally {
    await deleteConversations({ key, service: service.name, tokenId: INTERNAL_TOKEN_ID }).catch(() => {});
  }
}

async function waitForStored(serviceId: string, key: string): Promise<number> {
  const deadline = Date.now() + PERSIST_WAIT_MS;
  for (;;) {
    const row = await db().conversation.findFirst({ where: { serviceId, tokenId: INTERNAL_TOKEN_ID, key, deletedAt: null }, select: { messageCount: true } });
    const count = row?.messageCount ?? 0;
    if (count >= EXPECTED_STORED || Date.now() >= deadline) return count;
    await sleep(100);
  }
}
