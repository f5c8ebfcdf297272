import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateWhatIf, TEXTBOOK_ROWS, type WhatIfValues } from './what-if';

const assumptions: WhatIfValues = { standbyPercent: 99.95, failuresPerYear: 12, perFailureSeconds: 30 };

test('the textbook case gives a chain of exactly 99.9999875%', () => {
  const { result, rowErrors, valueErrors } = evaluateWhatIf(TEXTBOOK_ROWS, assumptions);
  assert.ok(result);
  assert.equal(result.chain.availability, 0.999999875);
  assert.deepEqual(rowErrors, [{}, {}, {}]);
  assert.deepEqual(valueErrors, {});
  // Standby in series and 12 failures of 30 s a year bring the end-to-end figure down.
  assert.ok(result.honest.availability < result.naive.availability && result.naive.availability < result.chain.availability);
});

test('putting two of them in one failure domain takes the chain back to two independent providers', () => {
  const rows = TEXTBOOK_ROWS.map((row, i) => (i === 1 ? { ...row, domain: 'provider-a' } : row));
  const { result } = evaluateWhatIf(rows, assumptions);
  assert.ok(Math.abs(result!.chain.availability - 0.999975) < 1e-12);
});

test('out-of-range and missing values are each refused with a message, and no result is shown', () => {
  const rows = [
    { name: 'a', domain: 'a', availabilityPercent: 100.5 },
    { name: 'b', domain: '', availabilityPercent: -1 },
    { name: '', domain: 'c', availabilityPercent: '' },
  ];
  const { rowErrors, valueErrors, result } = evaluateWhatIf(rows, { standbyPercent: 101, failuresPerYear: -2, perFailureSeconds: '' });
  assert.equal(result, null);
  assert.equal(rowErrors[0].availabilityPercent, 'Availability is a percentage from 0 to 100, e.g. 99.9.');
  assert.equal(rowErrors[1].availabilityPercent, 'Availability is a percentage from 0 to 100, e.g. 99.9.');
  assert.equal(rowErrors[1].domain, 'Name its failure domain, e.g. its provider.');
  assert.equal(rowErrors[2].availabilityPercent, 'Enter the availability as a number.');
  assert.equal(rowErrors[2].name, 'Name the target.');
  assert.deepEqual(valueErrors, {
    standbyPercent: 'A percentage from 0 to 100, e.g. 99.95.',
    failuresPerYear: 'Failures per year cannot be negative.',
    perFailureSeconds: 'Enter the seconds per failure as a number.',
  });
});

test('an empty chain is valid input and never available', () => {
  const { result } = evaluateWhatIf([], assumptions);
  assert.equal(result?.chain.availability, 0);
});
