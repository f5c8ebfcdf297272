'use server';
// Thin server-action wrappers: the session is read here, everything else
// (permission, validation, audit) happens in mutations.ts.
import { getCurrentUser, requirePermission } from '@/lib/server/auth';
import { runAction } from '@/lib/server/action';
import { parseInput } from '@/lib/server/errors';
import { previewFaultImpact } from './impact';
import * as m from './mutations';
import { previewFaultsInput } from './schemas';

const user = () => getCurrentUser();

export const setFaultsAction = async (input: unknown) => runAction('setFaults', async () => m.setFaults(await user(), input), ['/simulator']);
export const resetFaultsAction = async (input: unknown) => runAction('resetFaults', async () => m.resetFaults(await user(), input), ['/simulator']);
export const setDemoTrafficAction = async (input: unknown) => runAction('setDemoTraffic', async () => m.setDemoTraffic(await user(), input), ['/simulator']);

/** Read-only: the services a fault profile would hit, and the tier that would follow for each. */
export const previewFaultsAction = async (input: unknown) =>
  runAction('previewFaults', async () => {
    requirePermission(await user(), 'estate.read');
    const { name, faults } = parseInput(previewFaultsInput, input);
    return previewFaultImpact(name, faults);
  });
