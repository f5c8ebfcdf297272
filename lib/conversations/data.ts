import 'server-only';
// The conversation store per service, for the page: on or off, retention,
// what it holds, and the measured RPO (an answer's last byte to its durable
// write) over the last hour, from the rows themselves.
import { conversationComponentName } from '@/lib/recovery/model';
import { db, Prisma } from '@/lib/server/db';

export type ConversationStoreView = {
  serviceId: string;
  serviceName: string;
  version: number;
  store: boolean;
  retentionDays: number;
  conversations: number;
  messages: number;
  lastMessageAt: string | null;
  lag: { answers: number; p50Ms: number | null; p99Ms: number | null; maxMs: number | null };
  component: { id: string; name: string } | null;
};

export async function getConversationStores(now = Date.now()): Promise<ConversationStoreView[]> {
  const since = new Date(now - 3_600_000);
  const [services, counts, lags, components] = await Promise.all([
    db().service.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true, version: true, conversationStore: true, conversationRetentionDays: true } }),
    db().$queryRaw<{ serviceId: string; conversations: number; messages: number; last: Date | null }[]>(Prisma.sql`
      SELECT "serviceId"::text AS "serviceId", count(*)::int AS conversations, COALESCE(sum("messageCount"), 0)::int AS messages, max("lastMessageAt") AS last
      FROM "Conversation" WHERE "deletedAt" IS NULL GROUP BY "serviceId"`),
    db().$queryRaw<{ serviceId: string; n: number; p50: number | null; p99: number | null; max: number | null }[]>(Prisma.sql`
      SELECT c."serviceId"::text AS "serviceId", count(*)::int AS n,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY lag)::float8 AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY lag)::float8 AS p99, max(lag)::float8 AS max
      FROM (SELECT "conversationId", extract(epoch FROM ("writtenAt" - at)) * 1000 AS lag FROM "ConversationMessage" WHERE role = 'assistant' AND at >= ${since}::timestamp) m
      JOIN "Conversation" c ON c.id = m."conversationId" GROUP BY c."serviceId"`),
    db().recoveryComponent.findMany({ where: { kind: 'conversation_history', serviceId: { not: null }, retiredAt: null }, select: { id: true, name: true, serviceId: true } }),
  ]);
  const countOf = new Map(counts.map((c) => [c.serviceId, c]));
  const lagOf = new Map(lags.map((l) => [l.serviceId, l]));
  return services.map((s) => {
    const c = countOf.get(s.id);
    const l = lagOf.get(s.id);
    const component = components.find((x) => x.serviceId === s.id) ?? null;
    return {
      serviceId: s.id, serviceName: s.name, version: s.version, store: s.conversationStore, retentionDays: s.conversationRetentionDays,
      conversations: c?.conversations ?? 0, messages: c?.messages ?? 0, lastMessageAt: c?.last?.toISOString() ?? null,
      lag: { answers: l?.n ?? 0, p50Ms: l?.p50 ?? null, p99Ms: l?.p99 ?? null, maxMs: l?.max ?? null },
      component: component ? { id: component.id, name: component.name ?? conversationComponentName(s.name) } : null,
    };
  });
}
