// Audit log filters from the query string. A bad value falls back to "no
// filter" instead of failing the page: these URLs get pasted into incident notes.
import { z } from 'zod';

// YYYY-MM-DD, optionally with a time (after a T or a space, as people type it) and a zone.
const INSTANT = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(:\d{2})?(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * Parses a From/To value as the period it names, in UTC unless it carries a
 * zone. `to` bounds are exclusive ends, so "To 2025-01-31" includes that whole day.
 */
export function periodOf(value: string): { start: Date; end: Date } | null {
  const match = INSTANT.exec(value);
  if (!match) return null;
  const [, day, minutes, seconds, fraction, zone] = match;
  const start = new Date(`${day}T${minutes ?? '00:00'}${seconds ?? ''}${fraction ?? ''}${zone ?? 'Z'}`);
  if (Number.isNaN(start.getTime())) return null;
  const length = !minutes ? 86_400_000 : !seconds ? 60_000 : !fraction ? 1_000 : 1;
  return { start, end: new Date(start.getTime() + length) };
}

const text = (max: number) =>
  z.string().transform((value) => value.replaceAll('\u0000', '').trim()).pipe(z.string().max(max)).optional().catch(undefined).transform((value) => value || undefined);

export const auditFiltersSchema = z.object({
  actor: text(254),
  entityType: z.string().trim().regex(/^[a-z][a-z0-9_.-]{0,63}$/).optional().catch(undefined),
  entity: text(200),
  action: text(100),
  from: z.string().trim().optional().catch(undefined).transform((value) => (value ? periodOf(value)?.start : undefined)),
  to: z.string().trim().optional().catch(undefined).transform((value) => (value ? periodOf(value)?.end : undefined)),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});

export type AuditFilters = z.infer<typeof auditFiltersSchema>;

export const AUDIT_FILTER_KEYS = ['actor', 'entityType', 'entity', 'action', 'from', 'to'] as const;

/** Filters from `searchParams`; an entity type outside `knownTypes` is dropped rather than matching nothing. */
export function parseAuditFilters(params: Record<string, string | string[] | undefined>, knownTypes: string[]): AuditFilters {
  const pick = (key: string) => (Array.isArray(params[key]) ? params[key]?.[0] : params[key]);
  const filters = auditFiltersSchema.parse(Object.fromEntries([...AUDIT_FILTER_KEYS, 'page'].map((key) => [key, pick(key)])));
  if (filters.entityType && !knownTypes.includes(filters.entityType)) filters.entityType = undefined;
  return filters;
}

export const isFiltered = (filters: AuditFilters) => AUDIT_FILTER_KEYS.some((key) => filters[key] !== undefined);
