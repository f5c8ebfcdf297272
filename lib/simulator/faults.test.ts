import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideFault, describeFaults, FAULT_PRESETS, faultsSchema, hasFaults, isMalformedChunk, NO_FAULTS, opensBreakers, readFaults, type FaultsInput } from './faults';

const faults = (input: FaultsInput) => faultsSchema.parse(input);

// --- the schema -------------------------------------------------------------------

test('an empty profile is no faults, with 503 as the status a 5xx share would use', () => {
  assert.deepEqual(faultsSchema.parse({}), NO_FAULTS);
  assert.equal(NO_FAULTS.errorStatus, 503);
  assert.equal(NO_FAULTS.retryAfterSeconds, null);
  assert.equal(hasFaults(NO_FAULTS), false);
});

test('out-of-range values are refused with a message naming the field and its unit', () => {
  const result = faultsSchema.safeParse({ errorRate: 1.5, errorStatus: 504, retryAfterSeconds: 601, addedLatencyMs: -1, streamCutAfterChunks: 2.5, contextWindow: 0 });
  assert.equal(result.success, false);
  const byField = Object.fromEntries((result.error?.issues ?? []).map((issue) => [issue.path.join('.'), issue.message]));
  assert.match(byField.errorRate, /5xx share cannot be above 100%/);
  assert.match(byField.errorStatus, /500, 502, 503 or 529/);
  assert.match(byField.retryAfterSeconds, /at most 600 seconds/);
  assert.match(byField.addedLatencyMs, /at least 0 ms/);
  assert.match(byField.streamCutAfterChunks, /whole number of chunks/);
  assert.match(byField.contextWindow, /at least 1 tokens/);
});

test('the shares of refused requests cannot add up to more than all requests', () => {
  const result = faultsSchema.safeParse({ errorRate: 0.6, rateLimitRate: 0.3, contentPolicyRate: 0.2 });
  assert.equal(result.success, false);
  assert.match(result.error?.issues[0].message ?? '', /add up to more than 100%/);
  assert.ok(faultsSchema.safeParse({ errorRate: 0.7, rateLimitRate: 0.2, contentPolicyRate: 0.1 }).success, 'exactly 100% is fine, float sums included');
});

test('a stored profile that no longer parses is read as no faults, and says so', () => {
  assert.deepEqual(readFaults({ errorRate: 'lots' }), { faults: NO_FAULTS, valid: false });
  assert.deepEqual(readFaults(null), { faults: NO_FAULTS, valid: true });
  assert.equal(readFaults({ errorRate: 0.5 }).faults.errorRate, 0.5);
  assert.equal(readFaults({ errorRate: 0.5, unknownField: true }).valid, true, 'unknown keys from a newer version are ignored');
});

// --- one request ------------------------------------------------------------------

test('with no faults every request is answered at once', () => {
  for (const draw of [0, 0.5, 0.999]) {
    assert.deepEqual(decideFault(NO_FAULTS, draw), {
      kind: 'answer', firstTokenDelayMs: 0, cutAfterChunks: null, stallAfterChunks: null, malformedChunkRate: 0, omitDone: false,
    });
  }
});

test('the shares lie end to end over one draw: 5xx, then 429, then content policy, then answers', () => {
  const f = faults({ errorRate: 0.2, errorStatus: 502, rateLimitRate: 0.3, retryAfterSeconds: 7, contentPolicyRate: 0.1 });
  assert.deepEqual(decideFault(f, 0), { kind: 'server_error', status: 502 });
  assert.deepEqual(decideFault(f, 0.1999), { kind: 'server_error', status: 502 });
  assert.deepEqual(decideFault(f, 0.2), { kind: 'rate_limited', retryAfterSeconds: 7 });
  assert.deepEqual(decideFault(f, 0.4999), { kind: 'rate_limited', retryAfterSeconds: 7 });
  assert.deepEqual(decideFault(f, 0.5), { kind: 'content_policy' });
  assert.equal(decideFault(f, 0.6).kind, 'answer');
  assert.equal(decideFault(f, 0.9999).kind, 'answer');
});

test('a share of 100% applies to every draw, and a share of 0% to none', () => {
  const down = faults({ errorRate: 1 });
  assert.equal(decideFault(down, 0.9999999).kind, 'server_error');
  assert.equal(decideFault(faults({ rateLimitRate: 0 }), 0).kind, 'answer');
});

