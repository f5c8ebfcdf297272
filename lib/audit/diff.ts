// Field-level comparison of an audit entry's before and after snapshots. Pure.
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type FieldChange = { field: string; before: Json | undefined; after: Json | undefined; changed: boolean };

const asRecord = (value: Json): Record<string, Json> | null =>
  value === null ? null : typeof value === 'object' && !Array.isArray(value) ? value : { value };

/** Every field in either snapshot, in the order the entity lists them, marked when its value differs. */
export function fieldChanges(before: Json, after: Json): FieldChange[] {
  const b = asRecord(before) ?? {};
  const a = asRecord(after) ?? {};
  const fields = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return fields.map((field) => ({ field, before: b[field], after: a[field], changed: JSON.stringify(b[field]) !== JSON.stringify(a[field]) }));
}
