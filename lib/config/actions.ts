'use server';
// Thin server-action wrapper: permission, validation and audit are in apply.ts.
import { getCurrentUser } from '@/lib/server/auth';
import { runAction } from '@/lib/server/action';
import { applyConfig } from './apply';

// A dry run writes nothing; an apply can touch every inventory page.
export const applyConfigAction = async (input: unknown) =>
  runAction('applyConfig', async () => applyConfig(await getCurrentUser(), input), ['/admin/config', '/providers', '/regions', '/targets', '/services']);
