// POST /api/v1/recovery/evidence: a backup job, a replica monitor or a restore
// test reports what it measured about a recovery component (README,
// "Reporting recovery evidence"). Bearer token with the 'recovery:evidence'
// scope; one report or { "reports": [...] } (at most 100), all or none.
import { authenticateMachine } from '@/lib/access/token-auth';
import { recordEvidence } from '@/lib/recovery/evidence';
import { evidenceBatchInput } from '@/lib/recovery/schemas';
import { AppError, parseInput } from '@/lib/server/errors';
import { errorResponse } from '@/lib/server/route';

export const dynamic = 'force-dynamic';

const MAX_BODY_BYTES = 1024 * 1024;

export async function POST(request: Request): Promise<Response> {
  try {
    const caller = await authenticateMachine(request.headers.get('authorization'), 'recovery:evidence');
    if (!(request.headers.get('content-type') ?? '').toLowerCase().includes('application/json')) throw new AppError('INVALID', 'Send the report as JSON (content-type: application/json).');
    const length = Number(request.headers.get('content-length') ?? 0);
    if (length > MAX_BODY_BYTES) throw new AppError('INVALID', 'The body is larger than 1 MiB: send at most 100 reports per request.');
    const text = await request.text();
    if (text.length > MAX_BODY_BYTES) throw new AppError('INVALID', 'The body is larger than 1 MiB: send at most 100 reports per request.');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new AppError('INVALID', 'The body is not valid JSON.');
    }
    const input = parseInput(evidenceBatchInput, body);
    const reports = 'reports' in input ? input.reports : [input];
    const recorded = await recordEvidence(reports, caller.tokenName);
    return Response.json({ recorded }, { status: 201 });
  } catch (error) {
    return errorResponse(error, '/api/v1/recovery/evidence');
  }
}
