import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { endpointPolicyOf } from '@/lib/server/endpoint-policy';
import { setEndpointPolicy } from '@/lib/server/guarded-connect';
import { AttemptAbort, classifyTransportError, readableOf, readBody, sendUpstream, UpstreamFailure, type UpstreamBody } from './upstream';

/** A response body the test feeds by hand. */
function body(): Readable {
  return new Readable({ read() {} });
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

test('an attempt abort cancels a request still waiting for its headers at once', async () => {
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

/** A loopback upstream whose handler the test writes; the endpoint policy lets loopback through, as an admin allows a private network. */
async function upstreamServer(handler: http.RequestListener): Promise<{ url: string; close: () => void }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  setEndpointPolicy(endpointPolicyOf(['127.0.0.0/8']));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

const send = (url: string, attempt = new AttemptAbort()) => sendUpstream({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, { connectMs: 1_000, headerMs: 5_000 }, attempt);

/** Everything a body says, in order, until it closes. */
function eventsOf(body: UpstreamBody): Promise<string[]> {
  return new Promise((resolve) => {
    const events: string[] = [];
    body.on('data', (chunk) => events.push(`data ${chunk.toString()}`));
    body.on('end', () => events.push('end'));
    body.on('error', (error) => events.push(`error ${error.message}`));
    body.on('close', () => resolve([...events, 'close']));
  });
}

test('an upstream answer arrives with its status, its headers (a repeated one as a list) and every piece of its body in order', async () => {
  const upstream = await upstreamServer((req, res) => {
    req.resume();
    res.writeHead(429, [['Retry-After', '3'], ['X-Twice', 'a'], ['X-Twice', 'b']]);
    res.write('one,');
    setTimeout(() => res.end('two'), 20);
  });
  try {
    const response = await send(upstream.url);
    assert.equal(response.status, 429);
    assert.equal(response.headers['retry-after'], '3');
    assert.deepEqual(response.headers['x-twice'], ['a', 'b']);
    assert.deepEqual(await eventsOf(response.body), ['data one,', 'data two', 'end', 'close']);
    assert.equal(response.body.readableEnded, true);
  } finally {
    upstream.close();
  }
});

test('a successful answer\'s headers are left unread: only a failure\'s Retry-After is ever used', async () => {
  const upstream = await upstreamServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'retry-after': '3', 'content-type': 'application/json' });
    res.end('{}');
  });
  try {
    const response = await send(upstream.url);
    assert.equal(response.status, 200);
    assert.deepEqual(response.headers, {});
    assert.deepEqual(await eventsOf(response.body), ['data {}', 'end', 'close']);
  } finally {
    upstream.close();
  }
});

test('pieces of a body that arrive before anyone listens are kept and delivered once someone does', async () => {
  const upstream = await upstreamServer((req, res) => {
    req.resume();
    res.end('whole answer');
  });
  try {
    const response = await send(upstream.url);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the body and its end are in by now
    assert.equal(response.body.destroyed, false, 'not closed before it was read');
    assert.equal(await readBody(response.body, 1024, 1_000), 'whole answer');
  } finally {
    upstream.close();
  }
});

/** An upstream that begins an answer with `first` and never ends it; `closed` settles once the connection is let go. */
async function unendingUpstream(first: string) {
  let sawClose!: () => void;
  const closed = new Promise<void>((resolve) => (sawClose = resolve));
  const upstream = await upstreamServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(first);
    res.on('close', sawClose);
  });
  return { ...upstream, closed };
}

test('a body destroyed half-way cancels the upstream request, then says error and close once, never synchronously', async () => {
  const upstream = await unendingUpstream('data: first\n\n');
  try {
    const response = await send(upstream.url);
    const heard = eventsOf(response.body);
    await new Promise((resolve) => setTimeout(resolve, 30));
    let synchronous = true;
    response.body.destroy(new UpstreamFailure('stream_stall', 'the response body stalled'));
    response.body.destroy(new Error('a second destroy is ignored'));
    synchronous = false;
    const events = await heard;
    assert.equal(synchronous, false);
    assert.deepEqual(events, ['data data: first\n\n', 'error the response body stalled', 'close']);
    await upstream.closed;
  } finally {
    upstream.close();
  }
});

test('an attempt aborted while its body is read cuts the body and is classified as out of time', async () => {
  const upstream = await unendingUpstream('data: first\n\n');
  try {
    const attempt = new AttemptAbort();
    const response = await send(upstream.url, attempt);
    const reading = readBody(response.body, 1024, 10_000);
    attempt.abort();
    const failure = await failureOf(reading);
    assert.equal(failure.errorClass, 'stream_cut');
    assert.equal(classifyTransportError(response.body.errored, attempt).errorClass, 'total_timeout');
  } finally {
    upstream.close();
  }
});

test('a drill can pipe an upstream body as a Readable, and destroying that Readable cancels the upstream request', async () => {
  const upstream = await unendingUpstream('a');
  try {
    const readable = readableOf((await send(upstream.url)).body);
    const first = await new Promise<string>((resolve) => readable.once('data', (chunk: Buffer) => resolve(chunk.toString())));
    assert.equal(first, 'a');
    readable.destroy();
    await upstream.closed;
  } finally {
    upstream.close();
  }
});
