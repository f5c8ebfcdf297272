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
