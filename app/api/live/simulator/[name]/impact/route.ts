// GET /api/live/simulator/:name/impact?faults={...}: the services a fault
// profile on a simulated upstream would hit, and the tier that would follow for
// each, for the Simulator page's form as it is filled in. A read (estate.read).
import { withPermission } from '@/lib/server/route';
import { parseInput } from '@/lib/server/errors';
import { previewFaultImpact } from '@/lib/simulator/impact';
import { previewFaultsInput } from '@/lib/simulator/schemas';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, context: { params: Promise<{ name: string }> }): Promise<Response> {
  return withPermission('estate.read', async () => {
    let faults: unknown;
    try {
      faults = JSON.parse(new URL(request.url).searchParams.get('faults') ?? '{}');
    } catch {
      faults = null;
    }
    const { name, faults: profile } = parseInput(previewFaultsInput, { name: (await context.params).name, faults });
    return Response.json(await previewFaultImpact(name, profile), { headers: { 'cache-control': 'no-store' } });
  })(request);
}
