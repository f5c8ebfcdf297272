import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { SnapshotFault } from '@/lib/routing/model';
import { beforeResponse, faultedStream, faultsByTarget, pickFault } from './inject-fault';

const lease = (over: Partial<SnapshotFault> = {}): SnapshotFault => ({ id: 'f', runId: 'run-1', kind: 'error_status', share: 1, drillOnly: false, startsAt: 1_000, expiresAt: 2_000, params: {}, ...over });
const faults = (f: SnapshotFault) => faultsByTarget([{ fault: f, targetIds: ['t1'] }]);

test('a lease applies only between its start and its deadline, by the clock of the caller', () => {
  const map = faults(lease());
  assert.equal(pickFault(map, 't1', null, 999, Math.random), null);
  assert.equal(pickFault(map, 't1', null, 1_000, Math.random)?.id, 'f');
  assert.equal(pickFault(map, 't1', null, 1_999, Math.random)?.id, 'f');
  assert.equal(pickFault(map, 't1', null, 2_000, Math.random), null, 'ended at its deadline');
  assert.equal(pickFault(map, 't2', null, 1_500, Math.random), null, 'another target is untouched');
  assert.equal(pickFault(undefined, 't1', null, 1_500, Math.random), null);
});

test('a drill-only lease catches only its own run\'s marked requests; a share catches that share of draws', () => {
  const only = faults(lease({ drillOnly: true }));
  assert.equal(pickFault(only, 't1', null, 1_500, Math.random), null);
  assert.equal(pickFault(only, 't1', 'run-2', 1_500, Math.random), null);
  assert.equal(pickFault(only, 't1', 'run-1', 1_500, Math.random)?.id, 'f');
  const share = faults(lease({ share: 0.25 }));
  assert.equal(pickFault(share, 't1', null, 1_500, () => 0.2)?.id, 'f');
  assert.equal(pickFault(share, 't1', null, 1_500, () => 0.3), null);
});

test('what each kind does before the response', () => {
  assert.deepEqual(beforeResponse(lease({ params: { status: 502 } }), false, 5_000), { kind: 'status', status: 502, retryAfterMs: null, message: 'HTTP 502 injected by drill fault f' });
  assert.equal((beforeResponse(lease({ kind: 'rate_limited', params: { retryAfterSeconds: 7 } }), false, 5_000) as { retryAfterMs: number }).retryAfterMs, 7_000);
  assert.equal((beforeResponse(lease({ kind: 'rate_limited', params: { retryAfterSeconds: null } }), false, 5_000) as { retryAfterMs: number | null }).retryAfterMs, null);
  assert.deepEqual(beforeResponse(lease({ kind: 'target_down' }), false, 5_000), { kind: 'transport', errorClass: 'connect_failed', message: 'cannot connect (ECONNREFUSED, injected by drill fault f)', afterMs: 0 });
  assert.equal((beforeResponse(lease({ kind: 'no_response' }), true, 5_000) as { afterMs: number }).afterMs, 5_000, 'no response: the header timeout');
  assert.deepEqual(beforeResponse(lease({ kind: 'added_latency', params: { delayMs: 300 } }), false, 5_000), { kind: 'delay', delayMs: 300 });
  assert.equal(beforeResponse(lease({ kind: 'added_latency', params: { delayMs: 9_000 } }), false, 5_000).kind, 'transport', 'longer than the header limit: a timeout');
  assert.equal(beforeResponse(lease({ kind: 'slow_first_token', params: { delayMs: 300 } }), true, 5_000).kind, 'none', 'a stream is slowed in its body');
  assert.equal(beforeResponse(lease({ kind: 'stream_cut' }), true, 5_000).kind, 'none');
});

function pieces(items: string[]) {
  const s = new PassThrough();
  for (const p of items) s.write(p);
  s.end();
  return s;
}

async function read(stream: NodeJS.ReadableStream, waitMs = 200): Promise<{ got: string[]; ended: 'end' | 'error' | 'open' }> {
  const got: string[] = [];
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ got, ended: 'open' }), waitMs);
    stream.on('data', (c: Buffer) => got.push(c.toString()));
    stream.on('end', () => (clearTimeout(timer), resolve({ got, ended: 'end' })));
    stream.on('error', () => (clearTimeout(timer), resolve({ got, ended: 'error' })));
  });
}

test('stream faults: cut after so many pieces, stalled (never ends), first piece held back', async () => {
  assert.deepEqual(await read(faultedStream(lease({ kind: 'stream_cut', params: { afterChunks: 2 } }), () => pieces(['a', 'b', 'c', 'd']))!), { got: ['a', 'b'], ended: 'error' });
  assert.deepEqual(await read(faultedStream(lease({ kind: 'stream_stall', params: { afterChunks: 1 } }), () => pieces(['a', 'b', 'c']))!), { got: ['a'], ended: 'open' });
  const started = Date.now();
  const slow = await read(faultedStream(lease({ kind: 'slow_first_token', params: { delayMs: 50 } }), () => pieces(['a', 'b']))!, 2_000);
  assert.deepEqual(slow, { got: ['a', 'b'], ended: 'end' });
  assert.ok(Date.now() - started >= 45);
  // A fault that leaves the stream alone does not make one (it would hold every piece of the body).
  let made = false;
  assert.equal(faultedStream(lease({ kind: 'error_status' }), () => ((made = true), pieces(['a']))), null);
  assert.equal(made, false);
});
