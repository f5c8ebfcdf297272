import 'server-only';
// The conversation store's settings and its data's deletion and export.
// Turning a service's store on or off, or its retention, is a change of its
// routing configuration (audited, versioned in configuration history). A
// client deletes or exports its own conversations through the API (the token
// that created them); a token with conversations:manage, or an admin on the
// Backups page, does it for anyone, per conversation or per end user. A
// deletion removes the messages at once, tells every replica to forget them,
// and keeps a marker so that an answer still in a replica's buffer is not
// written back.
import { recordAudit } from '@/lib/audit/record';
import { recordConfigChange } from '@/lib/config-versions/writer';
import { requireActor, type Actor, type SessionUser } from '@/lib/server/auth';
import { decryptSecret } from '@/lib/server/crypto';
import { db, Prisma, type Tx } from '@/lib/server/db';
import { AppError, parseInput } from '@/lib/server/errors';
import { assertVersionMatched, inTransaction } from '@/lib/server/mutation';
import { syncComponentsIn } from '@/lib/recovery/components';
import { endUserHash } from './history';
import { conversationStoreInput, eraseEndUserInput } from './schemas';
import { CONVERSATION_CHANNEL } from './store';

/** Turns a service's conversation store on or off and sets its retention (admin: it decides what user content Standby keeps). */
export async function setConversationStore(caller: SessionUser | null, input: unknown) {
  const actor = requireActor(caller, 'settings.write');
  const { serviceId, expectedVersion, store, retentionDays, reason } = parseInput(conversationStoreInput, input);
  return inTransaction(async (tx) => {
    const before = await tx.service.findUnique({ where: { id: serviceId }, select: { name: true, conversationStore: true, conversationRetentionDays: true } });
    if (!before) throw new AppError('NOT_FOUND', 'This service no longer exists.');
    if (before.conversationStore === store && before.conversationRetentionDays === retentionDays) throw new AppError('INVALID', 'Nothing changed: the conversation store already has these settings.');
    const { count } = await tx.service.updateMany({ where: { id: serviceId, version: expectedVersion }, data: { conversationStore: store, conversationRetentionDays: retentionDays, version: { increment: 1 } } });
    assertVersionMatched(count, 'service');
    // The store's recovery component comes, is reopened or is retired with it (and in the objectives' version of
    // this change), not a minute later in the leader's sync.
    if (before.conversationStore !== store) await syncComponentsIn(tx);
    await recordConfigChange(tx, actor, 'routing', {
      action: 'service.conversation_store', entityType: 'service', entityId: serviceId, entityName: before.name,
      before: { store: before.conversationStore, retentionDays: before.conversationRetentionDays }, after: { store, retentionDays }, reason,
      summary: `service ${before.name}: conversation store ${store ? `on, kept ${retentionDays} days` : 'off'}`,
    });
    return { serviceId, store, retentionDays };
  });
}

// ---------------------------------------------------------------- export and deletion

/** Which conversations: one by its name (and service), or every one of an end user; `tokenId` limits them to one client's. */
export type ConversationSelector = { key?: string; service?: string; user?: string; tokenId?: string };

async function whereOf(client: Tx, selector: ConversationSelector): Promise<Prisma.ConversationWhereInput> {
  if (!selector.key && !selector.user) throw new AppError('INVALID', 'Name a conversation, or an end user (?user=…).');
  let serviceId: string | undefined;
  if (selector.service) {
    const service = await client.service.findUnique({ where: { name: selector.service }, select: { id: true } });
    if (!service) throw new AppError('NOT_FOUND', `No service named ${selector.service}.`);
    serviceId = service.id;
  }
  return {
    deletedAt: null,
    ...(serviceId ? { serviceId } : {}),
    ...(selector.key ? { key: selector.key } : {}),
    ...(selector.user ? { endUserHash: endUserHash(selector.user) } : {}),
    ...(selector.tokenId ? { tokenId: selector.tokenId } : {}),
  };
}

export type ExportedConversation = { conversation: string; service: string; createdAt: string; lastMessageAt: string; expiresAt: string; messages: unknown[] };

export async function exportConversations(selector: ConversationSelector): Promise<ExportedConversation[]> {
  const where = await whereOf(db() as unknown as Tx, selector);
  const rows = await db().conversation.findMany({
    where, orderBy: { createdAt: 'asc' }, take: 1_000,
    select: { key: true, createdAt: true, lastMessageAt: true, expiresAt: true, service: { select: { name: true } }, messages: { orderBy: { seq: 'asc' }, select: { sealed: true, at: true } } },
  });
  return rows.map((c) => ({
    conversation: c.key, service: c.service.name, createdAt: c.createdAt.toISOString(), lastMessageAt: c.lastMessageAt.toISOString(), expiresAt: c.expiresAt.toISOString(),
    messages: c.messages.map((m) => ({ ...(JSON.parse(decryptSecret(m.sealed)) as object), at: m.at.toISOString() })),
  }));
}

