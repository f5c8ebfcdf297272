'use server';
// Thin server-action wrappers: the session is read here, everything else
// (permission, validation, audit) happens in mutations.ts and data.ts.
import { revalidatePath } from 'next/cache';
import { getCurrentUser } from '@/lib/server/auth';
import { runAction } from '@/lib/server/action';
import { getServiceRouting } from './data';
import * as m from './mutations';

const user = () => getCurrentUser();
const servicePage = (name: string) => revalidatePath(`/services/${encodeURIComponent(name)}`);

export const saveChainAction = async (input: unknown) =>
  runAction('saveChain', async () => {
    const result = await m.saveChain(await user(), input);
    servicePage(result.serviceName);
    return { ...result, routing: await getServiceRouting(result.serviceName) };
  }, ['/failover']);

/** Returns the service's routing as it stands after the change, for the page to show at once. */
export const steerAction = async (input: unknown) =>
  runAction('steer', async () => {
    const result = await m.steer(await user(), input);
    servicePage(result.serviceName);
    return { ...result, routing: await getServiceRouting(result.serviceName) };
  }, ['/failover']);

