import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSseParser, encodeSse, type SseEvent } from './sse';

/** Feeds the pieces in order and collects every event, including those `end()` releases. */
function parseAll(pieces: (string | Uint8Array)[]): SseEvent[] {
  const parser = createSseParser();
  const events = pieces.flatMap((piece) => parser.push(piece));
  return [...events, ...parser.end()];
}

/** Every way of cutting `text` in two, as strings. */
function everySplit(text: string): [string, string][] {
  return Array.from({ length: text.length + 1 }, (_, i) => [text.slice(0, i), text.slice(i)]);
}

const bytes = (text: string) => new TextEncoder().encode(text);

test('parses events separated by blank lines with LF endings', () => {
  assert.deepEqual(parseAll(['data: one\n\ndata: two\n\n']), [{ data: 'one' }, { data: 'two' }]);
});

test('accepts CRLF and lone CR line endings, mixed in one stream', () => {
  assert.deepEqual(parseAll(['data: a\r\n\r\ndata: b\r\rdata: c\n\n']), [{ data: 'a' }, { data: 'b' }, { data: 'c' }]);
});

test('a CRLF split between two chunks is one line ending, not two', () => {
  const parser = createSseParser();
  assert.deepEqual(parser.push('data: a\r'), []);
  assert.deepEqual(parser.push('\ndata: b\r\n\r\n'), [{ data: 'a\nb' }]);
});

test('a lone CR at the end of a chunk followed by a non-LF still ends the line', () => {
  assert.deepEqual(parseAll(['data: a\r', '\r', 'data: b\n\n']), [{ data: 'a' }, { data: 'b' }]);
});

test('joins multi-line data with LF', () => {
  assert.deepEqual(parseAll(['data: first\ndata: second\ndata:\ndata: fourth\n\n']), [{ data: 'first\nsecond\n\nfourth' }]);
});

test('removes exactly one space after the colon', () => {
  assert.deepEqual(parseAll(['data:no space\n\ndata:  two spaces\n\n']), [{ data: 'no space' }, { data: ' two spaces' }]);
});

test('a data line holding only "data" gives an empty string', () => {
  assert.deepEqual(parseAll(['data\n\n']), [{ data: '' }]);
});

test('ignores comments, retry and unknown fields', () => {
  assert.deepEqual(parseAll([': keep-alive\n\n:ping\nretry: 1000\nfoo: bar\ndata: x\n\n']), [{ data: 'x' }]);
});

test('a block with no data line dispatches nothing and forgets its event name', () => {
  assert.deepEqual(parseAll(['event: ping\n\ndata: x\n\n']), [{ data: 'x' }]);
});

test('keeps the event name and id', () => {
  assert.deepEqual(parseAll(['event: message_start\nid: 7\ndata: {}\n\n']), [{ event: 'message_start', data: '{}', id: '7' }]);
});

test('the last event id carries over to later events, as the spec says', () => {
  assert.deepEqual(parseAll(['id: 1\ndata: a\n\ndata: b\n\nid\ndata: c\n\n']), [
    { data: 'a', id: '1' },
    { data: 'b', id: '1' },
    { data: 'c' },
  ]);
});

test('an id containing NULL is ignored', () => {
  assert.deepEqual(parseAll(['id: 1\ndata: a\n\nid: x\0y\ndata: b\n\n']), [
    { data: 'a', id: '1' },
    { data: 'b', id: '1' },
  ]);
});

test('the event name resets after each event', () => {
  assert.deepEqual(parseAll(['event: a\ndata: 1\n\ndata: 2\n\n']), [{ event: 'a', data: '1' }, { data: '2' }]);
});

test('every cut of a realistic stream gives the same events', () => {
  const stream =
    ': OPENROUTER PROCESSING\r\n\r\nevent: content_block_delta\r\ndata: {"type":"content_block_delta","delta":{"text":"Hé"}}\r\n\r\nid: 3\ndata: line one\ndata: line two\n\ndata: [DONE]\r\r';
  const expected = parseAll([stream]);
  assert.equal(expected.length, 3);
  for (const [a, b] of everySplit(stream)) assert.deepEqual(parseAll([a, b]), expected, `cut at ${a.length}`);
});

