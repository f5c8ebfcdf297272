import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detect, emptyDetectorState, type DetectorEvent, type DetectorState, type EpisodeRecord, type Topology } from './detector';
import { rtoParts, routingRtoMs, servingRtoMs } from './rto-parts';

const topology: Topology = {
  chains: new Map([['svc', ['primary', 'fallback']], ['other', ['fallback']]]),
  targets: new Map([
    ['primary', { provider: 'openai', domain: 'openai', region: 'us-east' }],
    ['fallback', { provider: 'anthropic', domain: 'anthropic', region: 'us-west' }],
    ['primary-eu', { provider: 'openai', domain: 'openai', region: 'eu-west' }],
    // Another provider of OpenAI's failure domain in Europe: it answering says nothing about OpenAI's own regions.
    ['azure-eu', { provider: 'azure-openai', domain: 'openai', region: 'eu-west' }],
  ]),
};

let ids = 0;
const newId = () => `ep-${++ids}`;

function run(events: DetectorEvent[], upTo: number, state: DetectorState = emptyDetectorState()) {
  return detect({ state, events, upTo, topology, newId });
}

const fail = (at: number, targetId = 'primary', serviceId: string | null = 'svc', errorClass = 'server_error'): DetectorEvent => ({ type: 'attempt', at, targetId, serviceId, ok: false, n: 1, errorClass });
const okAttempt = (at: number, targetId = 'primary', serviceId: string | null = 'svc'): DetectorEvent => ({ type: 'attempt', at, targetId, serviceId, ok: true, n: 1, errorClass: null });
const answered = (at: number, targetId: string | null, serviceId = 'svc'): DetectorEvent => ({ type: 'request', at, serviceId, targetId, servedBy: targetId ? 'upstream' : 'cache', ok: true, n: 1, errorClass: null });
const refused = (at: number, serviceId = 'svc', errorClass = 'server_error'): DetectorEvent => ({ type: 'request', at, serviceId, targetId: 'primary', servedBy: 'upstream', ok: false, n: 1, errorClass });
const breaker = (at: number, to: 'open' | 'half_open' | 'closed', targetId = 'primary'): DetectorEvent => ({ type: 'breaker', at, targetId, to, cause: 'test' });

const last = (changed: EpisodeRecord[], kind: 'service' | 'target') => changed.filter((e) => e.subject.kind === kind).at(-1);

/** A primary that fails for 20 s while the fallback answers, then heals: the gateway's everyday failover. */
function outage(): DetectorEvent[] {
  const events: DetectorEvent[] = [];
  for (let t = 0; t < 1_000; t += 100) events.push(okAttempt(t), answered(t + 5, 'primary'));
  // 1,000: the primary starts failing; each request fails there once, then the fallback answers.
  for (let t = 1_000; t < 1_400; t += 100) events.push(fail(t), okAttempt(t + 30, 'fallback'), answered(t + 35, 'fallback'));
  events.push(breaker(1_350, 'open'));
  for (let t = 1_400; t < 21_000; t += 100) events.push(okAttempt(t, 'fallback'), answered(t + 5, 'fallback'));
  for (let t = 3_000; t < 21_000; t += 5_000) events.push(fail(t, 'primary', null)); // probes keep failing
  events.push(breaker(16_350, 'half_open'), fail(16_360), okAttempt(16_400, 'fallback'), answered(16_410, 'fallback'), breaker(16_365, 'open'));
  events.sort((a, b) => a.at - b.at);
  // 21,000: healed. The half-open trial answers, then traffic returns.
  events.push(breaker(31_400, 'half_open'), okAttempt(31_420), answered(31_425, 'primary'), breaker(31_500, 'closed'));
  for (let t = 31_600; t < 40_000; t += 100) events.push(okAttempt(t), answered(t + 5, 'primary'));
  return events;
}

