// GET /api/health: liveness and database reachability for load balancers.
// 200 when this replica can serve the control plane, 503 when its database is unreachable.
import { checkHealth } from '@/lib/health/status';

export const dynamic = 'force-dynamic';

export async function GET() {
  const report = await checkHealth();
  return Response.json(report, { status: report.status === 'ok' ? 200 : 503, headers: { 'cache-control': 'no-store' } });
}
