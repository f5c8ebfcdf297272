import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planDemoRequest } from './demo-traffic';

test('demo requests call the services in turn, each alternating between streamed and not', () => {
  const plan = (n: number, services: string[], stream = true) => Array.from({ length: n }, (_, i) => planDemoRequest(i, { services, stream }));
  assert.deepEqual(plan(8, ['support-bot', 'search']).map((r) => `${r.service}:${r.stream ? 'stream' : 'plain'}`), [
    'support-bot:stream', 'search:stream', 'support-bot:plain', 'search:plain', 'support-bot:stream', 'search:stream', 'support-bot:plain', 'search:plain',
  ]);
  assert.deepEqual(plan(6, ['a', 'b', 'c']).map((r) => r.stream), [true, true, true, false, false, false], 'with three services too');
  assert.ok(plan(4, ['a'], false).every((r) => !r.stream), 'streaming off: never streamed');
  assert.equal(new Set(plan(6, ['a']).map((r) => r.prompt)).size, 6, 'the prompts in turn');
});
