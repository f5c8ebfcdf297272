// The gateway against hostile clients and hostile configuration (issue 9): the
// real handler on a real server, as in gateway.integration.test.ts. Bodies
// nested 100,000 levels deep, clients that vanish mid-body, and endpoints the
// endpoint policy refuses, which must never receive a request (nor its key).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { endpointPolicyOf, NO_PRIVATE_NETWORKS } from '@/lib/server/endpoint-policy';
import { setEndpointPolicy } from '@/lib/server/guarded-connect';
import { createProbeFetch } from '@/worker/monitor';
import { probeTarget } from '@/worker/probe';
import { MAX_JSON_DEPTH } from './json-limits';
import { startHarness, waitFor, type Harness } from '@/test/gateway-harness';

let h: Harness;
const disconnects: string[] = [];
before(async () => {
  h = await startHarness({ onClientDisconnect: (where) => disconnects.push(where) });
});
after(async () => {
  await h.close();
});

const LOOPBACK_ALLOWED = endpointPolicyOf(['127.0.0.0/8']);

describe('a body nested 100,000 levels deep', () => {
  const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
  const deepObject = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

  for (const [where, body] of [
    ['tools[].function.parameters', (model: string) => `{"model":"${model}","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":${deepObject(100_000)}}}]}`],
    ['response_format', (model: string) => `{"model":"${model}","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"s","schema":${deepObject(100_000)}}}}`],
    ['an unknown field', (model: string) => `{"model":"${model}","messages":[{"role":"user","content":"hi"}],"x_unknown":${deep(100_000)}}`],
  ] as const) {
    test(`in ${where} is refused with a 400 that names the limit, and no upstream is called`, async () => {
      const { name, targets: [a] } = h.addService([{ label: 'deep' }]);
      const response = await h.post(body(name));
      assert.equal(response.status, 400, response.text.slice(0, 200));
      assert.equal(response.json.error?.code, 'json_too_deep');
      assert.match(response.json.error?.message ?? '', new RegExp(`more than ${MAX_JSON_DEPTH} levels`));
      assert.equal(a.hits().length, 0);
    });
  }

  test('while a tool schema nested a few levels, as real ones are, is served', async () => {
    const { name, targets: [a] } = h.addService([{ label: 'shallow' }]);
    const schema = { type: 'object', properties: { address: { type: 'object', properties: { lines: { type: 'array', items: { type: 'string' } } } } } };
    const response = await h.post({ model: name, messages: [{ role: 'user', content: 'hi' }], tools: [{ type: 'function', function: { name: 'f', parameters: schema } }] });
    assert.equal(response.status, 200, response.text.slice(0, 200));
    assert.equal(a.hits().length, 1);
  });
});

test('a client that drops the connection mid-body is reported once, not logged as an error', async () => {
  const errors: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => errors.push(args);
  try {
    const port = Number(new URL(h.gatewayOrigin).port);
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    // Node answers "100 Continue" as it hands the request to the gateway, which starts reading the body at once.
    const continued = new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.write(`POST /api/v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${h.token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n`);
    await continued;
    socket.write('{"model":');
    socket.resetAndDestroy();
    await waitFor('the disconnect to be reported', () => disconnects.length === 1);
    assert.deepEqual(disconnects, ['/api/v1/chat/completions']);
    assert.deepEqual(errors, [], 'nothing logged as an error');
  } finally {
    console.error = original;
  }
});

describe('an endpoint the endpoint policy does not allow', () => {
  before(() => setEndpointPolicy(NO_PRIVATE_NETWORKS));
  after(() => setEndpointPolicy(LOOPBACK_ALLOWED));

  test('is never connected to by the gateway, by address or by a name that resolves to it, so its credential is never sent', async () => {
    const { name, targets } = h.addService([{ label: 'by-address' }, { label: 'by-name' }]);
    const [byAddress, byName] = targets;
    byName.endpointUrl = byName.endpointUrl.replace('127.0.0.1', 'localhost');
    const response = await h.post({ model: name, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(response.status, 502, response.text.slice(0, 300));
    assert.match(response.json.error?.message ?? '', /loopback/);
    assert.equal(byAddress.hits().length + byName.hits().length, 0);
    const samples = h.samples.filter((s) => targets.some((t) => t.id === s.targetId));
    assert.deepEqual(samples.map((s) => s.errorClass), ['connect_failed', 'connect_failed']);
  });

  test('is never connected to by a health probe either', async () => {
    const { targets: [target] } = h.addService([{ label: 'probed' }]);
    const probes = createProbeFetch();
    try {
      const outcome = await probeTarget(target, probes.fetch, new AbortController().signal, 2_000);
      assert.equal(outcome?.errorClass, 'connect_failed');
      assert.match(outcome?.detail ?? '', /127\.0\.0\.1 is loopback/);
      assert.equal(target.hits().length, 0);
      setEndpointPolicy(LOOPBACK_ALLOWED);
      assert.equal((await probeTarget(target, probes.fetch, new AbortController().signal, 2_000))?.ok, true, 'allowed again, the same probe gets through');
      assert.equal(target.hits().length, 1);
    } finally {
      await probes.close();
    }
  });
});
