// One error contract (STYLE.md habit 5). Expected failures are AppErrors with a
// code; forms receive them as { ok: false, error, fieldErrors }. Anything else
// is logged with context and shown as a generic message.
import { z } from 'zod';

/** UNAVAILABLE: something Standby depends on outside itself (an S3 endpoint, a folder) could not be reached: nothing was changed, try again later. */
export type AppErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'INVALID' | 'IN_USE' | 'RATE_LIMITED' | 'CROSS_SITE' | 'UNSUPPORTED_MEDIA_TYPE' | 'UNAVAILABLE';

export type FieldErrors = Record<string, string[]>;

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly fieldErrors?: FieldErrors,
    /** RATE_LIMITED: when to try again, sent as Retry-After by machine APIs. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export type ActionResult<T = undefined> = { ok: true; data: T; message?: string } | { ok: false; error: string; code: AppErrorCode | 'INTERNAL'; fieldErrors?: FieldErrors };

export const HTTP_STATUS: Record<AppErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID: 400,
  IN_USE: 409,
  RATE_LIMITED: 429,
  CROSS_SITE: 403,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAVAILABLE: 503,
};

export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const result: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join('.') : '_form';
    (result[key] ??= []).push(issue.message);
  }
  return result;
}

export const NUL_MESSAGE = 'Remove the NUL character (an invisible control character, often from a paste) from this field: Standby cannot store it.';

/** Fields holding a NUL character, which PostgreSQL text cannot store: the user gets a field error, not a database failure. */
function nulFieldErrors(input: unknown, path: string[] = [], found: FieldErrors = {}): FieldErrors {
  if (typeof input === 'string') {
    if (input.includes('\u0000')) found[path.length ? path.join('.') : '_form'] = [NUL_MESSAGE];
  } else if (input !== null && typeof input === 'object' && path.length < 16) {
    for (const [key, value] of Object.entries(input)) nulFieldErrors(value, [...path, key], found);
  }
  return found;
}

/** Parses input or throws an INVALID AppError listing every problem by field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const nul = nulFieldErrors(input);
  if (Object.keys(nul).length) throw new AppError('INVALID', 'Some fields need attention.', nul);
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new AppError('INVALID', 'Some fields need attention.', fieldErrorsOf(parsed.error));
  return parsed.data;
}

export function toActionError(error: unknown, context: Record<string, unknown>): Extract<ActionResult, { ok: false }> {
  if (error instanceof AppError) return { ok: false, error: error.message, code: error.code, fieldErrors: error.fieldErrors };
  console.error('[standby] unexpected error', { ...context, error });
  return { ok: false, error: 'Something went wrong on our side. It has been logged; try again.', code: 'INTERNAL' };
}
