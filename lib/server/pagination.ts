// List pages show 50 rows at a time; page numbers come from the query string.
import { z } from 'zod';

export const PAGE_SIZE = 50;

export type Page<T> = { rows: T[]; total: number; page: number; pageSize: number; pageCount: number };

export const listQuerySchema = z.object({
  // A NUL character cannot be in any stored text, so it cannot be searched for either.
  q: z.string().transform((value) => value.replaceAll('\u0000', '').trim()).pipe(z.string().max(100)).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
  status: z.enum(['all', 'enabled', 'disabled']).catch('all').default('all'),
});

export type ListQuery = z.infer<typeof listQuerySchema>;

export function parseListQuery(params: Record<string, string | string[] | undefined>): ListQuery {
  const pick = (key: string) => (Array.isArray(params[key]) ? params[key]?.[0] : params[key]);
  return listQuerySchema.parse({ q: pick('q') || undefined, page: pick('page'), status: pick('status') });
}

export function pageOf<T>(rows: T[], total: number, page: number): Page<T> {
  return { rows, total, page, pageSize: PAGE_SIZE, pageCount: Math.max(1, Math.ceil(total / PAGE_SIZE)) };
}

export const skipFor = (page: number) => (page - 1) * PAGE_SIZE;

export function enabledFilter(status: ListQuery['status']): { enabled?: boolean } {
  return status === 'all' ? {} : { enabled: status === 'enabled' };
}
