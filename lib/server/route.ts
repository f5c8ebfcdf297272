import 'server-only';
// Route handlers authorise themselves (STYLE.md habit 3): no session is 401,
// the wrong role 403, both as JSON with the one error contract.
import { getCurrentUser, requirePermission, type SessionUser } from './auth';
import { env } from './env';
import { AppError, HTTP_STATUS } from './errors';
import { crossSiteProblem, mediaTypeOf, UNSAFE_METHODS } from './same-origin';
import type { Permission } from './permissions';

export function errorResponse(error: unknown, context: string): Response {
  if (error instanceof AppError) {
    const headers = error.retryAfterSeconds !== undefined ? { 'retry-after': String(error.retryAfterSeconds) } : undefined;
    return Response.json({ error: { code: error.code, message: error.message, fieldErrors: error.fieldErrors } }, { status: HTTP_STATUS[error.code], headers });
  }
  console.error('[standby] route failed', { route: context, error });
  return Response.json({ error: { code: 'INTERNAL', message: 'Something went wrong on our side. It has been logged.' } }, { status: 500 });
}

/** Refuses a state-changing request another site's page made with the user's cookie, or one without the route's content type (same-origin.ts). */
function assertSameOrigin(request: Request, accepts: readonly string[]) {
  if (!UNSAFE_METHODS.has(request.method)) return;
  const configured = env().NEXTAUTH_URL;
  const problem = crossSiteProblem(request, configured ? new URL(configured).origin : null);
  if (problem) throw new AppError('CROSS_SITE', problem);
  const type = mediaTypeOf(request.headers.get('content-type'));
  if (!type || !accepts.includes(type)) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Send the body with Content-Type: ${accepts.join(' or ')}${type ? ` (this request said ${type.slice(0, 100)})` : ''}.`);
  }
}

/**
 * A route handler that needs `permission`. Handlers of POST, PUT, PATCH and DELETE
 * name the content types they take (`accepts`); their requests must also come from
 * Standby's own origin.
 */
export function withPermission(permission: Permission, handler: (request: Request, user: SessionUser) => Promise<Response>, options: { accepts?: readonly string[] } = {}) {
  return async (request: Request): Promise<Response> => {
    try {
      assertSameOrigin(request, options.accepts ?? []);
      const user = await getCurrentUser();
      requirePermission(user, permission);
      return await handler(request, user);
    } catch (error) {
      return errorResponse(error, new URL(request.url).pathname);
    }
  };
}
