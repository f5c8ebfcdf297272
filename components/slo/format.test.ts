import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeBudget, formatAttainment, formatBudgetShare, formatBurn, formatTarget, requestsOf } from './format';

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
  const budget = { tooFewRequests: false, requestsNeeded: 5_000 };
  assert.equal(describeBudget({ ...budget, allowedFailures: 4355, remainingFailures: 2855, remainingFraction: 0.655 }, 4_355_000), '2,855 of 4,355 failed requests left.');
  assert.equal(describeBudget({ ...budget, allowedFailures: 1000, remainingFailures: -1, remainingFraction: -0.001 }, 1_000_000), 'Overspent by 1 failed request (1,000 allowed).');
  assert.equal(describeBudget({ ...budget, allowedFailures: 0, remainingFailures: 0, remainingFraction: null }, 0), 'No requests in the window yet.');
});

test('on thin traffic the budget says the sample is too small, in whole requests, never "0.5 failed requests"', () => {
  assert.equal(
    describeBudget({ allowedFailures: 0, remainingFailures: -1, remainingFraction: null, tooFewRequests: true, requestsNeeded: 5_000 }, 540),
    'Too few requests to judge a budget: 540 of the 5,000 needed, so that one failure moves it by at most a fifth.',
  );
  assert.equal(requestsOf(1, 'failed request'), '1 failed request');
});