test('one character per chunk gives the same events', () => {
  const stream = 'event: x\r\ndata: a\r\ndata: b\r\r\ndata: c\n\n';
  const expected = [{ event: 'x', data: 'a\nb' }, { data: 'c' }];
  assert.deepEqual(parseAll([stream]), expected);
  assert.deepEqual(parseAll(stream.split('')), expected);
});

test('a multi-byte character cut between byte chunks is decoded whole', () => {
  const encoded = bytes('data: 日本語 😀 é\n\n');
  for (let cut = 0; cut <= encoded.length; cut++) {
    assert.deepEqual(parseAll([encoded.slice(0, cut), encoded.slice(cut)]), [{ data: '日本語 😀 é' }], `cut at byte ${cut}`);
  }
  const oneByteAtATime = Array.from(encoded, (b) => Uint8Array.of(b));
  assert.deepEqual(parseAll(oneByteAtATime), [{ data: '日本語 😀 é' }]);
});

test('a leading byte-order mark is dropped, from bytes or text', () => {
  assert.deepEqual(parseAll([Uint8Array.of(0xef, 0xbb), Uint8Array.of(0xbf), bytes('data: a\n\n')]), [{ data: 'a' }]);
  assert.deepEqual(parseAll(['\uFEFFdata: a\n\n']), [{ data: 'a' }]);
  assert.deepEqual(parseAll(['\uFEFF', 'data: a\n\n']), [{ data: 'a' }]);
});

test('a byte-order mark that is not at the start is kept', () => {
  assert.deepEqual(parseAll(['data: a\uFEFF\n\n']), [{ data: 'a\uFEFF' }]);
});

test('invalid UTF-8 becomes U+FFFD instead of throwing', () => {
  assert.deepEqual(parseAll([Uint8Array.of(0x64, 0x61, 0x74, 0x61, 0x3a, 0x20, 0xff, 0x0a, 0x0a)]), [{ data: '\uFFFD' }]);
});

test('end() releases an event whose lines ended but whose blank line never came', () => {
  const parser = createSseParser();
  assert.deepEqual(parser.push('data: {"usage":{}}\n'), []);
  assert.deepEqual(parser.end(), [{ data: '{"usage":{}}' }]);
});

test('end() drops a line that was never terminated, since it may be cut short', () => {
  const parser = createSseParser();
  assert.deepEqual(parser.push('data: a\n\ndata: {"choices":[{"delta":{"content":"Hel'), [{ data: 'a' }]);
  assert.deepEqual(parser.end(), []);
});

test('end() drops a character cut short at the end of the body', () => {
  const encoded = bytes('data: é\n');
  const parser = createSseParser();
  parser.push(encoded.slice(0, encoded.length - 2)); // "data: " and the first byte of é
  assert.deepEqual(parser.end(), []);
});

test('push and end after end() return nothing', () => {
  const parser = createSseParser();
  parser.end();
  assert.deepEqual(parser.push('data: a\n\n'), []);
  assert.deepEqual(parser.end(), []);
});

test('an empty chunk changes nothing', () => {
  const parser = createSseParser();
  assert.deepEqual(parser.push(''), []);
  assert.deepEqual(parser.push(new Uint8Array(0)), []);
  assert.deepEqual(parser.push('data: a\r'), []);
  assert.deepEqual(parser.push(''), []);
  assert.deepEqual(parser.push('\n\n'), [{ data: 'a' }]);
});

test('encodeSse frames data and an optional event name', () => {
  assert.equal(encodeSse('{"a":1}'), 'data: {"a":1}\n\n');
  assert.equal(encodeSse('[DONE]'), 'data: [DONE]\n\n');
  assert.equal(encodeSse('{"error":{}}', 'error'), 'event: error\ndata: {"error":{}}\n\n');
});

test('encodeSse splits multi-line data so that it parses back unchanged', () => {
  const data = 'one\ntwo\r\nthree\rfour\n';
  const encoded = encodeSse(data, 'x');
  assert.equal(encoded, 'event: x\ndata: one\ndata: two\ndata: three\ndata: four\ndata: \n\n');
  assert.deepEqual(parseAll([encoded]), [{ event: 'x', data: 'one\ntwo\nthree\nfour\n' }]);
});

test('encodeSse refuses an event name with a line break', () => {
  assert.throws(() => encodeSse('x', 'a\nb'), TypeError);
});
