// GET /api/live/retirement-preview?targetId=…|model=…&substituteTargetId=…: what
// retiring a target or a model everywhere would do to every chain, for the
// dialogs that confirm it (the target page and a runbook's action step). A read
// (estate.read), so a query the page caches and refetches, not a server action.
import { previewRetirement } from '@/lib/failover/retirement';
import { AppError } from '@/lib/server/errors';
import { withPermission } from '@/lib/server/route';

export const dynamic = 'force-dynamic';

export const GET = withPermission('estate.read', async (request) => {
  const query = new URL(request.url).searchParams;
  const preview = await previewRetirement({ targetId: query.get('targetId') ?? undefined, model: query.get('model') ?? undefined, substituteTargetId: query.get('substituteTargetId') ?? undefined }).catch((error: unknown) => {
    // A dialog shows one line: the field's own message says what is wrong ("No target serves a model named …").
    const first = error instanceof AppError ? Object.values(error.fieldErrors ?? {})[0]?.[0] : undefined;
    throw error instanceof AppError && first ? new AppError(error.code, first, error.fieldErrors) : error;
  });
  return Response.json(preview, { headers: { 'cache-control': 'no-store' } });
});
