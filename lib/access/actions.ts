'use server';
import { getCurrentUser } from '@/lib/server/auth';
import { reissueSessionCookie } from './session-cookie';
import { runAction } from '@/lib/server/action';
import * as m from './mutations';

export const createUserAction = async (input: unknown) => runAction('createUser', async () => m.createUser(await getCurrentUser(), input), ['/admin/users']);
export const updateUserAction = async (input: unknown) => runAction('updateUser', async () => m.updateUser(await getCurrentUser(), input), ['/admin/users']);
export const resetPasswordAction = async (input: unknown) => runAction('resetPassword', async () => m.resetPassword(await getCurrentUser(), input), ['/admin/users']);
export const signOutOtherSessionsAction = async () =>
  runAction('signOutOtherSessions', async () => {
    await reissueSessionCookie(await m.signOutOtherSessions(await getCurrentUser()));
  });
export const changeOwnPasswordAction = async (input: unknown) =>
  runAction('changeOwnPassword', async () => {
    await reissueSessionCookie(await m.changeOwnPassword(await getCurrentUser(), input));
  });