/** Deletes them now, everywhere; returns how many conversations and messages went. */
export async function deleteConversations(selector: ConversationSelector, tx?: Tx): Promise<{ conversations: number; messages: number }> {
  const work = async (client: Tx) => {
    const where = await whereOf(client, selector);
    const targets = await client.conversation.findMany({ where, select: { id: true, serviceId: true, tokenId: true, key: true } });
    if (targets.length === 0) {
      // A client deleting a conversation whose turns are still in a replica's buffer (answered a moment ago, not yet
      // written): a deletion marker makes the write drop them, and the notice makes every replica forget them.
      if (selector.key && selector.tokenId && where.serviceId) await markDeleted(client, { serviceId: where.serviceId as string, tokenId: selector.tokenId, key: selector.key });
      return { conversations: 0, messages: 0 };
    }
    const ids = targets.map((t) => t.id);
    // Marked first: the update waits for a replica's write of these conversations still in flight, so the messages
    // that write commits are seen and deleted below, and every later write of turns begun before now is dropped.
    await client.conversation.updateMany({ where: { id: { in: ids } }, data: { deletedAt: new Date(), messageCount: 0, endUserHash: null } });
    const { count } = await client.conversationMessage.deleteMany({ where: { conversationId: { in: ids } } });
    // Every replica forgets them (lib/conversations/runtime.ts); the notice is sent when this commits.
    const notices = selector.user
      ? [{ endUserHash: endUserHash(selector.user), serviceId: targets.length === 1 ? targets[0].serviceId : undefined }]
      : targets.map((t) => ({ ref: { serviceId: t.serviceId, tokenId: t.tokenId, key: t.key } }));
    for (const notice of notices.slice(0, 100)) await client.$executeRaw(Prisma.sql`SELECT pg_notify(${CONVERSATION_CHANNEL}, ${JSON.stringify(notice)})`);
    return { conversations: targets.length, messages: count };
  };
  return tx ? work(tx) : inTransaction(work);
}

async function markDeleted(client: Tx, ref: { serviceId: string; tokenId: string; key: string }) {
  const now = new Date();
  const marked = await client.conversation.upsert({
    where: { serviceId_tokenId_key: ref },
    create: { ...ref, deletedAt: now, createdAt: now, lastMessageAt: now, expiresAt: now, messageCount: 0 },
    update: { deletedAt: now, messageCount: 0, endUserHash: null },
    select: { id: true },
  });
  // The upsert waited for a replica's first write of this conversation if one was in flight: its messages go too.
  await client.conversationMessage.deleteMany({ where: { conversationId: marked.id } });
  await client.$executeRaw(Prisma.sql`SELECT pg_notify(${CONVERSATION_CHANNEL}, ${JSON.stringify({ ref })})`);
}


/** An admin erases everything stored for one end user (a privacy request), audited without the user id itself. */
export async function eraseEndUser(caller: SessionUser | null, input: unknown) {
  const actor: Actor = requireActor(caller, 'settings.write');
  const { user, reason } = parseInput(eraseEndUserInput, input);
  return inTransaction(async (tx) => {
    const result = await deleteConversations({ user }, tx);
    await recordAudit(tx, actor, { action: 'conversations.erase_end_user', entityType: 'end_user', entityName: `end user ${endUserHash(user)!.slice(0, 12)}…`, after: result, reason });
    return result;
  });
}

// ---------------------------------------------------------------- retention

/** Conversations past their service's retention go, oldest first, in bounded batches; deletion markers after a day. */
export async function purgeExpiredConversations(now = new Date(), batch = 2_000): Promise<number> {
  let total = 0;
  for (let round = 0; round < 50; round += 1) {
    const removed = await db().$executeRaw(Prisma.sql`
      DELETE FROM "Conversation" WHERE id IN (
        SELECT c.id FROM "Conversation" c JOIN "Service" s ON s.id = c."serviceId"
        WHERE (c."deletedAt" IS NULL AND c."lastMessageAt" < ${now}::timestamp - make_interval(days => s."conversationRetentionDays"))
           OR c."deletedAt" < ${now}::timestamp - interval '1 day'
        LIMIT ${batch})`);
    total += removed;
    if (removed < batch) break;
  }
  return total;
}

export function conversationRetentionTask() {
  return {
    name: 'conversation-retention',
    intervalMs: 10 * 60_000,
    run: async ({ log }: { log: (line: string) => void }) => {
      const removed = await purgeExpiredConversations();
      if (removed) log(`conversations: ${removed} past their retention deleted`);
    },
  };
}
