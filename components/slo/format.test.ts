import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeBudget, formatAttainment, formatBudgetShare, formatBurn, formatRequests, formatTarget } from './format';

test('SLO targets read as people write them', () => {
  assert.equal(formatTarget(0.999), '99.9%');
  assert.equal(formatTarget(0.9995), '99.95%');
  assert.equal(formatTarget(0.99), '99%');
});

test('attainment is floored, so a miss never reads as meeting the target', () => {
  assert.equal(formatAttainment(0.99975), '99.975%');
  assert.equal(formatAttainment(0.9989996), '99.899%');
  assert.equal(formatAttainment(0.99999999), '99.999%');
  assert.equal(formatAttainment(1), '100%');
  assert.equal(formatAttainment(null), '—');
});

test('burn rates', () => {
  assert.equal(formatBurn(null), '—');
  assert.equal(formatBurn(0), '0×');
  assert.equal(formatBurn(0.035), '0.04×');
  assert.equal(formatBurn(1), '1×');
  assert.equal(formatBurn(14.4), '14.4×');
  assert.equal(formatBurn(24.59), '24.6×');
  assert.equal(formatBurn(1000), '1,000×');
  assert.equal(formatBurn(1e9), '∞');
});

test('budget left, in share and in requests, negative once overspent', () => {
  assert.equal(formatBudgetShare(0.6556), '65.5%');
  assert.equal(formatBudgetShare(-0.5), '-50%');
  assert.equal(formatBudgetShare(null), '—');
  assert.equal(formatRequests(2.5), '2.5');
  assert.equal(formatRequests(2855.9), '2,855');
  assert.equal(describeBudget({ allowedFailures: 4355, remainingFailures: 2855, remainingFraction: 0.655 }), '2,855 of 4,355 failed requests left.');
  assert.equal(describeBudget({ allowedFailures: 1000, remainingFailures: -500, remainingFraction: -0.5 }), 'Overspent by 500 failed requests (1,000 allowed).');
  assert.equal(describeBudget({ allowedFailures: 0, remainingFailures: 0, remainingFraction: null }), 'No requests in the window yet.');
});
