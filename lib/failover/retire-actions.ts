'use server';
// Thin server-action wrappers for "retire a model everywhere" (retirement.ts):
// the session is read here; permission, validation and audit happen there.
// The preview is a read: GET /api/live/retirement-preview.
import { getCurrentUser } from '@/lib/server/auth';
import { runAction } from '@/lib/server/action';
import { retireModel, revertRetirement } from './retirement';

const PAGES = ['/failover', '/targets', '/services'];

export const retireModelAction = async (input: unknown) => runAction('retireModel', async () => retireModel(await getCurrentUser(), input), PAGES);

export const revertRetirementAction = async (input: unknown) => runAction('revertRetirement', async () => revertRetirement(await getCurrentUser(), input), PAGES);
