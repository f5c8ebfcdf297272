// GET /api/incidents/<INC-n or id>/postmortem: the post-mortem as a PDF, with
// the figures, sections and timeline of its page. Any signed-in role (estate.read).
import { getPostmortem } from '@/lib/incidents/data';
import { renderPostmortemPdf } from '@/lib/incidents/postmortem-pdf';
import { incidentReadRoute } from '../../incident-read-route';

export const dynamic = 'force-dynamic';

export const GET = incidentReadRoute(async (id) => {
  const view = await getPostmortem(id);
  if (!view) return null;
  const pdf = await renderPostmortemPdf(view);
  return new Response(new Uint8Array(pdf), {
    headers: { 'content-type': 'application/pdf', 'content-disposition': `attachment; filename="${view.incident.publicId}-postmortem.pdf"`, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
  });
});
