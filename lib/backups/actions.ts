'use server';
// Thin server-action wrappers: the session is read here, everything else
// (permission, validation, audit) happens in mutations.ts.
import { getCurrentUser } from '@/lib/server/auth';
import { runAction } from '@/lib/server/action';
import * as m from './mutations';

const PATHS = ['/backups'];

export const registerModelAction = async (input: unknown) => runAction('registerModel', async () => m.registerModel(await getCurrentUser(), input), PATHS);
export const updateModelSettingsAction = async (input: unknown) => runAction('updateModelSettings', async () => m.updateModelSettings(await getCurrentUser(), input), PATHS);
export const addPartAction = async (input: unknown) => runAction('addPart', async () => m.addPart(await getCurrentUser(), input), PATHS);
export const removePartAction = async (input: unknown) => runAction('removePart', async () => m.removePart(await getCurrentUser(), input), PATHS);
export const setLinkAction = async (input: unknown) => runAction('setLink', async () => m.setLink(await getCurrentUser(), input), PATHS);
export const verifyCopyAction = async (input: unknown) => runAction('verifyCopy', async () => m.verifyCopy(await getCurrentUser(), input), PATHS);
