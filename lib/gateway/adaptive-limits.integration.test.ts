// Limits that follow a target's measured latency (lib/routing/adaptive-limits.ts), through the real
// gateway against simulated upstreams: a fast primary that starts stalling is left after a multiple of
// its measured time instead of the step's fixed limit; too little history, or no later step, keeps the
// fixed limit. Every attempt record says which limit it ran under and why.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { answerText } from '@/simulator/replies';
import { ADAPTIVE_MIN_SAMPLES } from '@/lib/routing/adaptive-limits';
import { drain, startHarness, type Harness } from '@/test/gateway-harness';

const QUESTION = 'Tell me about failover please';
const ask = (model: string) => ({ model, messages: [{ role: 'user' as const, content: QUESTION }] });
const streamed = (model: string) => ({ ...ask(model), stream: true as const });

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
});

/** The fixed limits of these steps: long, so that a test leaving them would wait visibly, yet within the test's timeout. */
const FIXED_MS = 4_000;
const ADAPTIVE = { multiplier: 4, floorMs: 200 };
// The breaker stays closed throughout: what is measured is the limit, not the breaker.
const CLOSED = { consecutiveFailures: 1_000, minimumRequests: 1_000 };

async function streamFrom(name: string) {
  const { data, response } = await h.client().chat.completions.create(streamed(name)).withResponse();
  const result = await drain(data);
  assert.equal(result.error, null);
  return { text: result.text, target: response.headers.get('x-standby-target') };
}

const lastSampleOf = (targetId: string) => h.samples.findLast((s) => s.targetId === targetId)!;

describe('first-token and header limits that follow the target', () => {
  test('a fast primary that starts stalling is left after a multiple of its p99 time to first token, not the fixed limit', { timeout: 60_000 }, async () => {
    const { name, targets } = h.addService([
      { label: 'fast', timeouts: { firstTokenMs: FIXED_MS, headerMs: FIXED_MS }, adaptiveLimits: ADAPTIVE, breaker: CLOSED },
      { label: 'fast-fallback' },
    ]);
    const [a, b] = targets;
    for (let i = 0; i < ADAPTIVE_MIN_SAMPLES; i += 1) assert.equal((await streamFrom(name)).target, a.name);
    const fast = lastSampleOf(a.id);
    assert.equal(fast.ok, true);
    assert.equal(fast.limitBasis, 'history_short', 'the attempts that build the history ran under the fixed limit');
    assert.equal(fast.limitMs, FIXED_MS);

    h.setFaults(a, { firstTokenDelayMs: 30_000 });
    const answer = await streamFrom(name);
    assert.equal(answer.target, b.name);
    assert.equal(answer.text, answerText(b.name, b.model, QUESTION));
    const stalled = lastSampleOf(a.id);
    assert.equal(stalled.errorClass, 'first_token_timeout');
    assert.equal(stalled.limitBasis, 'measured');
    // 4 × the p99 of a few milliseconds: the floor, unless this machine was very slow; always below the fixed limit.
    assert.ok(stalled.limitMs! >= ADAPTIVE.floorMs && stalled.limitMs! < FIXED_MS, `limit ${stalled.limitMs} ms`);
    assert.ok(stalled.latencyMs < FIXED_MS, `left after ${stalled.latencyMs} ms`);
  });

  test('a complete answer: the header limit follows the measured answer times', { timeout: 60_000 }, async () => {
    const { name, targets } = h.addService([
      { label: 'fast-complete', timeouts: { headerMs: FIXED_MS }, adaptiveLimits: ADAPTIVE, breaker: CLOSED },
      { label: 'fast-complete-fallback' },
    ]);
    const [a, b] = targets;
    for (let i = 0; i < ADAPTIVE_MIN_SAMPLES; i += 1) await h.client().chat.completions.create(ask(name));
    h.setFaults(a, { addedLatencyMs: 30_000 });
    const { response } = await h.client().chat.completions.create(ask(name)).withResponse();
    assert.equal(response.headers.get('x-standby-target'), b.name);
    const stalled = lastSampleOf(a.id);
    assert.equal(stalled.errorClass, 'header_timeout');
    assert.equal(stalled.limitBasis, 'measured');
    assert.ok(stalled.limitMs! < FIXED_MS, `limit ${stalled.limitMs} ms`);
  });

  test('with too little history the fixed limit applies', { timeout: 60_000 }, async () => {
    const { name, targets } = h.addService([
      { label: 'new', timeouts: { firstTokenMs: 600 }, adaptiveLimits: ADAPTIVE, breaker: CLOSED },
      { label: 'new-fallback' },
    ]);
    const [a, b] = targets;
    for (let i = 0; i < 3; i += 1) await streamFrom(name);
    h.setFaults(a, { firstTokenDelayMs: 30_000 });
    assert.equal((await streamFrom(name)).target, b.name);
    const stalled = lastSampleOf(a.id);
    assert.deepEqual([stalled.errorClass, stalled.limitBasis, stalled.limitMs], ['first_token_timeout', 'history_short', 600]);
  });

  test('the last step of a chain keeps its fixed limit: there is nobody to fall back to', { timeout: 60_000 }, async () => {
    const { name, targets } = h.addService([{ label: 'alone', timeouts: { firstTokenMs: 600 }, adaptiveLimits: ADAPTIVE, breaker: CLOSED }]);
    const [a] = targets;
    for (let i = 0; i < ADAPTIVE_MIN_SAMPLES; i += 1) await streamFrom(name);
    assert.deepEqual([lastSampleOf(a.id).limitBasis, lastSampleOf(a.id).limitMs], ['last_resort', 600]);
  });

  test('a step that does not ask keeps its fixed limit whatever the history', { timeout: 60_000 }, async () => {
    const { name, targets } = h.addService([{ label: 'fixed', timeouts: { firstTokenMs: 700 }, breaker: CLOSED }, { label: 'fixed-fallback' }]);
    const [a] = targets;
    for (let i = 0; i < ADAPTIVE_MIN_SAMPLES; i += 1) await streamFrom(name);
    assert.deepEqual([lastSampleOf(a.id).limitBasis, lastSampleOf(a.id).limitMs], ['fixed', 700]);
  });
});
