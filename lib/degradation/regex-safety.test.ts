import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catastrophicRegexReason } from './regex-safety';

test('refuses a repetition of something that repeats, and backreferences', () => {
  for (const pattern of ['(a+)+$', '(a*)*', '(.*a){2,}', '(?:\\w+\\s?)*$', '((ab)+c)+', '(x+x+)+y', '([a-z]+)*@', '(a)\\1', '(?<q>a)\\k<q>', '^(a+){10}$', '(\\d{2,})+', '([^]+)*x']) {
    assert.ok(catastrophicRegexReason(pattern), pattern);
  }
  assert.match(catastrophicRegexReason('(a+)+')!, /repeats a group that itself repeats/);
});

test('accepts the patterns rules are written with', () => {
  for (const pattern of ['refund', '^(hi|hello)\\b', 'order\\s+#?\\d{4,}', '(opening|business) hours?', '[(+)*]+', '\\(a+\\)+', '(a+)?', '(ab){3}', '(a+){1}', 'x{2}y', 'a{', 'status of (my )?order', '\\d+(\\.\\d+)?']) {
    assert.equal(catastrophicRegexReason(pattern), null, pattern);
  }
});
