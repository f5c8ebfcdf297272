import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAuditFilters, periodOf } from './schemas';

test('From and To are read as UTC, typed with a space or a T, to the minute or the day', () => {
  assert.deepEqual(periodOf('2026-12-07 14:30'), { start: new Date('2026-12-07T14:30:00Z'), end: new Date('2026-12-07T14:31:00Z') });
  assert.deepEqual(periodOf('2026-12-07T14:30'), periodOf('2026-12-07 14:30'));
  assert.deepEqual(periodOf('2026-12-07'), { start: new Date('2026-12-07T00:00:00Z'), end: new Date('2026-12-08T00:00:00Z') });
  assert.equal(periodOf('12/07/2026, 02:30 PM'), null, "a browser's locale format is not a UTC time");
});

test('a To day includes that whole day; a bad value is no filter rather than an error', () => {
  const filters = parseAuditFilters({ from: '2026-12-01', to: '2026-12-07', entity: 'x' }, []);
  assert.deepEqual([filters.from, filters.to], [new Date('2026-12-01T00:00:00Z'), new Date('2026-12-08T00:00:00Z')]);
  assert.equal(parseAuditFilters({ from: 'yesterday' }, []).from, undefined);
});
