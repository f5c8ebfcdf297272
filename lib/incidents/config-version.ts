import 'server-only';
// The one way the "apply a saved configuration version" runbook action reaches
// the configuration history. That history (issue 15, lib/config-history) is not
// on this branch yet, so the step kind and its parameter (a configuration
// version id) exist and the action answers a clear error. Once both are merged,
// the body becomes `return applyConfigVersion(caller, versionId, reason)` from
// lib/config-history, which checks its own permission, applies and audits.
import { requireActor, type SessionUser } from '@/lib/server/auth';
import { AppError } from '@/lib/server/errors';

export const CONFIG_HISTORY_MISSING = 'Configuration history is not available yet in this Standby, so a saved configuration version cannot be applied from a runbook. Apply the configuration file by hand (Admin → Routing configuration, or npm run standby -- config apply), then mark this step done.';

export async function applySavedConfigVersion(caller: SessionUser | null, versionId: string, reason: string): Promise<{ summary: string }> {
  requireActor(caller, 'settings.write');
  void versionId;
  void reason;
  throw new AppError('INVALID', CONFIG_HISTORY_MISSING);
}
