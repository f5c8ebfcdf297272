import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldChanges } from './diff';

test('marks exactly the fields whose values differ', () => {
  const changes = fieldChanges({ name: 'a', rpm: 1000, enabled: true }, { name: 'a', rpm: 2500, enabled: true });
  assert.deepEqual(changes.filter((c) => c.changed).map((c) => c.field), ['rpm']);
  assert.deepEqual(changes.find((c) => c.field === 'rpm'), { field: 'rpm', before: 1000, after: 2500, changed: true });
});

test('a create has only after values, a delete only before values', () => {
  assert.deepEqual(fieldChanges(null, { name: 'x' }), [{ field: 'name', before: undefined, after: 'x', changed: true }]);
  assert.deepEqual(fieldChanges({ name: 'x' }, null), [{ field: 'name', before: 'x', after: undefined, changed: true }]);
});

test('nested values compare by content, and fields only on one side are included', () => {
  const changes = fieldChanges({ tags: ['a'], old: 1 }, { tags: ['a'], added: 2 });
  assert.deepEqual(changes.map((c) => [c.field, c.changed]), [['tags', false], ['old', true], ['added', true]]);
});

test('scalar snapshots compare as a single value', () => {
  assert.deepEqual(fieldChanges('a', 'b'), [{ field: 'value', before: 'a', after: 'b', changed: true }]);
});
