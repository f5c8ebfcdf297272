import 'server-only';
// Route handlers authorise themselves (STYLE.md habit 3): no session is 401,
// the wrong role 403, both as JSON with the one error contract.
import { getCurrentUser, requirePermission, type SessionUser } from './auth';
import { AppError, HTTP_STATUS } from './errors';
import type { Permission } from './permissions';

export function errorResponse(error: unknown, context: string): Response {
  if (error instanceof AppError) {
    return Response.json({ error: { code: error.code, message: error.message, fieldErrors: error.fieldErrors } }, { status: HTTP_STATUS[error.code] });
  }
  console.error('[standby] route failed', { route: context, error });
  return Response.json({ error: { code: 'INTERNAL', message: 'Something went wrong on our side. It has been logged.' } }, { status: 500 });
}

export function withPermission(permission: Permission, handler: (request: Request, user: SessionUser) => Promise<Response>) {
  return async (request: Request): Promise<Response> => {
    try {
      const user = await getCurrentUser();
      requirePermission(user, permission);
      return await handler(request, user);
    } catch (error) {
      return errorResponse(error, new URL(request.url).pathname);
    }
  };
}
