'use server';
// Thin server-action wrappers: the session is read here, everything else
// (permission, validation, audit) happens in mutations.ts.
import { getCurrentUser } from '@/lib/server/auth';
import { runAction } from '@/lib/server/action';
import * as m from './mutations';

export const savePlanAction = async (input: unknown) => runAction('saveDrillPlan', async () => m.savePlan(await getCurrentUser(), input), ['/drills']);
export const startRunAction = async (input: unknown) => runAction('startDrillRun', async () => m.startRun(await getCurrentUser(), input), ['/drills']);
export const haltRunAction = async (input: unknown) => runAction('haltDrillRun', async () => m.haltRun(await getCurrentUser(), input), ['/drills']);
export const archivePlanAction = async (input: unknown) => runAction('archiveDrillPlan', async () => m.archivePlan(await getCurrentUser(), input), ['/drills', '/recovery']);
