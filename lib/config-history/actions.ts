'use server';
// Thin server-action wrappers: permission, validation and audit are in mutations.ts.
import { getCurrentUser } from '@/lib/server/auth';
import { runAction } from '@/lib/server/action';
import { restoreConfigVersion } from './mutations';

const RESTORED_PATHS = ['/backups/config', '/providers', '/regions', '/targets', '/services', '/failover', '/degradation', '/recovery'];

export const restoreConfigVersionAction = async (input: unknown) => runAction('restoreConfigVersion', async () => restoreConfigVersion(await getCurrentUser(), input), RESTORED_PATHS);
