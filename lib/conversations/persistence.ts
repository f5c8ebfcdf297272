import 'server-only';
// The conversation store's SQL: one conversation's history read (decrypted),
// and a batch of turns written in one transaction with two statements
// whatever its size: the conversations upserted (their message count moved
// atomically, so two replicas appending to one conversation never take the
// same sequence numbers), then every message in one INSERT. Messages are
// sealed with AES-256-GCM (lib/server/crypto.ts) here, off the request path.
import type { ChatMessage } from '@/lib/gateway/openai-schema';
import { decryptSecret, encryptSecret } from '@/lib/server/crypto';
import { db, Prisma } from '@/lib/server/db';

export type ConversationRef = { serviceId: string; tokenId: string; key: string };

export type StoredHistory = { messages: ChatMessage[]; endUserHash: string | null };

export async function loadHistory(ref: ConversationRef): Promise<StoredHistory> {
  const conversation = await db().conversation.findUnique({
    where: { serviceId_tokenId_key: ref },
    select: { deletedAt: true, endUserHash: true, messages: { orderBy: { seq: 'asc' }, select: { sealed: true } } },
  });
  if (!conversation || conversation.deletedAt) return { messages: [], endUserHash: null };
  return { messages: conversation.messages.map((m) => JSON.parse(decryptSecret(m.sealed)) as ChatMessage), endUserHash: conversation.endUserHash };
}

/** One answered turn: what the request added and the answer, in order. */
export type Turn = ConversationRef & {
  endUserHash: string | null;
  retentionDays: number;
  messages: ChatMessage[];
  /** When the request arrived: a turn begun before its conversation was deleted is not written. */
  startedAt: number;
  /** When the answer's last byte went out. */
  answeredAt: number;
};

/** Writes turns (in arrival order); returns how many were dropped because their conversation was deleted meanwhile. */
export async function writeTurns(turns: readonly Turn[]): Promise<{ written: number; dropped: number }> {
  // One row per conversation in the upsert (ON CONFLICT cannot touch a row twice in one statement).
  const groups = new Map<string, Turn[]>();
  for (const turn of turns) {
    const id = `${turn.serviceId}\n${turn.tokenId}\n${turn.key}`;
    groups.set(id, [...(groups.get(id) ?? []), turn]);
  }
  const list = [...groups.values()];
  const count = list.map((g) => g.reduce((n, t) => n + t.messages.length, 0));
  const sealed = list.map((g) => g.flatMap((t) => t.messages.map((m) => ({ role: m.role, sealed: encryptSecret(JSON.stringify(m)), at: t.answeredAt }))));
  return db().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ serviceId: string; tokenId: string; key: string; id: string; messageCount: number }[]>(Prisma.sql`
      INSERT INTO "Conversation" (id, "serviceId", "tokenId", key, "endUserHash", "createdAt", "lastMessageAt", "messageCount", "expiresAt")
      SELECT gen_random_uuid(), s, t, k, u, to_timestamp(started / 1000.0) AT TIME ZONE 'UTC', to_timestamp(answered / 1000.0) AT TIME ZONE 'UTC', n, (to_timestamp(answered / 1000.0) AT TIME ZONE 'UTC') + make_interval(days => r)
      FROM unnest(${list.map((g) => g[0].serviceId)}::uuid[], ${list.map((g) => g[0].tokenId)}::uuid[], ${list.map((g) => g[0].key)}::text[], ${list.map((g) => g.find((t) => t.endUserHash)?.endUserHash ?? null)}::text[],
        ${list.map((g) => Math.min(...g.map((t) => t.startedAt)))}::float8[], ${list.map((g) => Math.max(...g.map((t) => t.answeredAt)))}::float8[], ${count}::int[], ${list.map((g) => g.at(-1)!.retentionDays)}::int[])
        AS x(s, t, k, u, started, answered, n, r)
      ON CONFLICT ("serviceId", "tokenId", key) DO UPDATE SET
        "messageCount" = CASE WHEN "Conversation"."deletedAt" IS NULL THEN "Conversation"."messageCount" + EXCLUDED."messageCount" ELSE EXCLUDED."messageCount" END,
        "createdAt" = CASE WHEN "Conversation"."deletedAt" IS NULL THEN "Conversation"."createdAt" ELSE EXCLUDED."createdAt" END,
        "endUserHash" = COALESCE("Conversation"."endUserHash", EXCLUDED."endUserHash"),
        "lastMessageAt" = GREATEST("Conversation"."lastMessageAt", EXCLUDED."lastMessageAt"),
        "expiresAt" = GREATEST("Conversation"."expiresAt", EXCLUDED."expiresAt"),
        "deletedAt" = NULL
      -- A conversation deleted after these turns began stays deleted: they are dropped.
      WHERE "Conversation"."deletedAt" IS NULL OR "Conversation"."deletedAt" < EXCLUDED."createdAt"
      RETURNING "serviceId"::text AS "serviceId", "tokenId"::text AS "tokenId", key, id::text AS id, "messageCount"`);
    const found = new Map(rows.map((r) => [`${r.serviceId}\n${r.tokenId}\n${r.key}`, r]));
    const messages: { conversationId: string; seq: number; role: string; sealed: string; at: number }[] = [];
    let written = 0;
    let dropped = 0;
    list.forEach((group, i) => {
      const row = found.get(`${group[0].serviceId}\n${group[0].tokenId}\n${group[0].key}`);
      if (!row) {
        dropped += group.length;
        return;
      }
      written += group.length;
      const first = row.messageCount - count[i];
      sealed[i].forEach((m, j) => messages.push({ conversationId: row.id, seq: first + j, ...m }));
    });
    if (messages.length) {
      await tx.$executeRaw(Prisma.sql`
        INSERT INTO "ConversationMessage" ("conversationId", seq, role, sealed, at, "writtenAt")
        SELECT c, q, r, s, to_timestamp(a / 1000.0) AT TIME ZONE 'UTC', clock_timestamp() AT TIME ZONE 'UTC'
        FROM unnest(${messages.map((m) => m.conversationId)}::uuid[], ${messages.map((m) => m.seq)}::int[], ${messages.map((m) => m.role)}::text[], ${messages.map((m) => m.sealed)}::text[], ${messages.map((m) => m.at)}::float8[]) AS x(c, q, r, s, a)`);
    }
    return { written, dropped };
  }, { timeout: 30_000, maxWait: 10_000 });
}