test('a failing primary behind a working fallback: one target episode and one routing episode with the right timeline', () => {
  const { changed, state } = run(outage(), 100_000);
  const target = last(changed, 'target')!;
  const service = last(changed, 'service')!;
  assert.equal(target.status, 'recovered');
  assert.equal(target.subject.id, 'primary');
  assert.equal(target.startedAt, 1_000, 'start: the first failed attempt');
  assert.equal(target.detectedAt, 1_350, 'detection: the breaker opened');
  assert.equal(target.assessedAt, null, 'automatic recovery: nobody assessed');
  assert.equal(target.activatedAt, 1_035, 'activation: the first answer callers got from the fallback');
  assert.equal(target.restoredAt, 31_420, 'restoration: the first answer of the primary after its last failure');
  assert.equal(servingRtoMs(target), 30_420);
  assert.equal(target.disruption, 'provider_outage');
  assert.ok(target.failedRequests >= 4);

  assert.equal(service.status, 'recovered');
  assert.equal(service.startedAt, 1_000);
  assert.equal(service.detectedAt, 1_350);
  assert.equal(service.activatedAt, 1_035);
  assert.equal(routingRtoMs(service), 35, 'callers waited 35 ms for the failover');
  assert.equal(service.failedRequests, 0, 'no client saw an error');
  assert.deepEqual(service.details.failingTargets, ['primary']);
  assert.equal(service.restoredAt, 31_420);
  assert.deepEqual(state.subjects, {}, 'nothing left to watch');

  const parts = rtoParts(target);
  // Activation came before detection: the breaker was not needed for callers, so detection counts as reached then.
  assert.deepEqual(parts, { tDetectMs: 35, tAssessMs: 0, tActivateMs: 0, tRestoreMs: 30_385 });
  assert.equal(Object.values(parts).reduce((a, b) => a! + b!, 0), servingRtoMs(target));
});

test('the stream can arrive in batches: the same episodes as in one pass', () => {
  const events = outage();
  const whole = run(events, 100_000).changed;
  let state = emptyDetectorState();
  const batched: EpisodeRecord[] = [];
  const cuts = [1_200, 5_000, 31_410, 40_000, 100_000];
  cuts.forEach((cut, i) => {
    const from = i === 0 ? -Infinity : cuts[i - 1];
    const result = detect({ state, events: events.filter((e) => e.at > from && e.at <= cut), upTo: cut, topology, newId });
    state = result.state;
    batched.push(...result.changed);
  });
  const final = (list: EpisodeRecord[], kind: 'service' | 'target') => ({ ...last(list, kind)!, id: 'same' });
  assert.deepEqual(final(batched, 'target'), final(whole, 'target'));
  assert.deepEqual(final(batched, 'service'), final(whole, 'service'));
});

test('an episode stays open while the target is down, and a failure after restoration keeps it one episode (flapping)', () => {
  const events: DetectorEvent[] = [fail(0), fail(10), fail(20), fail(30), fail(40), breaker(41, 'open')];
  const first = run(events, 5_000);
  const open = last(first.changed, 'target')!;
  assert.equal(open.status, 'open');
  assert.equal(open.restoredAt, null);
  // Back at 6 s, fails again at 20 s, back for good at 30 s.
  const second = run([breaker(6_000, 'closed'), okAttempt(6_010), fail(20_000), okAttempt(30_000)], 100_000, first.state);
  const closed = last(second.changed, 'target')!;
  assert.equal(closed.id, open.id);
  assert.equal(closed.status, 'recovered');
  assert.equal(closed.restoredAt, 30_000);
});

test('isolated failures that a retry absorbed are not an episode', () => {
  const events: DetectorEvent[] = [];
  for (let t = 0; t < 60_000; t += 100) events.push(t % 2_000 === 0 ? fail(t) : okAttempt(t), answered(t + 5, 'primary'));
  const { changed, state } = run(events, 120_000);
  assert.deepEqual(changed, []);
  assert.deepEqual(state.subjects, {});
});

