import 'server-only';
// GET and DELETE /api/v1/conversations/<name>?service=<service> (one conversation)
// and /api/v1/conversations?user=<end user>[&service=<service>] (every one of an
// end user): export or delete. A token with the gateway scope reaches the
// conversations it created; one with conversations:manage reaches anyone's.
import { authenticateMachineWithAny } from '@/lib/access/token-auth';
import { AppError } from '@/lib/server/errors';
import { errorResponse } from '@/lib/server/route';
import { parseConversationKey } from './history';
import { deleteConversations, exportConversations, type ConversationSelector } from './mutations';

async function selectorOf(request: Request, key: string | null): Promise<ConversationSelector> {
  const caller = await authenticateMachineWithAny(request.headers.get('authorization'), ['conversations:manage', 'gateway']);
  const url = new URL(request.url);
  const service = url.searchParams.get('service') ?? undefined;
  const user = url.searchParams.get('user') ?? undefined;
  if (key !== null) {
    const parsed = parseConversationKey(key);
    if (!parsed?.ok) throw new AppError('INVALID', parsed?.message ?? 'Name a conversation.');
    if (!service) throw new AppError('INVALID', 'Name its service: ?service=<service name>.');
  } else if (!user) {
    throw new AppError('INVALID', 'Name an end user (?user=<the user field your application sends>), or a conversation (/api/v1/conversations/<name>?service=…).');
  }
  return { key: key ?? undefined, service, user, tokenId: caller.scopes.includes('conversations:manage') ? undefined : caller.tokenId };
}

export function conversationRoutes(route: string, keyOf: (params: Record<string, string>) => string | null) {
  return {
    GET: async (request: Request, context: { params: Promise<Record<string, string>> }) => {
      try {
        const key = keyOf(await context.params);
        const conversations = await exportConversations(await selectorOf(request, key));
        if (key !== null && conversations.length === 0) throw new AppError('NOT_FOUND', `No conversation named ${key} (of this token, on that service).`);
        return Response.json({ object: 'standby.conversation_export', conversations }, { headers: { 'cache-control': 'no-store' } });
      } catch (error) {
        return errorResponse(error, route);
      }
    },
    DELETE: async (request: Request, context: { params: Promise<Record<string, string>> }) => {
      try {
        const key = keyOf(await context.params);
        const selector = await selectorOf(request, key);
        const deleted = await deleteConversations(selector);
        // A client's own conversation may still be in a replica's buffer: deleteConversations left a marker that drops it, so the
        // deletion succeeded even with nothing written yet (DELETE is idempotent). A manager's deletion has no client to mark.
        if (key !== null && deleted.conversations === 0 && !selector.tokenId) throw new AppError('NOT_FOUND', `No conversation named ${key} on that service.`);
        return Response.json({ object: 'standby.conversation_deletion', deleted });
      } catch (error) {
        return errorResponse(error, route);
      }
    },
  };
}
