// GET, DELETE /api/v1/conversations/<name>?service=…: export or delete one stored conversation (lib/conversations/api.ts).
import { conversationRoutes } from '@/lib/conversations/api';

export const dynamic = 'force-dynamic';

export const { GET, DELETE } = conversationRoutes('/api/v1/conversations/[key]', (params) => params.key ?? null);
