'use server';
// Thin server-action wrappers: permission, validation and audit are in mutations.ts.
import { getCurrentUser } from '@/lib/server/auth';
import { runAction } from '@/lib/server/action';
import { eraseEndUser, setConversationStore } from './mutations';

export const setConversationStoreAction = async (input: unknown) => runAction('setConversationStore', async () => setConversationStore(await getCurrentUser(), input), ['/backups/conversations', '/services']);
export const eraseEndUserAction = async (input: unknown) => runAction('eraseEndUser', async () => eraseEndUser(await getCurrentUser(), input), ['/backups/conversations']);
