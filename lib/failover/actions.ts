'use server';
// Thin server-action wrappers: the session is read here, everything else
// (permission, validation, audit) happens in mutations.ts and data.ts.
import { serviceGone } from '@/lib/server/mutation';
import { revalidatePath } from 'next/cache';
import { getCurrentUser, requirePermission } from '@/lib/server/auth';
import { runAction } from '@/lib/server/action';
import { parseInput } from '@/lib/server/errors';
import { getServiceRouting, previewServiceSteering } from './data';
import * as m from './mutations';
import { previewSteeringInput, toSteeringAction } from './schemas';

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

/** Read-only: what a steering action would do, for the confirmation dialog. */
export const previewSteeringAction = async (input: unknown) =>
  runAction('previewSteering', async () => {
    requirePermission(await user(), 'estate.read');
    const parsed = parseInput(previewSteeringInput, input);
    const preview = await previewServiceSteering(parsed.serviceId, toSteeringAction(parsed));
    if (!preview) serviceGone();
    return preview;
  });
