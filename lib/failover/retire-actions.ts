'use server';
// Thin server-action wrappers for "retire a model everywhere" (retirement.ts):
// the session is read here; permission, validation and audit happen there.
import { getCurrentUser, requirePermission } from '@/lib/server/auth';
import { runAction } from '@/lib/server/action';
import { previewRetirement, retireModel, revertRetirement } from './retirement';

const PAGES = ['/failover', '/targets', '/services'];

/** Read-only: what a retirement would change, for the confirmation dialog. */
export const previewRetirementAction = async (input: unknown) =>
  runAction('previewRetirement', async () => {
    requirePermission(await getCurrentUser(), 'estate.read');
    return previewRetirement(input);
  });

export const retireModelAction = async (input: unknown) => runAction('retireModel', async () => retireModel(await getCurrentUser(), input), PAGES);

export const revertRetirementAction = async (input: unknown) => runAction('revertRetirement', async () => revertRetirement(await getCurrentUser(), input), PAGES);