test('over many draws the outcomes match the shares', () => {
  const f = faults({ errorRate: 0.25, rateLimitRate: 0.25 });
  const tally: Record<string, number> = {};
  for (let i = 0; i < 1000; i++) {
    const kind = decideFault(f, i / 1000).kind;
    tally[kind] = (tally[kind] ?? 0) + 1;
  }
  assert.deepEqual(tally, { server_error: 250, rate_limited: 250, answer: 500 });
});

test('no response wins over everything else', () => {
  const f = faults({ noResponse: true, errorRate: 1, contextWindow: 10 });
  assert.deepEqual(decideFault(f, 0, { promptTokens: 1000 }), { kind: 'no_response' });
});

test('a prompt longer than the context window is refused whatever the draw; one that fits is not', () => {
  const f = faults({ contextWindow: 100 });
  assert.deepEqual(decideFault(f, 0.99, { promptTokens: 101 }), { kind: 'context_length', limit: 100, promptTokens: 101 });
  assert.equal(decideFault(f, 0.99, { promptTokens: 100 }).kind, 'answer');
  assert.equal(decideFault(f, 0.99).kind, 'answer', 'an unknown prompt size is not refused');
});

test('an answer carries the stream faults for the server to apply', () => {
  const f = faults({ firstTokenDelayMs: 20_000, streamCutAfterChunks: 3, streamStallAfterChunks: 5, malformedChunkRate: 0.3, omitDone: true });
  assert.deepEqual(decideFault(f, 0.5), { kind: 'answer', firstTokenDelayMs: 20_000, cutAfterChunks: 3, stallAfterChunks: 5, malformedChunkRate: 0.3, omitDone: true });
});

test('a chunk is malformed when its draw falls under the share', () => {
  assert.equal(isMalformedChunk({ malformedChunkRate: 0.3 }, 0.29), true);
  assert.equal(isMalformedChunk({ malformedChunkRate: 0.3 }, 0.3), false);
  assert.equal(isMalformedChunk({ malformedChunkRate: 0 }, 0), false);
  assert.equal(isMalformedChunk({ malformedChunkRate: 1 }, 0.9999), true);
});

// --- for people -------------------------------------------------------------------

test('describeFaults lists each fault in force in plain words', () => {
  assert.deepEqual(describeFaults(NO_FAULTS), []);
  assert.deepEqual(
    describeFaults(faults({ errorRate: 0.125, errorStatus: 529, rateLimitRate: 0.5, retryAfterSeconds: 5, addedLatencyMs: 1500, firstTokenDelayMs: 250, streamCutAfterChunks: 1, omitDone: true, contextWindow: 8192 })),
    [
      '12.5% of requests get HTTP 529',
      '50% of requests get HTTP 429 with Retry-After 5 s',
      'Context window 8,192 tokens',
      '1.5 s added before the response',
      'First token after 250 ms',
      'Streams cut after 1 chunk',
      'Streams end without [DONE] / message_stop',
    ],
  );
  assert.deepEqual(describeFaults(faults({ rateLimitRate: 1 })), ['100% of requests get HTTP 429 without Retry-After']);
  assert.deepEqual(describeFaults(faults({ noResponse: true })), ['No response: requests are accepted and never answered']);
});

test('every preset is a valid profile; only Healthy has no faults', () => {
  assert.equal(new Set(FAULT_PRESETS.map((p) => p.id)).size, FAULT_PRESETS.length);
  for (const preset of FAULT_PRESETS) {
    assert.ok(faultsSchema.safeParse(preset.faults).success, preset.label);
    assert.equal(hasFaults(preset.faults), preset.id !== 'healthy', preset.label);
  }
  const byId = Object.fromEntries(FAULT_PRESETS.map((p) => [p.id, p.faults]));
  assert.equal(decideFault(byId.down, 0.99).kind, 'server_error');
  assert.deepEqual(decideFault(byId['rate-limited-retry-after'], 0.5), { kind: 'rate_limited', retryAfterSeconds: 5 });
  assert.deepEqual(decideFault(byId['rate-limited'], 0.5), { kind: 'rate_limited', retryAfterSeconds: null });
});

test('an outage for the breakers: half the requests or more failing, nothing answering, or every answer past the header timeout', () => {
  const table: [FaultsInput, boolean][] = [
    [{ errorRate: 1 }, true], [{ errorRate: 0.3, rateLimitRate: 0.2 }, true], [{ noResponse: true }, true], [{ addedLatencyMs: 30_000 }, true],
    [{ errorRate: 0.3 }, false], [{ contentPolicyRate: 1 }, false], [{ streamCutAfterChunks: 3 }, false], [{}, false],
  ];
  for (const [faults, opens] of table) assert.equal(opensBreakers(faultsSchema.parse(faults)), opens, JSON.stringify(faults));
});
