// The probe scheduler with fakes in place of the network, the breakers, the
// recorder and the snapshot source (no I/O). Waits bound the test, they are
// never what it asserts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_BREAKER_CONFIG } from '@/lib/routing/defaults';
import type { SampleRecord } from '@/lib/gateway/recorder';
import type { RoutingSnapshot, SnapshotTarget } from '@/lib/routing/model';
import { startProbing } from './monitor';
import type { ProbeFetch } from './probe';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function target(id: string, overrides: Partial<SnapshotTarget> = {}): SnapshotTarget {
  return {
    id, name: id, providerName: 'P', providerKind: 'openai', apiStyle: 'openai_chat', failureDomain: null, regionCode: 'r',
    endpointUrl: `http://${id}.test/v1`, model: 'm', apiKey: null, enabled: true, contextWindow: 8192, rpm: 1, tpm: 1,
    qualityClass: 'economy', breaker: DEFAULT_BREAKER_CONFIG, probeIntervalMs: 100, ...overrides,
  };
}

function snapshotOf(targets: SnapshotTarget[]): RoutingSnapshot {
  return { loadedAt: 0, services: new Map(), targets: new Map(targets.map((t) => [t.id, t])), overrides: [], breakers: new Map(), tokens: new Map() };
}

function fakes(initial: SnapshotTarget[], options: { admit?: (id: string) => boolean } = {}) {
  let current = snapshotOf(initial);
  const subscribers = new Set<(s: RoutingSnapshot) => void>();
  const samples: SampleRecord[] = [];
  const reports: { id: string; ok: boolean }[] = [];
  return {
    samples,
    reports,
    publish(targets: SnapshotTarget[]) {
      current = snapshotOf(targets);
      for (const subscriber of subscribers) subscriber(current);
    },
    deps: {
      snapshots: {
        get: () => current,
        onChange: (subscriber: (s: RoutingSnapshot) => void) => {
          subscribers.add(subscriber);
          return () => subscribers.delete(subscriber);
        },
      },
      breakers: { acquire: (id: string) => options.admit?.(id) ?? true, report: (id: string, ok: boolean) => void reports.push({ id, ok }) },
      recorder: { record: (sample: SampleRecord) => void samples.push(sample) },
      log: () => {},
    },
  };
}

const completion = JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'p' }, finish_reason: 'length' }] });
const hostOf = (url: string) => new URL(url).hostname.split('.')[0];

describe('probe scheduling', () => {
  test('a target slower than its interval never has two probes in flight', async () => {
    const inFlight = new Map<string, number>();
    let maxInFlight = 0;
    let calls = 0;
    const fetch: ProbeFetch = async (request) => {
      const id = hostOf(request.url);
      inFlight.set(id, (inFlight.get(id) ?? 0) + 1);
      maxInFlight = Math.max(maxInFlight, inFlight.get(id)!);
      calls += 1;
      await sleep(250); // longer than the 100 ms interval, and deaf to the abort, like a stuck connection
      inFlight.set(id, inFlight.get(id)! - 1);
      return { statusCode: 200, body: completion };
    };
    const { deps, samples } = fakes([target('slow')]);
    const probing = startProbing({ ...deps, fetch });
    await waitFor('three probes', () => calls >= 3);
    await probing.stop();
    assert.equal(maxInFlight, 1);
    assert.ok(samples.every((s) => s.source === 'probe' && s.serviceId === null && s.ttftMs === null));
  });

  test('an open breaker skips the round: nothing is sent, recorded or reported', async () => {
    let calls = 0;
    let asked = 0;
    const fetch: ProbeFetch = async () => {
      calls += 1;
      return { statusCode: 200, body: completion };
    };
    const { deps, samples, reports } = fakes([target('open')], { admit: () => (asked++, false) });
    const probing = startProbing({ ...deps, fetch });
    await waitFor('the breaker to be asked three times', () => asked >= 3);
    await probing.stop();
    assert.deepEqual([calls, samples.length, reports.length], [0, 0, 0]);
  });

  test('results feed the breaker: server errors count against the target, client errors do not', async () => {
    const fetch: ProbeFetch = async (request) =>
      hostOf(request.url) === 'broken'
        ? { statusCode: 503, body: 'unavailable' }
        : { statusCode: 400, body: JSON.stringify({ error: { message: 'bad', type: 'invalid_request_error' } }) };
    const { deps, samples, reports } = fakes([target('broken'), target('picky')]);
    const probing = startProbing({ ...deps, fetch });
    await waitFor('both targets probed', () => new Set(reports.map((r) => r.id)).size === 2);
    await probing.stop();
    assert.ok(reports.filter((r) => r.id === 'broken').every((r) => r.ok === false));
    assert.ok(reports.filter((r) => r.id === 'picky').every((r) => r.ok === true));
    const picky = samples.find((s) => s.targetId === 'picky');
    assert.deepEqual([picky?.ok, picky?.errorClass, picky?.statusCode], [false, 'bad_request', 400]);
  });

  test('snapshot changes add targets and stop probing disabled ones', async () => {
    const probed: string[] = [];
    const fetch: ProbeFetch = async (request) => {
      probed.push(hostOf(request.url));
      return { statusCode: 200, body: completion };
    };
    const { deps, publish } = fakes([target('a')]);
    const probing = startProbing({ ...deps, fetch });
    await waitFor('a to be probed', () => probed.includes('a'));
    publish([target('a', { enabled: false }), target('b')]);
    await waitFor('b to be probed', () => probed.includes('b'));
    const aCount = probed.filter((id) => id === 'a').length;
    const bCount = probed.length - aCount;
    await waitFor('b to be probed three more times', () => probed.filter((id) => id === 'b').length >= bCount + 3);
    await probing.stop();
    assert.equal(probed.filter((id) => id === 'a').length, aCount, 'a disabled target is not probed');
  });

  test('stopping aborts probes in flight, which are then neither recorded nor reported', async (t) => {
    t.mock.method(Math, 'random', () => 0); // the first probe starts at once instead of somewhere in its interval
    let started = false;
    const fetch: ProbeFetch = (_request, signal) => {
      started = true;
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    };
    const { deps, samples, reports } = fakes([target('hung', { probeIntervalMs: 60_000 })]);
    const probing = startProbing({ ...deps, fetch });
    await waitFor('a probe in flight', () => started);
    await probing.stop();
    assert.deepEqual([samples.length, reports.length], [0, 0]);
  });
});