test('a burst of client-visible errors opens a routing episode without any breaker; callers wait until the service answers again', () => {
  const events: DetectorEvent[] = [];
  for (let t = 0; t < 3_000; t += 100) events.push(refused(t));
  events.push(answered(3_050, 'primary'));
  const { changed } = run(events, 60_000);
  const e = last(changed, 'service')!;
  assert.equal(e.status, 'recovered');
  assert.equal(e.details.opened, 'errors');
  assert.equal(e.startedAt, 0);
  assert.equal(e.detectedAt, null, 'nothing in Standby detected it');
  assert.equal(e.failedRequests, 30);
  assert.equal(e.activatedAt, 3_050);
  assert.equal(routingRtoMs(e), 3_050);
});

test("an operator's forced failover: detection, assessment and activation are the flip; restoration waits for it to end", () => {
  const events: DetectorEvent[] = [
    { type: 'override', at: 1_000, action: 'start', kind: 'force_failover', serviceId: 'svc', targetId: null, actor: 'oscar@example.com', reason: 'quality regression' },
    answered(1_100, 'fallback'),
    { type: 'override', at: 50_000, action: 'end', kind: 'force_failover', serviceId: 'svc', targetId: null, actor: 'oscar@example.com', reason: 'fixed' },
  ];
  const { changed } = run(events, 100_000);
  const e = last(changed, 'service')!;
  assert.equal(e.disruption, 'model_retirement', 'traffic moved off a model that was not failing');
  assert.equal(e.startedAt, 1_000);
  assert.equal(e.detectedAt, 1_000);
  assert.equal(e.assessedAt, 1_000);
  assert.equal(e.activatedAt, 1_000);
  assert.equal(e.restoredAt, 50_000);
  assert.equal(e.details.activatedBy?.kind, 'operator');
});

test('a tier below Full opens a routing episode that ends when the tier is back at Full', () => {
  const events: DetectorEvent[] = [
    { type: 'tier', at: 2_000, serviceId: 'svc', to: 'degraded', cause: 'automatic', actor: 'standby' },
    { type: 'tier', at: 62_000, serviceId: 'svc', to: 'full', cause: 'automatic', actor: 'standby' },
  ];
  const { changed } = run(events, 200_000);
  const e = last(changed, 'service')!;
  assert.equal(e.status, 'recovered');
  assert.equal(e.disruption, 'capacity_loss');
  assert.equal(e.restoredAt, 62_000);
});

test('rate limiting reads as capacity loss; a provider failing in one region while its other region answers reads as a regional outage', () => {
  const limited = run([0, 10, 20, 30, 40].map((t) => fail(t, 'primary', 'svc', 'rate_limited')).concat(breaker(41, 'open')), 1_000);
  assert.equal(last(limited.changed, 'target')!.disruption, 'capacity_loss');
  const regional = run([okAttempt(0, 'primary-eu', null), ...[10, 20, 30, 40, 50].map((t) => fail(t)), okAttempt(60, 'primary-eu', null), breaker(61, 'open')], 1_000);
  assert.equal(last(regional.changed, 'target')!.disruption, 'regional_outage');
  const provider = run([okAttempt(0, 'azure-eu', null), ...[10, 20, 30, 40, 50].map((t) => fail(t)), okAttempt(60, 'azure-eu', null), breaker(61, 'open')], 1_000);
  assert.equal(last(provider.changed, 'target')!.disruption, 'provider_outage');
});

test('an episode that starts inside a drill window is the drill\'s, with the disruption the drill rehearses', () => {
  const { changed } = detect({
    state: emptyDetectorState(),
    events: [10, 20, 30, 40, 50].map((t) => fail(t)).concat(breaker(51, 'open')),
    upTo: 1_000,
    topology,
    newId,
    drills: [{ drillRunId: 'drill-1', serviceId: null, targetId: 'primary', disruption: 'regional_outage', from: 0, to: 10_000 }],
  });
  const e = last(changed, 'target')!;
  assert.equal(e.source, 'drill');
  assert.equal(e.drillRunId, 'drill-1');
  assert.equal(e.disruption, 'regional_outage');
});

test('the input state is left as it was', () => {
  const state = emptyDetectorState();
  run([fail(0), fail(1), fail(2), fail(3), fail(4)], 10, state);
  assert.deepEqual(state, emptyDetectorState());
});
