// GET /api/health: liveness and readiness for load balancers, and the control-plane
// banner of the dashboard. 200 while this replica can route (even with its
// database down: status "degraded"), 503 only when it cannot route at all.
import { checkHealth } from '@/lib/health/status';

export const dynamic = 'force-dynamic';

export async function GET() {
  const report = await checkHealth();
  return Response.json(report, { status: report.status === 'unavailable' ? 503 : 200, headers: { 'cache-control': 'no-store' } });
}
