import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { endpointPolicyOf } from '@/lib/server/endpoint-policy';
import { setEndpointPolicy } from '@/lib/server/guarded-connect';
import { AttemptAbort, readBody, sendUpstream, UpstreamFailure, type UpstreamResponse } from './upstream';

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

test('an attempt abort announces itself once to each listener still registered', () => {
  const attempt = new AttemptAbort();
  const heard: string[] = [];
  const removed = () => heard.push('removed');
  attempt.on('abort', () => heard.push('on'));
  attempt.once('abort', () => heard.push('once'));
  attempt.once('abort', removed);
  attempt.removeListener('abort', removed);
  attempt.off('abort', () => heard.push('never registered'));
  attempt.abort();
  attempt.abort();
  assert.deepEqual(heard, ['on', 'once']);
  assert.equal(attempt.aborted, true);
  assert.equal((attempt.reason as DOMException).name, 'AbortError');
});

test('undici takes an attempt abort as its signal: a request waiting for headers is cancelled at once', async () => {
  const server = http.createServer(() => {}); // never answers
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  setEndpointPolicy(endpointPolicyOf(['127.0.0.0/8'])); // loopback, allowed as an admin allows a private network
  try {
    const attempt = new AttemptAbort();
    const started = performance.now();
    const pending = sendUpstream({ url: `http://127.0.0.1:${port}/v1/chat/completions`, method: 'POST', headers: {}, body: '{}' }, { connectMs: 1_000, headerMs: 10_000 }, attempt);
    setTimeout(() => attempt.abort(), 50);
    const failure = await pending.then(() => null, (error: unknown) => error);
    assert.ok(failure instanceof UpstreamFailure);
    assert.equal(failure.errorClass, 'total_timeout');
    assert.ok(performance.now() - started < 5_000, 'cancelled well before the 10 s header limit');
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
