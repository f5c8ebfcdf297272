import 'server-only';
// The conversation store's SQL: one conversation's history read (decrypted),
// and a batch of turns written in one transaction with two statements
// whatever its size: the conversations upserted (their message count moved
// atomically, so two replicas appending to one conversation never take the
// same sequence numbers), then every message in one INSERT. Messages are
// sealed with AES-256-GCM (lib/server/crypto.ts) here, off the request path.
//
// Plain node-postgres on a small pool of its own rather than Prisma: this is
// the data plane, like the routing snapshot's LISTEN connection, and measured
// under 500 requests/s Prisma's client cost a tenth of the gateway's CPU per
// request here (bench/RESULTS.md, section 9; docs/decisions/015).
import pg from 'pg';
import type { ChatMessage } from '@/lib/gateway/openai-schema';
import { decryptSecret, encryptSecret } from '@/lib/server/crypto';
import { env } from '@/lib/server/env';

export type ConversationRef = { serviceId: string; tokenId: string; key: string };

export type StoredHistory = { messages: ChatMessage[]; endUserHash: string | null };

let pool: pg.Pool | null = null;

function conversationPool(): pg.Pool {
  if (!pool) {
    pool = new pg.Pool({ connectionString: env().DATABASE_URL, max: 4, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 3_000, application_name: 'standby-conversations' });
    // A dropped idle connection is replaced on the next query; the error must not end the process.
    pool.on('error', () => {});
  }
  return pool;
}

export async function closeConversationPool(): Promise<void> {
  const closing = pool;
  pool = null;
  await closing?.end();
}

export async function loadHistory(ref: ConversationRef): Promise<StoredHistory> {
  const { rows } = await conversationPool().query<{ deletedAt: Date | null; endUserHash: string | null; sealed: string | null }>(
    `SELECT c."deletedAt", c."endUserHash", m.sealed FROM "Conversation" c LEFT JOIN "ConversationMessage" m ON m."conversationId" = c.id
     WHERE c."serviceId" = $1 AND c."tokenId" = $2 AND c.key = $3 ORDER BY m.seq`,
    [ref.serviceId, ref.tokenId, ref.key],
  );
  if (rows.length === 0 || rows[0].deletedAt) return { messages: [], endUserHash: null };
  return { messages: rows.filter((r) => r.sealed !== null).map((r) => JSON.parse(decryptSecret(r.sealed!)) as ChatMessage), endUserHash: rows[0].endUserHash };
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

const UPSERT = `
  INSERT INTO "Conversation" (id, "serviceId", "tokenId", key, "endUserHash", "createdAt", "lastMessageAt", "messageCount", "expiresAt")
  SELECT gen_random_uuid(), s, t, k, u, to_timestamp(started / 1000.0) AT TIME ZONE 'UTC', to_timestamp(answered / 1000.0) AT TIME ZONE 'UTC', n,
    (to_timestamp(answered / 1000.0) AT TIME ZONE 'UTC') + make_interval(days => r)
  FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::float8[], $6::float8[], $7::int[], $8::int[]) AS x(s, t, k, u, started, answered, n, r)
  ON CONFLICT ("serviceId", "tokenId", key) DO UPDATE SET
    "messageCount" = CASE WHEN "Conversation"."deletedAt" IS NULL THEN "Conversation"."messageCount" + EXCLUDED."messageCount" ELSE EXCLUDED."messageCount" END,
    "createdAt" = CASE WHEN "Conversation"."deletedAt" IS NULL THEN "Conversation"."createdAt" ELSE EXCLUDED."createdAt" END,
    "endUserHash" = COALESCE("Conversation"."endUserHash", EXCLUDED."endUserHash"),
    "lastMessageAt" = GREATEST("Conversation"."lastMessageAt", EXCLUDED."lastMessageAt"),
    "expiresAt" = GREATEST("Conversation"."expiresAt", EXCLUDED."expiresAt"),
    "deletedAt" = NULL
  -- A conversation deleted after these turns began stays deleted: they are dropped.
  WHERE "Conversation"."deletedAt" IS NULL OR "Conversation"."deletedAt" < EXCLUDED."createdAt"
  RETURNING "serviceId"::text AS "serviceId", "tokenId"::text AS "tokenId", key, id::text AS id, "messageCount"`;

const INSERT_MESSAGES = `
  INSERT INTO "ConversationMessage" ("conversationId", seq, role, sealed, at, "writtenAt")
  SELECT c, q, r, s, to_timestamp(a / 1000.0) AT TIME ZONE 'UTC', clock_timestamp() AT TIME ZONE 'UTC'
  FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::float8[]) AS x(c, q, r, s, a)`;

/** Writes turns (in arrival order); returns how many were dropped because their conversation was deleted meanwhile. */
export async function writeTurns(turns: readonly Turn[]): Promise<{ written: number; dropped: number }> {
  // One row per conversation in the upsert (ON CONFLICT cannot touch a row twice in one statement).
  const groups = new Map<string, Turn[]>();
  for (const turn of turns) {
    const id = `${turn.serviceId}\n${turn.tokenId}\n${turn.key}`;
    const group = groups.get(id);
    if (group) group.push(turn);
    else groups.set(id, [turn]);
  }
  const list = [...groups.values()];
  const count = list.map((g) => g.reduce((n, t) => n + t.messages.length, 0));
  const sealed = list.map((g) => g.flatMap((t) => t.messages.map((m) => ({ role: m.role, sealed: encryptSecret(JSON.stringify(m)), at: t.answeredAt }))));
  const client = await conversationPool().connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ serviceId: string; tokenId: string; key: string; id: string; messageCount: number }>(UPSERT, [
      list.map((g) => g[0].serviceId), list.map((g) => g[0].tokenId), list.map((g) => g[0].key), list.map((g) => g.find((t) => t.endUserHash)?.endUserHash ?? null),
      list.map((g) => Math.min(...g.map((t) => t.startedAt))), list.map((g) => Math.max(...g.map((t) => t.answeredAt))), count, list.map((g) => g.at(-1)!.retentionDays),
    ]);
    const found = new Map(rows.map((r) => [`${r.serviceId}\n${r.tokenId}\n${r.key}`, r]));
    const columns = { conversation: [] as string[], seq: [] as number[], role: [] as string[], sealed: [] as string[], at: [] as number[] };
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
      sealed[i].forEach((m, j) => {
        columns.conversation.push(row.id);
        columns.seq.push(first + j);
        columns.role.push(m.role);
        columns.sealed.push(m.sealed);
        columns.at.push(m.at);
      });
    });
    if (columns.seq.length) await client.query(INSERT_MESSAGES, [columns.conversation, columns.seq, columns.role, columns.sealed, columns.at]);
    await client.query('COMMIT');
    return { written, dropped };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
