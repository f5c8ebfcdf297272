'use server';
// Thin server-action wrappers: permission, validation and audit are in token-mutations.ts.
import { getCurrentUser } from '@/lib/server/auth';
import { runAction } from '@/lib/server/action';
import * as m from './token-mutations';

export const createApiTokenAction = async (input: unknown) => runAction('createApiToken', async () => m.createApiToken(await getCurrentUser(), input), ['/admin/tokens']);
export const revokeApiTokenAction = async (input: unknown) => runAction('revokeApiToken', async () => m.revokeApiToken(await getCurrentUser(), input), ['/admin/tokens']);
