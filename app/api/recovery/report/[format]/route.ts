// GET /api/recovery/report/pdf?period=2026-Q3 (or /csv): the recovery report
// of a period for download, with the figures of the report page at the same
// link. Any signed-in role may read it (estate.read).
import { getRecoveryReport, listEpisodes } from '@/lib/recovery/data';
import { parsePeriod } from '@/lib/recovery/period';
import { reportCsv } from '@/lib/recovery/report-csv';
import { renderReportPdf } from '@/lib/recovery/report-pdf';
import { env } from '@/lib/server/env';
import { AppError } from '@/lib/server/errors';
import { errorResponse } from '@/lib/server/route';
import { getCurrentUser, requirePermission } from '@/lib/server/auth';

export const dynamic = 'force-dynamic';

/** Every episode of the period goes into the CSV; beyond this, narrow the period. */
const CSV_EPISODES = 100_000;

export async function GET(request: Request, { params }: { params: Promise<{ format: string }> }): Promise<Response> {
  try {
    requirePermission(await getCurrentUser(), 'estate.read');
    const { format } = await params;
    if (format !== 'pdf' && format !== 'csv') throw new AppError('NOT_FOUND', 'The report comes as pdf or csv.');
    const url = new URL(request.url);
    const period = parsePeriod(url.searchParams.get('period'), Date.now());
    if (!period) throw new AppError('INVALID', 'Unknown period: use a quarter (2026-Q3), 90d, or two dates (2026-07-01..2026-08-15).');
    const report = await getRecoveryReport(period, { traffic: true });
    const name = `standby-recovery-${period.key.replace(/[^0-9A-Za-z-]+/g, '_')}`;
    const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
    if (format === 'csv') {
      const { episodes } = await listEpisodes(period, { limit: CSV_EPISODES });
      return new Response(reportCsv(report, episodes), { headers: { ...headers, 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}.csv"` } });
    }
    const link = `${env().NEXTAUTH_URL ?? url.origin}/recovery/report?period=${encodeURIComponent(period.key)}`;
    const pdf = await renderReportPdf(report, { link });
    return new Response(new Uint8Array(pdf), { headers: { ...headers, 'content-type': 'application/pdf', 'content-disposition': `attachment; filename="${name}.pdf"` } });
  } catch (error) {
    return errorResponse(error, '/api/recovery/report');
  }
}
