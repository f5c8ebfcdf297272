import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FAULT_PRESETS, faultsSchema, NO_FAULTS } from '@/lib/simulator/faults';
import { faultsOf, formValuesOf } from './fault-values';

test('every preset survives the trip through the form unchanged', () => {
  for (const preset of FAULT_PRESETS) {
    assert.deepEqual(faultsSchema.parse(faultsOf(formValuesOf(preset.faults))), preset.faults, preset.label);
  }
});

test('shares are typed in percent, to a tenth of a percent', () => {
  const values = { ...formValuesOf(NO_FAULTS), errorPercent: 12.5, malformedPercent: 30 };
  const faults = faultsSchema.parse(faultsOf(values));
  assert.equal(faults.errorRate, 0.125);
  assert.equal(faults.malformedChunkRate, 0.3);
  assert.equal(formValuesOf(faults).errorPercent, 12.5);
});

test('a switched-off option is sent as null, and shows a sensible value when switched on', () => {
  const values = formValuesOf(NO_FAULTS);
  assert.equal(values.sendRetryAfter, false);
  assert.equal(values.retryAfterSeconds, 5);
  assert.equal(faultsOf(values).retryAfterSeconds, null);
  assert.equal(faultsOf({ ...values, sendRetryAfter: true }).retryAfterSeconds, 5);
  assert.equal(faultsOf({ ...values, cutStreams: true }).streamCutAfterChunks, 3);
  assert.equal(faultsOf({ ...values, limitContext: true, contextWindow: 4096 }).contextWindow, 4096);
});

test('an emptied number field is refused by the server rather than read as zero', () => {
  const result = faultsSchema.safeParse(faultsOf({ ...formValuesOf(NO_FAULTS), errorPercent: '', addedLatencyMs: '' }));
  assert.equal(result.success, false);
  const fields = (result.error?.issues ?? []).map((issue) => issue.path.join('.')).sort();
  assert.deepEqual(fields, ['addedLatencyMs', 'errorRate']);
  assert.match(result.error?.issues[0].message ?? '', /as a number/);
});
