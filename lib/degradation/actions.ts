'use server';
// Thin server-action wrappers: the session is read here, everything else
// (permission, validation, audit) happens in mutations.ts.
import { revalidatePath } from 'next/cache';
import { getCurrentUser } from '@/lib/server/auth';
import { runAction } from '@/lib/server/action';
import * as m from './mutations';

const servicePage = (name: string) => revalidatePath(`/services/${encodeURIComponent(name)}`);

export const setTierOverrideAction = async (input: unknown) =>
  runAction('setTierOverride', async () => {
    const result = await m.setTierOverride(await getCurrentUser(), input);
    servicePage(result.serviceName);
    return result;
  }, ['/degradation']);

export const clearTierOverrideAction = async (input: unknown) =>
  runAction('clearTierOverride', async () => {
    const result = await m.clearTierOverride(await getCurrentUser(), input);
    servicePage(result.serviceName);
    return result;
  }, ['/degradation']);

export const updateDegradationPolicyAction = async (input: unknown) =>
  runAction('updateDegradationPolicy', async () => {
    const result = await m.updateDegradationPolicy(await getCurrentUser(), input);
    servicePage(result.serviceName);
    return result;
  }, ['/degradation']);
