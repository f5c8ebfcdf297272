import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBatch, encodeBatch } from './batch-codec';
import type { RequestOutcome, SampleRecord } from './records';

const sample = (over: Partial<SampleRecord> = {}): SampleRecord => ({
  targetId: 't-1', serviceId: 's-1', source: 'traffic', at: 1_765_000_000_123, ok: true, errorClass: null, statusCode: 200, latencyMs: 12.5, ttftMs: null,
  requestId: 'chatcmpl-1', attempt: 1, promptTokens: 3, completionTokens: 4, limitMs: 30_000, limitBasis: 'fixed', ...over,
});
const request = (over: Partial<RequestOutcome> = {}): RequestOutcome => ({
  serviceId: 's-1', at: 1_765_000_000_456, requestId: 'chatcmpl-1', ok: true, status: 200, errorClass: null, targetId: 't-1', attempts: 1, latencyMs: 14,
  ttftMs: 3, stream: true, tier: 'full', servedBy: 'upstream', promptTokens: 3, completionTokens: 4, ...over,
});

test('a batch comes back from its columns as it went in: numbers, nulls, booleans and strings', () => {
  const samples = [sample(), sample({ ok: false, errorClass: 'server_error', statusCode: 503, serviceId: null, requestId: null, attempt: 2, promptTokens: null, limitMs: null, limitBasis: null, source: 'probe' })];
  const requests = [request(), request({ ok: false, status: 499, errorClass: 'client_closed', targetId: null, stream: false, tier: 'degraded', servedBy: 'refused', ttftMs: null })];
  const tokenUses = [{ tokenId: 'tok-1', at: 5 }];
  const { batch, transfer } = encodeBatch(samples, requests, tokenUses);
  assert.deepEqual(decodeBatch(structuredClone(batch, { transfer })), { samples, requests, tokenUses });
});

test('absent optional fields come back as null, and every column is a buffer sent by transfer rather than copy', () => {
  const { limitMs: _limitMs, limitBasis: _limitBasis, ...older } = sample();
  const { batch, transfer } = encodeBatch([older], [request()], []);
  assert.deepEqual(decodeBatch(batch).samples, [{ ...older, limitMs: null, limitBasis: null }]);
  assert.equal(transfer.length, 30);
  assert.ok(transfer.every((buffer) => buffer instanceof ArrayBuffer));
});

test('a string repeated across rows and fields is sent once', () => {
  const rows = Array.from({ length: 500 }, (_, i) => sample({ requestId: `chatcmpl-${i}` }));
  const { batch } = encodeBatch(rows, [], []);
  // 500 request ids, and t-1, s-1, traffic, fixed once each.
  assert.equal(batch.strings.length, 504);
  assert.deepEqual(decodeBatch(batch).samples, rows);
});

test('an empty batch (only token uses) encodes and decodes', () => {
  const { batch } = encodeBatch([], [], [{ tokenId: 'tok-2', at: 9 }]);
  assert.deepEqual(decodeBatch(batch), { samples: [], requests: [], tokenUses: [{ tokenId: 'tok-2', at: 9 }] });
});
