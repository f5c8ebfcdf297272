import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assessModel, estimateRestore, type ModelInputs } from './estimate';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = Date.UTC(2026, 11, 10, 12);
const gbit = { bitsPerSecond: 1e9, source: 'declared' as const, detail: 'declared' };

const base = (overrides: Partial<ModelInputs> = {}): ModelInputs => ({
  name: 'llama-70b', servingRegion: 'on-prem', rtoMs: 5 * 60_000, rtoSource: 'objective', scheduleMs: DAY, deployedAt: now - 10 * DAY, declaredLoadMs: 60_000,
  copies: [{ id: 'c1', region: 'eu-west', location: 's3://backups/llama-70b', takenAt: now - 2 * HOUR, sizeBytes: 140e9, restorable: true, problems: [] }],
  restoreTests: [], bandwidth: () => gbit, fallbacks: [], now, ...overrides,
});

test('140 GB over 1 Gbit/s transfers in about 19 minutes before it loads: almost four times a 5-minute RTO', () => {
  const estimate = estimateRestore(140e9, gbit, 0);
  assert.equal(Math.round(estimate.transferMs / 60_000), 19);
  assert.ok(estimate.transferMs / (5 * 60_000) > 3.7 && estimate.transferMs / (5 * 60_000) < 3.8);
});

test('a restore slower than the RTO is at risk, with the fixes that would meet it, best first', () => {
  const status = assessModel(base({ fallbacks: [{ name: 'llama-8b', sizeBytes: 16e9, restoreMs: 3 * 60_000 }] }));
  assert.equal(status.verdict, 'at_risk');
  assert.equal(status.restoreBasis, 'estimate');
  assert.ok(status.ratio! > 3.9 && status.ratio! < 4.0);
  assert.match(status.findings[0], /Restoring takes about 20 min .*from eu-west over 1 Gbit\/s.*: 3\.9 times its 5 min RTO/);
  assert.deepEqual(status.fixes.map((f) => f.change.split(':')[0].split(' (')[0]), [
    'Keep a pre-staged replica of llama-70b in on-prem',
    'Put llama-8b',
    'Raise the bandwidth from eu-west to on-prem from 1 Gbit/s to at least 4.67 Gbit/s.',
  ]);
});

test('a timed restore test replaces the estimate', () => {
  const status = assessModel(base({ copies: [{ ...base().copies[0], sizeBytes: 10e9 }], restoreTests: [{ observedAt: now - DAY, ok: true, restoreMs: 4 * 60_000, copyId: 'c1', detail: '' }] }));
  assert.equal(status.restoreBasis, 'restore_test');
  assert.equal(status.restoreMs, 4 * 60_000);
  assert.equal(status.verdict, 'protected');
});

test('copies only in the serving region do not survive a regional disaster', () => {
  const status = assessModel(base({ copies: [{ ...base().copies[0], region: 'on-prem' }] }));
  assert.equal(status.verdict, 'unprotected');
  assert.match(status.findings[0], /Every restorable copy is in on-prem/);
});

test('a missed backup and a deployed version no copy has are both at risk', () => {
  const late = assessModel(base({ copies: [{ ...base().copies[0], sizeBytes: 1e9, takenAt: now - DAY - 2 * HOUR }] }));
  assert.equal(late.backup.overdue, true);
  assert.equal(late.verdict, 'at_risk');
  const changed = assessModel(base({ deployedAt: now - 3 * HOUR, copies: [{ ...base().copies[0], sizeBytes: 1e9, takenAt: now - 5 * HOUR }] }));
  assert.equal(changed.backup.missingSinceChange, true);
  assert.match(changed.findings.join(' '), /deployed version changed 3 h ago/);
});
