import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countChanges, diffLines } from './line-diff';

const file = (lines: string[]) => `${lines.join('\n')}\n`;

test('identical files fold into one skipped stretch', () => {
  const text = file(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  assert.deepEqual(diffLines(text, text), [{ kind: 'skipped', lines: 8 }]);
});

test('a line changed in place is one changed row, with context around it and the rest folded', () => {
  const before = file(Array.from({ length: 20 }, (_, i) => `line ${i + 1}`));
  const after = before.replace('line 10\n', 'line ten\n');
  const rows = diffLines(before, after, 2);
  assert.deepEqual(rows, [
    { kind: 'skipped', lines: 7 },
    { kind: 'same', left: 8, right: 8, text: 'line 8' },
    { kind: 'same', left: 9, right: 9, text: 'line 9' },
    { kind: 'changed', left: 10, right: 10, from: 'line 10', to: 'line ten' },
    { kind: 'same', left: 11, right: 11, text: 'line 11' },
    { kind: 'same', left: 12, right: 12, text: 'line 12' },
    { kind: 'skipped', lines: 8 },
  ]);
  assert.deepEqual(countChanges(rows), { added: 1, removed: 1 });
});

test('insertions and deletions keep both sides\' line numbers', () => {
  const rows = diffLines(file(['chain:', '  - a', '  - b', '  - c']), file(['chain:', '  - b', '  - c', '  - d']), 5);
  assert.deepEqual(rows, [
    { kind: 'same', left: 1, right: 1, text: 'chain:' },
    { kind: 'removed', left: 2, text: '  - a' },
    { kind: 'same', left: 3, right: 2, text: '  - b' },
    { kind: 'same', left: 4, right: 3, text: '  - c' },
    { kind: 'added', right: 4, text: '  - d' },
  ]);
});

test('an empty side is all additions or all removals', () => {
  assert.deepEqual(diffLines('', file(['x', 'y'])), [{ kind: 'added', right: 1, text: 'x' }, { kind: 'added', right: 2, text: 'y' }]);
  assert.deepEqual(countChanges(diffLines(file(['x', 'y']), '')), { added: 0, removed: 2 });
});
