'use server';
// Thin server-action wrappers: the session is read here, everything else
// (permission, validation, audit) happens in mutations.ts.
import { getCurrentUser } from '@/lib/server/auth';
import { runAction } from '@/lib/server/action';
import * as m from './mutations';

const user = () => getCurrentUser();

export const setFaultsAction = async (input: unknown) => runAction('setFaults', async () => m.setFaults(await user(), input), ['/simulator']);
export const resetFaultsAction = async (input: unknown) => runAction('resetFaults', async () => m.resetFaults(await user(), input), ['/simulator']);
export const setDemoTrafficAction = async (input: unknown) => runAction('setDemoTraffic', async () => m.setDemoTraffic(await user(), input), ['/simulator']);

