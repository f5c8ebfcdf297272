// GET /api/live/config-versions/:id/restore-preview: what restoring a saved
// configuration version would change, section by section, with its impact and
// anything that stops it, for the dialog that confirms the restore. A read
// (estate.read), so a query the dialog caches and refetches, not a server action.
import { previewConfigVersion } from '@/lib/config-history/mutations';
import { withPermission } from '@/lib/server/route';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  return withPermission('estate.read', async (_request, user) => {
    const preview = await previewConfigVersion(user, (await context.params).id);
    return Response.json(preview, { headers: { 'cache-control': 'no-store' } });
  })(request);
}
