// GET, DELETE /api/v1/conversations?user=…: export or delete every stored conversation of an end user (lib/conversations/api.ts).
import { conversationRoutes } from '@/lib/conversations/api';

export const dynamic = 'force-dynamic';

export const { GET, DELETE } = conversationRoutes('/api/v1/conversations', () => null);
