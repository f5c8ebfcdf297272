// The what-if editor's model: a chain and assumptions as the user types them,
// checked field by field, and the figures when every field is valid. Pure, so
// the editor's behaviour is unit-tested (what-if.test.ts) without a browser.
import { evaluateAvailability, type AvailabilityResult } from './maths';
import { fieldErrorsOf, whatIfAssumptions, whatIfTarget } from './schemas';

/** A number input's value: '' while it is empty. */
export type Typed = number | string;
export type WhatIfRowValues = { name: string; domain: string; availabilityPercent: Typed };
export type WhatIfValues = { standbyPercent: Typed; failuresPerYear: Typed; perFailureSeconds: Typed };

/** The textbook case (DESIGN.md): three independent providers at 99.5% give 99.9999875% for the chain. */
export const TEXTBOOK_ROWS: WhatIfRowValues[] = [
  { name: 'provider-a', domain: 'provider-a', availabilityPercent: 99.5 },
  { name: 'provider-b', domain: 'provider-b', availabilityPercent: 99.5 },
  { name: 'provider-c', domain: 'provider-c', availabilityPercent: 99.5 },
];

const asNumber = (value: Typed): number | undefined => (value === '' ? undefined : typeof value === 'number' ? value : Number(value));

export type WhatIfOutcome = {
  rowErrors: Partial<Record<keyof WhatIfRowValues, string>>[];
  valueErrors: Partial<Record<keyof WhatIfValues, string>>;
  /** Null while any field is wrong: a result from half-valid input would mislead. */
  result: AvailabilityResult | null;
};

export function evaluateWhatIf(rows: readonly WhatIfRowValues[], values: WhatIfValues): WhatIfOutcome {
  const rowErrors = rows.map((row) => fieldErrorsOf(whatIfTarget, { ...row, availabilityPercent: asNumber(row.availabilityPercent) }));
  const numbers = { standbyPercent: asNumber(values.standbyPercent), failuresPerYear: asNumber(values.failuresPerYear), perFailureSeconds: asNumber(values.perFailureSeconds) };
  const valueErrors = fieldErrorsOf(whatIfAssumptions, numbers);
  const valid = rowErrors.every((errors) => Object.keys(errors).length === 0) && Object.keys(valueErrors).length === 0;
  if (!valid) return { rowErrors, valueErrors, result: null };
  return {
    rowErrors,
    valueErrors,
    result: evaluateAvailability({
      members: rows.map((row) => ({ name: row.name.trim(), domain: row.domain.trim(), availability: Number(row.availabilityPercent) / 100 })),
      standbyAvailability: numbers.standbyPercent! / 100,
      failuresPerYear: numbers.failuresPerYear!,
      perFailureMs: numbers.perFailureSeconds! * 1000,
    }),
  };
}
