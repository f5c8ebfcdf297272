'use server';
// Thin server-action wrappers: the session is read here, everything else
// (permission, validation, audit) happens in mutations.ts.
import { getCurrentUser } from '@/lib/server/auth';
import { runAction } from '@/lib/server/action';
import * as m from './mutations';

const user = () => getCurrentUser();

export const createProviderAction = async (input: unknown) => runAction('createProvider', async () => m.createProvider(await user(), input), ['/providers']);
export const updateProviderAction = async (ref: unknown, input: unknown) => runAction('updateProvider', async () => m.updateProvider(await user(), ref, input), ['/providers']);
export const setProviderEnabledAction = async (input: unknown) => runAction('setProviderEnabled', async () => m.setProviderEnabled(await user(), input), ['/providers']);
export const deleteProviderAction = async (input: unknown) => runAction('deleteProvider', async () => m.deleteProvider(await user(), input), ['/providers']);

export const createRegionAction = async (input: unknown) => runAction('createRegion', async () => m.createRegion(await user(), input), ['/regions']);
export const updateRegionAction = async (ref: unknown, input: unknown) => runAction('updateRegion', async () => m.updateRegion(await user(), ref, input), ['/regions']);
export const setRegionEnabledAction = async (input: unknown) => runAction('setRegionEnabled', async () => m.setRegionEnabled(await user(), input), ['/regions']);
export const deleteRegionAction = async (input: unknown) => runAction('deleteRegion', async () => m.deleteRegion(await user(), input), ['/regions']);

export const createTargetAction = async (input: unknown) => runAction('createTarget', async () => m.createTarget(await user(), input), ['/targets']);
export const updateTargetAction = async (ref: unknown, input: unknown) => runAction('updateTarget', async () => m.updateTarget(await user(), ref, input), ['/targets']);
export const setTargetEnabledAction = async (input: unknown) => runAction('setTargetEnabled', async () => m.setTargetEnabled(await user(), input), ['/targets']);
export const deleteTargetAction = async (input: unknown) => runAction('deleteTarget', async () => m.deleteTarget(await user(), input), ['/targets']);

export const createServiceAction = async (input: unknown) => runAction('createService', async () => m.createService(await user(), input), ['/services']);
export const updateServiceAction = async (ref: unknown, input: unknown) => runAction('updateService', async () => m.updateService(await user(), ref, input), ['/services']);
export const setServiceEnabledAction = async (input: unknown) => runAction('setServiceEnabled', async () => m.setServiceEnabled(await user(), input), ['/services']);
export const deleteServiceAction = async (input: unknown) => runAction('deleteService', async () => m.deleteService(await user(), input), ['/services']);

export const createCredentialAction = async (input: unknown) => runAction('createCredential', async () => m.createCredential(await user(), input), ['/admin/credentials']);
export const rotateCredentialAction = async (ref: unknown, input: unknown) => runAction('rotateCredential', async () => m.rotateCredential(await user(), ref, input), ['/admin/credentials']);
export const deleteCredentialAction = async (input: unknown) => runAction('deleteCredential', async () => m.deleteCredential(await user(), input), ['/admin/credentials']);
