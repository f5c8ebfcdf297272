'use server';
// Thin server-action wrappers: the session is read here, everything else
// (permission, validation, audit) happens in mutations.ts.
import { getCurrentUser } from '@/lib/server/auth';
import { runAction } from '@/lib/server/action';
import * as m from './mutations';

export const saveObjectiveAction = async (input: unknown) =>
  runAction('saveObjective', async () => m.saveObjective(await getCurrentUser(), input), ['/recovery']);

export const createComponentAction = async (input: unknown) => runAction('createComponent', async () => m.createComponent(await getCurrentUser(), input), ['/recovery']);

export const reclassifyEpisodeAction = async (input: unknown) =>
  runAction('reclassifyEpisode', async () => m.reclassifyEpisode(await getCurrentUser(), input), ['/recovery']);
