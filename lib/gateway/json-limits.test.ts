import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containsNul, MAX_JSON_DEPTH, nestsDeeperThan } from './json-limits';

const nested = (levels: number) => Buffer.from(`{"a":${'['.repeat(levels - 1)}1${']'.repeat(levels - 1)}}`);

test('nesting up to the limit passes; one level more does not', () => {
  assert.equal(nestsDeeperThan(nested(MAX_JSON_DEPTH)), false);
  assert.equal(nestsDeeperThan(nested(MAX_JSON_DEPTH + 1)), true);
  assert.equal(nestsDeeperThan(nested(100_000)), true);
});

test('brackets inside strings, escaped quotes included, are text', () => {
  const text = `{"content":"${'[{'.repeat(200)} \\" ${'['.repeat(200)}"}`;
  assert.equal(nestsDeeperThan(Buffer.from(text)), false);
});

test('many objects side by side are not deep', () => {
  const wide = Buffer.from(JSON.stringify({ messages: Array.from({ length: 500 }, (_, i) => ({ role: 'user', content: [{ type: 'text', text: String(i) }] })) }));
  assert.equal(nestsDeeperThan(wide), false);
});

test('a deep unknown field counts like any other', () => {
  const body = `{"model":"m","messages":[],"x_extra":${'{"a":'.repeat(70)}1${'}'.repeat(70)}}`;
  assert.equal(nestsDeeperThan(Buffer.from(body)), true);
});

test('a NUL character is found in any string or key, and text that only spells it is not one', () => {
  assert.equal(containsNul({ messages: [{ role: 'user', content: 'a\u0000b' }] }), true);
  assert.equal(containsNul({ metadata: { 'k\u0000': 1 } }), true);
  assert.equal(containsNul(JSON.parse('{"content":"C strings end with \\\\u0000"}')), false);
  assert.equal(containsNul({ n: 1, b: true, z: null }), false);
});
