'use server';
import { getCurrentUser } from '@/lib/server/auth';
import { runAction } from '@/lib/server/action';
import * as m from './mutations';

export const setPrivateNetworksAction = async (input: unknown) =>
  runAction('setPrivateNetworks', async () => m.setPrivateNetworks(await getCurrentUser(), input), ['/admin/settings']);
