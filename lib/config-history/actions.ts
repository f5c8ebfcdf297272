'use server';
// Thin server-action wrappers: permission, validation and audit are in mutations.ts.
import { getCurrentUser } from '@/lib/server/auth';
import { runAction } from '@/lib/server/action';
import { applyConfigVersion, previewConfigVersion } from './mutations';

export const previewConfigVersionAction = async (versionId: unknown) => runAction('previewConfigVersion', async () => previewConfigVersion(await getCurrentUser(), versionId));

export const restoreConfigVersionAction = async (input: { versionId: string; reason: string; expectedFingerprint?: string }) =>
  runAction('restoreConfigVersion', async () => applyConfigVersion(await getCurrentUser(), input?.versionId, input?.reason, input?.expectedFingerprint), [
    '/backups/config', '/providers', '/regions', '/targets', '/services', '/failover', '/degradation', '/recovery',
  ]);
