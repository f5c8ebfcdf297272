'use server';
// Thin server-action wrappers: the session is read here, everything else
// (permission, validation, audit) happens in mutations.ts.
import { getCurrentUser } from '@/lib/server/auth';
import { runAction } from '@/lib/server/action';
import * as m from './mutations';

const user = () => getCurrentUser();

export const createRunbookAction = async (input: unknown) => runAction('createRunbook', async () => m.createRunbook(await user(), input), ['/runbooks']);
export const saveRunbookAction = async (input: unknown) => runAction('saveRunbook', async () => m.saveRunbook(await user(), input), ['/runbooks']);
export const setRunbookArchivedAction = async (input: unknown) => runAction('setRunbookArchived', async () => m.setRunbookArchived(await user(), input), ['/runbooks']);
export const installLibraryAction = async () => runAction('installLibrary', async () => m.installLibrary(await user()), ['/runbooks']);
export const createWebhookAction = async (input: unknown) => runAction('createWebhook', async () => m.createWebhook(await user(), input), ['/runbooks']);
export const rotateWebhookAction = async (input: unknown) => runAction('rotateWebhook', async () => m.rotateWebhook(await user(), input), ['/runbooks']);
export const setWebhookDisabledAction = async (input: unknown) => runAction('setWebhookDisabled', async () => m.setWebhookDisabled(await user(), input), ['/runbooks']);
