// /api/metrics counts each gateway request under the HTTP status its client
// got, so that a dashboard built on standby_gateway_requests_total agrees
// with the clients' own logs: a provider's 503 reaches the client as a 502,
// a rate limit on every target as a 429.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from './metrics';
import { startHarness, type Harness } from '@/test/gateway-harness';

let h: Harness;
const metrics = createMetrics();
before(async () => {
  h = await startHarness({ metrics });
});
after(async () => {
  await h.close();
});

const count = async (service: string, status: number) =>
  Number(new RegExp(`standby_gateway_requests_total\\{service="${service}",status="${status}"\\} (\\d+)`).exec(await metrics.render())?.[1] ?? 0);

test('a request that no target could answer is counted under the status its client received, not the provider\'s', async () => {
  const failing = h.addService([{ label: 'metrics-5xx', budget: { maxRetries: 0, baseBackoffMs: 1, maxBackoffMs: 1 } }]);
  h.setFaults(failing.targets[0], { errorRate: 1, errorStatus: 503 });
  const answer = await h.post({ model: failing.name, messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(answer.status, 502);
  assert.equal(await count(failing.name, 502), 1);
  assert.equal(await count(failing.name, 503), 0);

  const limited = h.addService([{ label: 'metrics-429', budget: { maxRetries: 0, baseBackoffMs: 1, maxBackoffMs: 1 } }]);
  h.setFaults(limited.targets[0], { rateLimitRate: 1, retryAfterSeconds: 1 });
  const refused = await h.post({ model: limited.name, messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(refused.status, 429);
  assert.equal(await count(limited.name, 429), 1);
});

test('a request that fails inside Standby is answered 500, logged, and still says which tier it was served in', async () => {
  // A gateway whose metrics throw as a request is routed: a failure of Standby's own, after the tier is decided.
  const broken = await startHarness({
    metrics: { ...createMetrics(), setActiveTarget: () => { throw new Error('metrics broke (test)'); } },
  });
  const logged: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void logged.push(args);
  try {
    const service = broken.addService([{ label: 'metrics-crash' }]);
    const answer = await broken.post({ model: service.name, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(answer.status, 500);
    assert.equal(answer.headers.get('x-standby-tier'), 'full');
    assert.equal(answer.json.error?.code, 'internal_error');
    assert.ok(logged.some((args) => String(args[0]).includes('gateway request failed')));
  } finally {
    console.error = original;
    await broken.close();
  }
});
