import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evidenceFigures } from './rpo';
import { evidenceBatchInput, evidenceReportInput } from './schemas';

const HOUR = 3_600_000;
const parse = (input: unknown) => evidenceReportInput.parse(input);

test('a backup records the interval since the copy before it; the first has nothing to compare with', () => {
  const first = evidenceFigures(parse({ component: 'prefs', kind: 'backup', newestCopyAt: '2026-09-01T02:00:00Z' }), Date.parse('2026-09-01T02:10:00Z'), null);
  assert.equal(first.copyAt, Date.parse('2026-09-01T02:00:00Z'));
  assert.equal(first.rpoMs, null);
  const next = evidenceFigures(parse({ component: 'prefs', kind: 'backup', newestCopyAt: '2026-09-02T02:00:00Z' }), Date.parse('2026-09-02T02:10:00Z'), first.copyAt);
  assert.equal(next.rpoMs, 24 * HOUR);
  // Reported late, older than what is known: proves a copy but no new interval.
  assert.equal(evidenceFigures(parse({ component: 'prefs', kind: 'backup', newestCopyAt: '2026-08-31T02:00:00Z' }), 0, next.copyAt).rpoMs, null);
});

test("a replica's data at risk is its lag; a failed backup proves no copy", () => {
  const lag = evidenceFigures(parse({ component: 'history', kind: 'replica_lag', lagMs: 1_500, observedAt: '2026-09-01T00:00:00Z' }), 0, null);
  assert.deepEqual(lag, { observedAt: Date.parse('2026-09-01T00:00:00Z'), copyAt: Date.parse('2026-09-01T00:00:00Z') - 1_500, rpoMs: 1_500, restoreMs: null, continuous: true });
  const failed = evidenceFigures(parse({ component: 'prefs', kind: 'backup', ok: false, detail: 'disk full' }), 1_000, 0);
  assert.equal(failed.copyAt, null);
  assert.equal(failed.rpoMs, null);
});

test('reports are validated per kind, and unknown fields are refused', () => {
  assert.equal(evidenceReportInput.safeParse({ component: 'x', kind: 'replica_lag' }).success, false);
  assert.equal(evidenceReportInput.safeParse({ component: 'x', kind: 'restore_test' }).success, false);
  assert.equal(evidenceReportInput.safeParse({ component: 'x', kind: 'restore_test', ok: false }).success, true);
  assert.equal(evidenceReportInput.safeParse({ component: 'x', kind: 'drill', restoreMs: 10 }).success, false);
  assert.equal(evidenceReportInput.safeParse({ component: 'x', kind: 'backup', observedAt: 'yesterday' }).success, false);
  assert.equal(evidenceReportInput.safeParse({ component: 'x', kind: 'backup', lagMs: -1 }).success, false);
  assert.equal(evidenceReportInput.safeParse({ component: 'x', kind: 'backup', extra: 1 }).success, false);
  assert.equal(evidenceBatchInput.safeParse({ reports: Array.from({ length: 101 }, () => ({ component: 'x', kind: 'backup' })) }).success, false);
  assert.equal(evidenceBatchInput.safeParse({ reports: [{ component: 'x', kind: 'backup' }] }).success, true);
});
