// GET /api/incidents/<INC-n or id>/postmortem: the post-mortem as a PDF, with
// the figures, sections and timeline of its page. Any signed-in role (estate.read).
import { getPostmortem, resolveIncidentId } from '@/lib/incidents/data';
import { renderPostmortemPdf } from '@/lib/incidents/postmortem-pdf';
import { AppError } from '@/lib/server/errors';
import { withPermission } from '@/lib/server/route';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

export async function GET(request: Request, context: Context): Promise<Response> {
  return withPermission('estate.read', async () => {
    const ref = (await context.params).id;
    const id = await resolveIncidentId(ref);
    const view = id ? await getPostmortem(id) : null;
    if (!view) throw new AppError('NOT_FOUND', `There is no incident ${ref.slice(0, 40)}.`);
    const pdf = await renderPostmortemPdf(view);
    return new Response(new Uint8Array(pdf), {
      headers: { 'content-type': 'application/pdf', 'content-disposition': `attachment; filename="${view.incident.publicId}-postmortem.pdf"`, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
    });
  })(request);
}
