import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import { AttemptAbort, readBody, UpstreamFailure, type UpstreamResponse } from './upstream';

/** A response body the test feeds by hand. */
function body(): Readable & UpstreamResponse['body'] {
  return new Readable({ read() {} }) as Readable & UpstreamResponse['body'];
}

async function failureOf(promise: Promise<unknown>): Promise<UpstreamFailure> {
  const error = await promise.then(
    () => assert.fail('expected the read to fail'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof UpstreamFailure, `expected an UpstreamFailure, got ${String(error)}`);
  return error;
}

test('readBody joins the pieces of a body, a character cut between two of them included', async () => {
  const b = body();
  const reading = readBody(b, 1024, 1_000);
  const text = Buffer.from('{"answer":"héllo"}');
  b.push(text.subarray(0, 13)); // cuts é in two
  b.push(text.subarray(13));
  b.push(null);
  assert.equal(await reading, '{"answer":"héllo"}');
});

test('readBody refuses a body over maxBytes and stops reading it', async () => {
  const b = body();
  const reading = readBody(b, 8, 1_000);
  b.push(Buffer.from('0123456789'));
  const failure = await failureOf(reading);
  assert.equal(failure.errorClass, 'malformed_response');
  assert.equal(b.destroyed, true);
});

test('readBody gives up on a body that stalls for idleMs', async () => {
  const b = body();
  const reading = readBody(b, 1024, 30);
  b.push(Buffer.from('{"a":'));
  assert.equal((await failureOf(reading)).errorClass, 'stream_stall');
});

test('readBody reports a body closed before its end as cut, whatever the error', async () => {
  const aborted = body();
  const first = readBody(aborted, 1024, 1_000);
  aborted.push(Buffer.from('{"a":'));
  aborted.destroy();
  assert.equal((await failureOf(first)).errorClass, 'stream_cut');

  const reset = body();
  const second = readBody(reset, 1024, 1_000);
  reset.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
  assert.equal((await failureOf(second)).errorClass, 'stream_cut');

  const gone = body();
  gone.destroy();
  assert.equal((await failureOf(readBody(gone, 1024, 1_000))).errorClass, 'stream_cut');
});

test('an attempt follows its request: aborted when the request is, and no longer once unfollowed', () => {
  const request = { aborted: false };
  const response = new EventEmitter();
  const attempt = new AttemptAbort();
  let heard = 0;
  attempt.on('abort', () => (heard += 1));
  attempt.follow(response, 'close', request);
  response.emit('close'); // a response that ends normally closes too
  assert.equal(attempt.aborted, false);
  request.aborted = true;
  response.emit('close');
  assert.deepEqual([attempt.aborted, heard], [true, 1]);
  response.emit('close');
  assert.equal(heard, 1, 'abort is announced once');

  const later = new AttemptAbort();
  later.follow(response, 'close', { aborted: false });
  assert.equal(response.listenerCount('close'), 2);
  later.unfollow('close');
  assert.equal(response.listenerCount('close'), 1);

  const tooLate = new AttemptAbort();
  tooLate.follow(response, 'close', { aborted: true });
  assert.equal(tooLate.aborted, true, 'a request already aborted aborts the attempt at once');
  assert.equal(response.listenerCount('close'), 1);
});
