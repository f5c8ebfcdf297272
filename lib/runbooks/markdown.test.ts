import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseInline, parseMarkdown, plainText } from './markdown';

test('inline marks: code, bold, italics and safe links', () => {
  assert.deepEqual(parseInline('Run `kubectl get pods` **now**, see [status](https://status.example.com)'), [
    { t: 'text', v: 'Run ' },
    { t: 'code', v: 'kubectl get pods' },
    { t: 'text', v: ' ' },
    { t: 'strong', c: [{ t: 'text', v: 'now' }] },
    { t: 'text', v: ', see ' },
    { t: 'link', href: 'https://status.example.com', c: [{ t: 'text', v: 'status' }] },
  ]);
  assert.deepEqual(parseInline('_quietly_'), [{ t: 'em', c: [{ t: 'text', v: 'quietly' }] }]);
});

test('a link to anything but http, https or mailto stays text', () => {
  assert.deepEqual(parseInline('[click](javascript:alert(1))'), [{ t: 'text', v: '[click](javascript:alert(1))' }]);
});

test('snake_case words are not italics', () => {
  assert.deepEqual(parseInline('set max_tokens_cap and retry'), [{ t: 'text', v: 'set max_tokens_cap and retry' }]);
});

test('HTML stays text: nothing is ever injected', () => {
  assert.deepEqual(parseMarkdown('<img src=x onerror=alert(1)>'), [{ t: 'paragraph', c: [{ t: 'text', v: '<img src=x onerror=alert(1)>' }] }]);
});

test('blocks: headings, paragraphs joined across lines, lists, fenced code', () => {
  const blocks = parseMarkdown('## Escalate\nCall the provider\non its status line.\n\n- first\n- second\n  continued\n1. one\n2. two\n\n```\nnpm run standby -- config apply x.yaml\n```');
  assert.deepEqual(blocks.map((b) => b.t), ['heading', 'paragraph', 'list', 'list', 'code']);
  const [, paragraph, bullets, numbered, code] = blocks;
  assert.ok(paragraph.t === 'paragraph' && bullets.t === 'list' && numbered.t === 'list' && code.t === 'code');
  assert.equal(plainText(paragraph.c), 'Call the provider on its status line.');
  assert.deepEqual(bullets.items.map(plainText), ['first', 'second continued']);
  assert.equal(numbered.ordered, true);
  assert.equal(code.v, 'npm run standby -- config apply x.yaml');
});

test('an unclosed fence keeps the rest as code', () => {
  assert.deepEqual(parseMarkdown('```\na\nb'), [{ t: 'code', v: 'a\nb' }]);
});
