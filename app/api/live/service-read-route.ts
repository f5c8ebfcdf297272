// The one shape of the live routes that read one service by name: a reader
// (estate.read), the name validated, 404 for an unknown service, never cached.
import { z } from 'zod';
import { serviceInput } from '@/lib/inventory/schemas';
import { AppError, fieldErrorsOf } from '@/lib/server/errors';
import { withPermission } from '@/lib/server/route';

const params = z.object({ name: serviceInput.shape.name });

type Context = { params: Promise<{ name: string }> };

/** A GET handler answering `read(name, request)`; `read` returns null for an unknown service and may throw AppError for bad query strings. */
export function serviceReadRoute<T>(read: (name: string, request: Request) => Promise<T | null>) {
  return async function GET(request: Request, context: Context): Promise<Response> {
    return withPermission('estate.read', async () => {
      const parsed = params.safeParse(await context.params);
      if (!parsed.success) throw new AppError('INVALID', 'That is not a valid service name.', fieldErrorsOf(parsed.error));
      const data = await read(parsed.data.name, request);
      if (data === null) throw new AppError('NOT_FOUND', `There is no service named '${parsed.data.name}'.`);
      return Response.json(data, { headers: { 'cache-control': 'no-store' } });
    })(request);
  };
}
