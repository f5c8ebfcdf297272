import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatAvailability, formatDowntime, formatPerYear, toPercent } from './format';

test('availabilities keep three significant digits of what is missing', () => {
  const table: [number, string][] = [
    [1 - 0.999999875, '99.9999875%'],
    [1.25e-7, '99.9999875%'],
    [0.001, '99.9%'],
    [0.0005, '99.95%'],
    [0.005, '99.5%'],
    [0.000511730721, '99.9488%'],
    [0.5, '50%'],
    [0, '100%'],
    [1, '0%'],
    [1e-14, '> 99.9999999999%'],
  ];
  for (const [u, text] of table) assert.equal(formatAvailability(u), text, `${u}`);
});

test('downtimes read in the unit that suits them', () => {
  const table: [number, string][] = [
    [0, 'none'],
    [0.3, 'under 1 ms'],
    [324, '324 ms'],
    [3_942, '3.9 s'],
    [45_000, '45 s'],
    [2_592_000, '43 min'],
    [31_536_000, '8.8 h'],
    [86_400_000, '1 day'],
    [3.66 * 86_400_000, '3.7 days'],
  ];
  for (const [ms, text] of table) assert.equal(formatDowntime(ms), text, `${ms}`);
});

test('fractions become the percentages people type, and counts per year stay short', () => {
  assert.equal(toPercent(0.999), 99.9);
  assert.equal(toPercent(0.99995), 99.995);
  assert.equal(formatPerYear(12), '12 a year');
  assert.equal(formatPerYear(0.4567), '0.5 a year');
  assert.equal(formatPerYear(36.5), '37 a year');
});
