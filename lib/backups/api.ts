import 'server-only';
// The backup jobs' API (README, "Reporting model backups"): a bearer token
// with the 'backups:report' scope and a JSON body.
//   POST /api/v1/backups/copies         a copy: model, location, region, takenAt, manifest
//   POST /api/v1/backups/deployed       what serves now: model, manifest
//   POST /api/v1/backups/restore-tests  a timed restore: model, copyId or location, restoreMs (or transferMs + loadMs), ok
import { authenticateMachine } from '@/lib/access/token-auth';
import { AppError } from '@/lib/server/errors';
import { errorResponse } from '@/lib/server/route';
import { recordCopy, recordDeployed, recordRestoreTest } from './mutations';

/** A manifest of 100,000 files is about 15 MB of JSON. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

async function readJson(request: Request): Promise<unknown> {
  if (!(request.headers.get('content-type') ?? '').toLowerCase().includes('application/json')) throw new AppError('INVALID', 'Send the report as JSON (content-type: application/json).');
  if (Number(request.headers.get('content-length') ?? 0) > MAX_BODY_BYTES) throw new AppError('INVALID', 'The body is larger than 32 MiB.');
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) throw new AppError('INVALID', 'The body is larger than 32 MiB.');
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('INVALID', 'The body is not valid JSON.');
  }
}

function receiver(route: string, record: (source: string, body: unknown) => Promise<unknown>) {
  return async (request: Request): Promise<Response> => {
    try {
      const caller = await authenticateMachine(request.headers.get('authorization'), 'backups:report');
      return Response.json(await record(caller.tokenName, await readJson(request)), { status: 201 });
    } catch (error) {
      return errorResponse(error, route);
    }
  };
}

export const receiveCopy = receiver('/api/v1/backups/copies', (source, body) => recordCopy(source, body));
export const receiveDeployed = receiver('/api/v1/backups/deployed', (source, body) => recordDeployed(source, body));
export const receiveRestoreTest = receiver('/api/v1/backups/restore-tests', (source, body) => recordRestoreTest(source, body));
