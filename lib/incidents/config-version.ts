import 'server-only';
// The one way the "apply a saved configuration version" runbook action reaches
// the configuration history (lib/config-history): the restore an admin makes
// from the history page, with its own permission check, preview, audit entry
// and new versions. A runbook names the version as people see it on that page
// ("42" or "v42") or by its id.
import { applyConfigVersion } from '@/lib/config-history/mutations';
import { requireActor, type SessionUser } from '@/lib/server/auth';
import { db } from '@/lib/server/db';
import { AppError } from '@/lib/server/errors';

const VERSION_NUMBER = /^v?(\d{1,9})$/i;

async function versionIdOf(reference: string): Promise<string> {
  const byNumber = VERSION_NUMBER.exec(reference.trim());
  if (!byNumber) return reference.trim();
  const version = await db().configVersion.findUnique({ where: { number: Number(byNumber[1]) }, select: { id: true } });
  if (!version) throw new AppError('INVALID', `There is no configuration version ${byNumber[1]}: the history page lists the saved versions.`);
  return version.id;
}

export async function applySavedConfigVersion(caller: SessionUser | null, versionReference: string, reason: string): Promise<{ summary: string }> {
  requireActor(caller, 'settings.write'); // before the lookup, so a caller without the right learns nothing of the history
  const result = await applyConfigVersion(caller, await versionIdOf(versionReference), reason);
  const sections = result.preview.sections.filter((section) => !section.unchanged).map((section) => section.title.toLowerCase());
  return { summary: `configuration restored to version ${result.preview.version.number} (${sections.join(', ') || 'no section changed'}); new version${result.versions.length === 1 ? '' : 's'} ${result.versions.join(', ')}` };
}
